import { spawn } from 'node:child_process';
import { ROOT } from '../tests/helpers/process.ts';
import type { Scenario } from './scenario.ts';

// The cross-unit matrix of the staff issue (tests/cross-unit.test.ts), run as
// its own process on its own database: every staff and API route, asked by
// another commune's users for commune A's things. A failed assertion there
// is a leak, so leaks = failed.

export const crossUnit: Scenario = {
  name: 'cross-unit matrix',
  async run(_ctx, say) {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn('npx', ['tsx', 'tests/run.ts', 'tests/cross-unit.test.ts'], {
        cwd: ROOT,
        env: { ...process.env, TAP_REPORTER: 'terse' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const timer = setTimeout(() => child.kill('SIGTERM'), 240_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve({ code: c, output });
      });
    });
    // The closing line of tests/run.ts: "N passed, N failed, N skipped".
    const m = /(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec(output.trim());
    const passed = m ? Number(m[1]) : 0;
    const failed = m ? Number(m[2]) : null;
    say(`  ${m ? m[0] : 'no result line'}`);
    return {
      name: this.name,
      target: '0 leaks',
      figures: { passed, leaks: failed, exitCode: code },
      // A skipped matrix checks nothing.
      pass: failed === 0 && passed > 0 && Number(m?.[3] ?? 0) === 0 && code === 0,
      notes: failed === 0 ? [] : [output.slice(-2000)],
    };
  },
};
