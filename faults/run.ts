import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../tests/helpers/process.ts';
import { abortedClients } from './aborted-clients.ts';
import { startCluster } from './cluster.ts';
import { codeFarming } from './code-farming.ts';
import { concurrentSubmissions } from './concurrent-submissions.ts';
import { Context } from './context.ts';
import { crossUnit } from './cross-unit.ts';
import { rawExport } from './export.ts';
import { feedbackSuspects } from './feedback-suspects.ts';
import { guarantees } from './guarantees.ts';
import { hostileInputs } from './hostile-inputs.ts';
import { agent } from './http.ts';
import { killServer } from './kill-server.ts';
import { printTable } from './report.ts';
import { restartDatabase } from './restart-database.ts';
import { sameSubmission } from './same-submission.ts';
import type { Scenario, ScenarioResult } from './scenario.ts';
import { signInRace } from './sign-in-race.ts';
import { sigterm } from './sigterm.ts';
import { floodThenHonest, realisticControl, stuffing, unauthenticatedApi } from './stuffing.ts';
import { transactionCode } from './transaction-code.ts';
import { trickle } from './trickle.ts';

// npm run test:faults: the fault-and-abuse suite of issues 5 and 11 on a real
// PostgreSQL and real server processes. Prints a table, writes
// faults-report.json, exits non-zero when any target is missed.
// `npm run test:faults -- NAME…` runs only the scenarios whose names contain NAME.

const SCENARIOS: Scenario[] = [
  guarantees,
  concurrentSubmissions,
  sameSubmission,
  transactionCode,
  killServer,
  restartDatabase,
  sigterm,
  abortedClients,
  hostileInputs,
  crossUnit,
  unauthenticatedApi,
  stuffing,
  realisticControl,
  floodThenHonest,
  codeFarming,
  feedbackSuspects,
  signInRace,
  trickle,
  rawExport,
];

async function main(): Promise<number> {
  const started = performance.now();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const only = process.argv.slice(2).map((a) => a.toLowerCase());
  const chosen = SCENARIOS.filter((s) => !only.length || only.some((o) => s.name.toLowerCase().includes(o)));
  say(`Fault suite: ${chosen.length} scenarios on ${os.cpus().length} CPUs. Starting PostgreSQL…`);
  const cluster = await startCluster('hl_faults');
  const ctx = new Context(cluster, 'hl_faults');
  // Ctrl-C must not leave the suite's cluster or servers running.
  const interrupted = () => {
    ctx.killServers();
    void cluster.destroy().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const results: ScenarioResult[] = [];
  try {
    await ctx.prepare();
    for (const scenario of chosen) {
      const t0 = performance.now();
      say(`\n▶ ${scenario.name}`);
      let result: ScenarioResult;
      try {
        result = await scenario.run(ctx, say);
      } catch (err) {
        ctx.killServers();
        result = {
          name: scenario.name,
          target: '(the scenario itself failed)',
          figures: {},
          pass: false,
          notes: [err instanceof Error ? (err.stack ?? err.message) : String(err)],
        };
      }
      result.figures.seconds = Math.round((performance.now() - t0) / 100) / 10;
      results.push(result);
      const verdict = result.pass === null ? 'N/A' : result.pass ? 'PASS' : 'FAIL';
      say(`  ${verdict} in ${result.figures.seconds} s`);
      for (const note of result.notes ?? []) say(`  note: ${note}`);
    }
  } finally {
    ctx.killServers();
    agent.destroy();
    await ctx.close().catch(() => {});
    await cluster.destroy();
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const failed = results.filter((r) => r.pass === false);
  const report = {
    finishedAt: new Date().toISOString(),
    seconds,
    machine: { cpus: os.cpus().length, node: process.version },
    passed: failed.length === 0,
    scenarios: results,
  };
  writeFileSync(path.join(ROOT, 'faults-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  say('');
  printTable(results, say);
  say(`\n${results.length - failed.length} of ${results.length} scenarios met their targets in ${seconds} s.`);
  say('Report: faults-report.json');
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Fault suite failed to run: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
    process.exit(1);
  },
);
