import type { Say, ScenarioResult } from './scenario.ts';

// The table printed at the end: one row per scenario, its verdict and its
// figures, wrapped to the terminal's width.

export function printTable(results: ScenarioResult[], say: Say) {
  const width = Math.max(...results.map((r) => r.name.length), 8);
  const cols = process.stdout.columns && process.stdout.columns > 60 ? process.stdout.columns : 120;
  say(`${'scenario'.padEnd(width)}  result  figures`);
  say(`${'-'.repeat(width)}  ------  ${'-'.repeat(Math.max(7, cols - width - 10))}`);
  for (const r of results) {
    const verdict = r.pass === null ? 'N/A' : r.pass ? 'PASS' : 'FAIL';
    const figures = Object.entries(r.figures).map(([k, v]) => `${k}=${v}`);
    const lines = wrap(figures, cols - width - 10);
    lines.forEach((line, i) => {
      say(`${(i === 0 ? r.name : '').padEnd(width)}  ${(i === 0 ? verdict : '').padEnd(6)}  ${line}`);
    });
  }
}

function wrap(parts: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line && line.length + p.length + 2 > width) {
      lines.push(line);
      line = p;
    } else line = line ? `${line}, ${p}` : p;
  }
  if (line || !lines.length) lines.push(line);
  return lines;
}
