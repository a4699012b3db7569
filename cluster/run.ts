import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agent } from '../faults/http.ts';
import { printTable } from '../faults/report.ts';
import type { ScenarioResult } from '../faults/scenario.ts';
import { ClusterContext, type ClusterScenario } from './context.ts';
import { Teardown } from './processes.ts';
import { REPORT_FILE, writeReport } from './report.ts';
import { failover } from './scenarios/failover.ts';
import { nodeKill } from './scenarios/node-kill.ts';
import { pooling } from './scenarios/pooling.ts';
import { replicaReads } from './scenarios/replica-reads.ts';
import { staffChange } from './scenarios/staff-change.ts';
import { missingPrograms, startParts } from './start.ts';

// npm run test:cluster (issue 19): a primary PostgreSQL with a streaming
// replica, PgBouncer (transaction pooling, and a session-pooled entry for
// what holds a session), two app nodes and HAProxy, all on loopback in a
// temporary folder; the scenarios run against them, a table is printed and
// cluster-report.json written; exit 1 when a scenario misses its target.
// Everything started is stopped at the end, on failure and on Ctrl-C too.
// Order matters: the node kill disturbs the cluster, and the failover ends
// it as it was (the replica becomes the primary, no replica is left), so
// the failover runs last and the node kill just before it.
// `npm run test:cluster -- NAME…` runs only the scenarios whose names contain NAME.

const SCENARIOS: ClusterScenario[] = [staffChange, pooling, replicaReads, nodeKill, failover];

const say = (line: string) => process.stdout.write(`${line}\n`);
const failed = (name: string, err: unknown): ScenarioResult => ({
  name,
  target: '(the scenario itself failed)',
  figures: {},
  pass: false,
  notes: [err instanceof Error ? (err.stack ?? err.message) : String(err)],
});

/** Distinct warnings and errors a node logged (it runs at LOG_LEVEL=warn), with counts. */
function loggedProblems(output: string): string[] {
  const seen = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: { message?: string; code?: string } | string };
      const err = typeof entry.err === 'string' ? entry.err : `${entry.err?.code ?? ''} ${entry.err?.message ?? ''}`;
      const key = `${entry.msg ?? ''}: ${err.trim()}`.slice(0, 300);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }
  return [...seen].map(([k, n]) => `logged ×${n} ${k}`);
}

async function runScenarios(ctx: ClusterContext, results: ScenarioResult[], only: string[]) {
  const chosen = SCENARIOS.filter((s) => !only.length || only.some((o) => s.name.toLowerCase().includes(o)));
  for (const scenario of chosen) {
    const t0 = performance.now();
    say(`\n▶ ${scenario.name}`);
    const result = await scenario.run(ctx, say).catch((err: unknown) => failed(scenario.name, err));
    result.figures.seconds = Math.round((performance.now() - t0) / 100) / 10;
    results.push(result);
    say(`  ${result.pass === null ? 'N/A' : result.pass ? 'PASS' : 'FAIL'} in ${result.figures.seconds} s`);
    for (const note of result.notes ?? []) say(`  note: ${note}`);
  }
  for (const node of ctx.parts.nodes) {
    for (const line of loggedProblems(node.output())) say(`  node ${node.name}: ${line}`);
  }
}

async function main(): Promise<number> {
  const missing = missingPrograms();
  if (missing.length) {
    process.stderr.write(`test:cluster needs programs that are not installed:\n  ${missing.join('\n  ')}\n`);
    return 1;
  }
  const started = performance.now();
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'hl-cluster-'));
  // PostgreSQL and PgBouncer run as `postgres` and read their files in here.
  chmodSync(runDir, 0o755);
  const teardown = new Teardown();
  let ctx: ClusterContext | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanUp = () => {
    cleaned ??= (async () => {
      await ctx?.close().catch(() => {});
      agent.destroy();
      await teardown.stopAll(say);
      rmSync(runDir, { recursive: true, force: true });
    })();
    return cleaned;
  };
  const interrupted = (signal: NodeJS.Signals) => {
    say(`\n${signal}: stopping the cluster…`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // A stray rejection must not skip the clean-up (the exit handler would kill the children but leave the folder).
  process.on('unhandledRejection', (err) => {
    say(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void cleanUp().finally(() => process.exit(1));
  });

  const results: ScenarioResult[] = [];
  try {
    say(`Cluster test on ${os.cpus().length} CPUs, in ${runDir}:`);
    const parts = await startParts(runDir, teardown, say);
    ctx = new ClusterContext(parts);
    await ctx.prepare();
    await runScenarios(
      ctx,
      results,
      process.argv.slice(2).map((a) => a.toLowerCase()),
    );
  } catch (err) {
    results.push(failed('cluster start', err));
    say(`  ${results.at(-1)?.notes?.[0]}`);
  } finally {
    await cleanUp();
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  writeReport(results, seconds, {
    database: 'PostgreSQL 15 primary + streaming replica (promoted by the failover scenario)',
    pooler: 'PgBouncer: pool_mode=transaction (DATABASE_URL), session entry (DATABASE_DIRECT_URL)',
    nodes: '2 × tsx server/server.ts',
    balancer: 'HAProxy, active GET /healthz checks every 500 ms',
  });
  const failures = results.filter((r) => r.pass === false);
  say('');
  printTable(results, say);
  say(`\n${results.length - failures.length} of ${results.length} scenarios met their targets in ${seconds} s.`);
  say(`Report: ${path.relative(process.cwd(), REPORT_FILE)}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Cluster test failed to run: ${err instanceof Error ? (err.stack ?? err.message) : err}\n`);
    process.exit(1);
  },
);
