import { spawn } from 'node:child_process';
import path from 'node:path';

// The type check and the linter, run by tests/run.ts for a whole run while
// the test cluster starts and the tests run: most of the start is waiting on
// PostgreSQL, and one after the other they held up every run by ten seconds.

export interface CheckResult {
  name: string;
  ok: boolean;
  output: string;
}

const CHECKS: [name: string, bin: string, args: string[]][] = [
  ['tsc --noEmit', 'tsc', ['--noEmit']],
  ['biome check', 'biome', ['check']],
];

export function startStaticChecks(): Promise<CheckResult[]> {
  return Promise.all(CHECKS.map(([name, bin, args]) => run(name, path.resolve('node_modules/.bin', bin), args)));
}

function run(name: string, bin: string, args: string[]): Promise<CheckResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ name, ok: false, output: String(err) }));
    child.on('exit', (code) => resolve({ name, ok: code === 0, output }));
  });
}
