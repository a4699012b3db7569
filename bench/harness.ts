import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startServer } from '../tests/helpers/process.ts';

// What the benchmarks (run.ts) run with: the settings of the run, the
// processes they start (stopped together at the end), and timing.

export interface BenchSettings {
  /** Tiny sizes and short runs: the point is that everything runs. */
  smoke: boolean;
  /** Seconds of each load run, after a warm-up. */
  seconds: number;
  /** autocannon connections. */
  connections: number;
  /** Calls each report timing is the median of. */
  reportRuns: number;
}

export const log = (line: string) => process.stdout.write(`${line}\n`);

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Peak resident memory of a process so far (Linux VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) / 1024 : Number.NaN;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Median of `runs` timings after one warm-up call; fewer runs when a call takes long. */
export async function medianMs<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const first = await timed(fn);
  const n = first.ms > 10_000 ? 1 : first.ms > 2_000 ? 3 : runs;
  const times: number[] = [];
  let value = first.value;
  for (let i = 0; i < n; i++) {
    const t = await timed(fn);
    times.push(t.ms);
    value = t.value;
  }
  return { ms: median(times), value };
}

const processes: ChildProcess[] = [];
export async function start(env: Record<string, string>, script?: string) {
  const server = await startServer({ LOG_LEVEL: 'warn', SEED_DEMO: 'never', ...env }, 120_000, script);
  processes.push(server.child);
  return server;
}
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Stops every process started by start(). */
export async function stopAll(): Promise<void> {
  await Promise.all(processes.map(stop));
}
