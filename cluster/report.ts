import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioResult } from '../faults/scenario.ts';
import { ROOT } from '../tests/helpers/process.ts';

// cluster-report.json at the repository root: the scenarios' figures and
// verdicts, and what the cluster was made of, for CI and for issue 19.

export const REPORT_FILE = path.join(ROOT, 'cluster-report.json');

export function writeReport(results: ScenarioResult[], seconds: number, layout: Record<string, string>) {
  const report = {
    finishedAt: new Date().toISOString(),
    seconds,
    machine: { cpus: os.cpus().length, node: process.version },
    layout,
    passed: results.length > 0 && results.every((r) => r.pass !== false),
    scenarios: results,
  };
  writeFileSync(REPORT_FILE, `${JSON.stringify(report, null, 2)}\n`);
}
