import os from 'node:os';
import { sql } from 'kysely';
import type { Balancer } from '../cluster/balancer.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { type CpuPart, coresUsed, cpuSeconds } from './cpu-profile.ts';
import { type BenchSettings, log } from './harness.ts';
import { load, submissionBody } from './load.ts';
import type { Figure } from './results.ts';

// The national bench's write side (national.ts): submissions to desks all
// over the national tree, posted through HAProxy to one node and then to
// two, on the database that holds the national year. Each run's CPU time
// per part is read from /proc, so that a ratio under 1.5× comes with where
// the two cores went. The submissions are deleted again at the end (the
// triggers take them out of the aggregates), so the dataset stays the one
// the next run reuses.

export interface SubmissionRun {
  name: string;
  rps: number;
  p99: number;
  errors: number;
  acknowledged: number;
  /** Cores each part used on average, warm-up included. */
  cores: Record<string, number>;
  /** PostgreSQL's busiest statements of the run (pg_stat_statements), triggers' included. */
  statements: { query: string; calls: number; totalMs: number; meanMs: number; planMs: number }[];
}

export async function nationalSubmissions(
  figures: Figure[],
  o: { db: Db; settings: BenchSettings; one: Balancer; two: Balancer; parts: () => CpuPart[] },
): Promise<SubmissionRun[]> {
  const { db, settings } = o;
  const cells = await sql<{ desk: string; area: string }>`
    select d.code as desk, s.service_area_code as area
      from desk d join desk_service_area s on s.desk_id = d.id
     order by md5(d.code || s.service_area_code)`.execute(db);
  await sql`create extension if not exists pg_stat_statements`.execute(db);
  const key = await createApiKey(db, { unitCode: 'viet-nam', role: 'submit', channels: ['kiosk'], label: 'bench' });
  if (!key) throw new Error('no submit key');
  const top = await sql<{ n: string | null }>`select max(response_id) as n from submission`.execute(db);
  const before = Number(top.rows[0]?.n ?? 0);
  const body = submissionBody(
    cells.rows.map((c) => c.desk),
    cells.rows.map((c) => c.area),
  );

  const runs: SubmissionRun[] = [];
  try {
    for (const [name, balancer] of [
      ['one node', o.one],
      ['two nodes', o.two],
    ] as const) {
      log(
        `national submissions through HAProxy to ${name}: ${settings.connections} connections, ${settings.seconds} s`,
      );
      await sql`select pg_stat_statements_reset()`.execute(db);
      const cpuBefore = cpuSeconds(o.parts());
      const t0 = performance.now();
      const r = await load({
        url: `${balancer.url}/api/v1/responses`,
        connections: settings.connections,
        seconds: settings.seconds,
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}` },
        body,
      });
      const cores = coresUsed(cpuBefore, cpuSeconds(o.parts()), (performance.now() - t0) / 1000);
      const statements = await busiestStatements(db);
      log(`  ${Math.round(r.rps)} req/s, p99 ${r.p99} ms; cores used: ${profileLine(cores)}`);
      for (const st of statements) {
        log(
          `    ${st.totalMs.toFixed(0).padStart(7)} ms (plan ${st.planMs}) ${String(st.calls).padStart(7)} × ${st.query}`,
        );
      }
      runs.push({ name, rps: r.rps, p99: r.p99, errors: r.errors, acknowledged: r.okWithWarmUp, cores, statements });
    }
    const stored = await sql<{ n: string }>`select count(*) as n from submission where response_id > ${before}`.execute(
      db,
    );
    const acknowledged = runs.reduce((a, r) => a + r.acknowledged, 0);
    // As in submission-bench.ts: those in flight when a run stopped may be stored too.
    const n = Number(stored.rows[0]?.n ?? 0);
    if (n < acknowledged || n > acknowledged + 4 * settings.connections) {
      throw new Error(`${acknowledged} national submissions acknowledged, ${n} stored`);
    }
  } finally {
    // A batch cut off at the end of the last run may still commit: delete
    // until nothing new has come for a second.
    for (let quiet = 0; quiet < 2; ) {
      const gone = await sql`delete from response where id > ${before}`.execute(db);
      quiet = Number(gone.numAffectedRows ?? 0) === 0 ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  const [one, two] = runs as [SubmissionRun, SubmissionRun];
  const ratio = two.rps / one.rps;
  figures.push(
    {
      id: 'national.submissions.one_node',
      label: 'national submissions, HAProxy → 1 node',
      value: one.rps,
      unit: 'req/s',
      note: `p99 ${one.p99} ms, ${one.errors} errors; cores: ${profileLine(one.cores)}`,
    },
    {
      id: 'national.submissions.two_nodes',
      label: 'national submissions, HAProxy → 2 nodes',
      value: two.rps,
      unit: 'req/s',
      baseline: { label: 'HAProxy → 1 node', value: one.rps },
      ratio,
      goal: '≥ 1.5× (or the profile says why not)',
      met: ratio >= 1.5,
      note: `p99 ${two.p99} ms, ${two.errors} errors; cores: ${profileLine(two.cores)}; ${whyNot(one, two, ratio)}`,
    },
  );
  return runs;
}

async function busiestStatements(db: Db): Promise<SubmissionRun['statements']> {
  const top = await sql<{ query: string; calls: string; total: number; mean: number; plan: number }>`
    select regexp_replace(query, '[[:space:]]+', ' ', 'g') as query, calls,
           total_exec_time + total_plan_time as total, mean_exec_time as mean, total_plan_time as plan
      from pg_stat_statements
     where dbid = (select oid from pg_database where datname = current_database())
     order by total_exec_time + total_plan_time desc limit 8`.execute(db);
  return top.rows.map((r) => ({
    query: r.query.slice(0, 160),
    calls: Number(r.calls),
    totalMs: Math.round(r.total),
    meanMs: Math.round(r.mean * 1000) / 1000,
    planMs: Math.round(r.plan),
  }));
}

function profileLine(cores: Record<string, number>): string {
  const total = Object.values(cores).reduce((a, c) => a + c, 0);
  return `${Object.entries(cores)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ')} (total ${total.toFixed(2)})`;
}

/** What the profile says about the ratio, read from the cores each part used. */
function whyNot(one: SubmissionRun, two: SubmissionRun, ratio: number): string {
  const total = (r: SubmissionRun) => Object.values(r.cores).reduce((a, c) => a + c, 0);
  const cpus = os.cpus().length;
  if (ratio >= 1.5) return 'the second node added the throughput expected';
  const nodeOne = one.cores['node a'] ?? 0;
  const nodesTwo = (two.cores['node a'] ?? 0) + (two.cores['node b'] ?? 0);
  return (
    `with one node the machine was already using ${total(one).toFixed(2)} of its ${cpus} cores ` +
    `(node ${nodeOne.toFixed(2)}); with two, ${total(two).toFixed(2)}, the nodes ${nodesTwo.toFixed(2)} together: ` +
    `a second node can only take cores that PostgreSQL, HAProxy and the load generator leave free on this machine`
  );
}
