import { chmodSync, mkdirSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { startBalancer, untilState } from '../cluster/balancer.ts';
import { createNode, type Node } from '../cluster/nodes.ts';
import { startPrimary } from '../cluster/postgres.ts';
import { sleep, Teardown } from '../cluster/processes.ts';
import { startReplica } from '../cluster/replica.ts';
import { missingPrograms } from '../cluster/start.ts';
import { connect, type Db } from '../server/platform/db/connect.ts';
import type { DatasetInfo } from './dataset.ts';
import { type BenchSettings, log } from './harness.ts';
import { NATIONAL_DATABASE, nationalDataset, SERVER_SETTINGS, startNationalPrimary } from './national-db.ts';
import { nationalSubmissions, type SubmissionRun } from './national-submissions.ts';
import { measureReports } from './report-bench.ts';
import type { Figure } from './results.ts';

// `npm run bench -- --national` (issue 19, part 8): the platform at the
// country's size, laid out as docs/deployment.md's province and country
// layouts are: a primary holding a year for 3,300 communes (20 M responses,
// monthly partitions), a streaming replica made from it with pg_basebackup,
// two app nodes reading reports from the replica, and HAProxy in front.
// The reports are timed through HAProxy against the goals of the ordinary
// bench, each checked against the raw rows read on the replica; submissions
// go through HAProxy to one node, then to two (national-submissions.ts).
// The parts are the cluster test's (cluster/*.ts), without PgBouncer: it is
// not what is measured here, and it costs a hop per query.

export interface NationalOptions {
  responses: number;
  communes?: number;
  /** Keeps the primary's data between runs; a temporary folder when undefined (the smoke run). */
  dir?: string;
}

export async function national(
  figures: Figure[],
  settings: BenchSettings,
  o: NationalOptions,
): Promise<{ postgres: string; datasets: DatasetInfo[]; submissionRuns: SubmissionRun[] }> {
  const missing = missingPrograms();
  if (missing.length) throw new Error(`bench --national needs: ${missing.join('; ')}`);
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'hl-national-'));
  // PostgreSQL and HAProxy run as other users and read their files in here.
  chmodSync(runDir, 0o755);
  const teardown = new Teardown();
  const subDir = (name: string) => {
    const dir = path.join(runDir, name);
    mkdirSync(dir, { mode: 0o755 });
    return dir;
  };
  const interrupted = () => {
    log('national: interrupted, stopping PostgreSQL, the nodes and HAProxy…');
    void teardown.stopAll(log).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const primary = o.dir
      ? await startNationalPrimary(o.dir, teardown)
      : await startPrimary(runDir, teardown, SERVER_SETTINGS);
    log(`national: primary PostgreSQL on ${primary.port}`);
    const { db, url, data } = await nationalDataset(primary, o);
    const version = await sql<{ v: string }>`select version() as v`.execute(db);
    const postgres = version.rows[0]?.v ?? '';

    await roomForReplica(db, runDir);
    const t0 = performance.now();
    const replica = await startReplica(runDir, primary, teardown, {
      settings: SERVER_SETTINGS,
      copyTimeoutMs: 3 * 3600_000,
    });
    const copySeconds = (performance.now() - t0) / 1000;
    const size = await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(db);
    const gib = Number(size.rows[0]?.bytes ?? 0) / 2 ** 30;
    log(`national: streaming replica on ${replica.port}, copied in ${copySeconds.toFixed(0)} s`);
    figures.push({
      id: 'national.replica_copy',
      label: 'national replica made (pg_basebackup)',
      value: copySeconds,
      unit: 's',
      note: `database ${gib.toFixed(1)} GiB; ${data.responses.toLocaleString('en-US')} responses, ${data.answers.toLocaleString('en-US')} answers, ${data.units.toLocaleString('en-US')} units`,
    });

    const nodeSettings = {
      pooledUrl: url,
      directUrl: url,
      env: { DATABASE_REPLICA_URL: replica.url(NATIONAL_DATABASE) },
    };
    const a = await createNode('a', nodeSettings, teardown);
    const b = await createNode('b', nodeSettings, teardown);
    await a.start();
    await b.start();
    const one = await startBalancer(subDir('one'), [a], teardown);
    const two = await startBalancer(subDir('two'), [a, b], teardown);
    await untilState(one, ['a'], 'UP');
    await untilState(two, ['a', 'b'], 'UP');
    log(`national: nodes a (${a.port}) and b (${b.port}); HAProxy ${one.url} → a, ${two.url} → a, b`);

    await untilReplicaInUse([a, b]);
    const replicaDb = connect({ url: replica.url(NATIONAL_DATABASE), poolMax: 2 });
    let submissionRuns: SubmissionRun[] = [];
    try {
      const millions = data.responses >= 1_000_000 ? `${data.responses / 1_000_000}M` : `${data.responses / 1000}k`;
      await measureReports(figures, {
        db,
        rawDb: replicaDb,
        serverUrl: two.url,
        data,
        idPrefix: 'national.reports',
        labelPrefix: `national report at ${millions}, on the replica`,
        withGoals: !settings.smoke,
        runs: settings.reportRuns,
        rawRuns: 1,
      });
      // Still in use after the timings: they were the replica's, not a fallback's.
      await untilReplicaInUse([a, b], 0);

      submissionRuns = await nationalSubmissions(figures, {
        db,
        settings,
        one,
        two,
        parts: () => [
          { name: 'node a', pid: a.pid() },
          { name: 'node b', pid: b.pid() },
          { name: 'PostgreSQL primary', pid: primary.daemon.child.pid, withDescendants: true },
          { name: 'replica', pid: replica.server().daemon.child.pid, withDescendants: true },
          { name: 'HAProxy (1 node)', pid: one.daemon.child.pid },
          { name: 'HAProxy (2 nodes)', pid: two.daemon.child.pid },
          { name: 'load generator', pid: process.pid },
        ],
      });
    } finally {
      await replicaDb.destroy();
      await db.destroy();
    }
    return { postgres, datasets: [data], submissionRuns };
  } finally {
    await teardown.stopAll(log);
    rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * The replica is a copy of the whole cluster on this disk: refuse at once,
 * with the figures, rather than fill the disk half way through the copy.
 * The checkpoint first lets the primary drop the WAL it no longer needs.
 */
async function roomForReplica(db: Db, dir: string): Promise<void> {
  await sql`checkpoint`.execute(db);
  const size = await sql<{ bytes: string }>`select sum(pg_database_size(oid)) as bytes from pg_database`.execute(db);
  const need = Number(size.rows[0]?.bytes ?? 0) * 1.05 + 2 * 2 ** 30;
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
    throw new Error(`the replica needs about ${gib(need)} free in ${dir}; ${gib(free)} are free`);
  }
}

/** Waits until every node's /healthz says it reads reports from the replica. */
async function untilReplicaInUse(nodes: Node[], timeoutMs = 15_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      nodes.map(async (n) => {
        const body = (await (await fetch(`${n.url}/healthz`)).json()) as { replica?: { state?: string } };
        return body.replica?.state ?? 'none';
      }),
    );
    if (states.every((s) => s === 'in use')) return;
    if (performance.now() >= until) throw new Error(`the nodes do not read from the replica: ${states.join(', ')}`);
    await sleep(250);
  }
}
