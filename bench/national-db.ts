import { chownSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { initCluster, type Postgres, startPostgres } from '../cluster/postgres.ts';
import { postgresUser, type Teardown } from '../cluster/processes.ts';
import { connect, type Db } from '../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { prepareDatabase } from '../server/setup.ts';
import { type DatasetInfo, ensureDataset } from './dataset.ts';
import { log } from './harness.ts';

// The national bench's primary (national.ts): Debian's PostgreSQL 15, as the
// cluster test runs it (cluster/postgres.ts), because the replica is made
// with pg_basebackup, which the embedded package lacks. Its data folder
// outlives the run (bench/.national by default): a year for 3,300 communes
// takes the better part of an hour to generate, and a second run reuses it
// as the ordinary bench reuses bench/.data.

export const NATIONAL_DATABASE = 'hl_national';

/**
 * Memory for a machine of this size (24 GiB), given to the primary and the
 * replica alike: about a sixth of it each as shared buffers, so both fit
 * with the nodes. Checkpoints a little apart for the load, but not far: the
 * WAL kept for reuse (up to max_wal_size) stays on the disk the replica's
 * copy needs too (at 16GB the load left 17 GB of it beside a 35 GB database).
 */
export const SERVER_SETTINGS: Record<string, string> = {
  shared_buffers: '4GB',
  effective_cache_size: '12GB',
  work_mem: '64MB',
  maintenance_work_mem: '2GB',
  max_wal_size: '2GB',
  checkpoint_timeout: '30min',
  random_page_cost: '1.1',
  // The profile of the submission runs (national-submissions.ts), statements inside triggers included.
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  // Planning too: a statement on a partitioned table is planned for every partition it may touch.
  'pg_stat_statements.track_planning': 'on',
};

/** Starts the primary on `dir` (made with initdb the first time). */
export async function startNationalPrimary(dir: string, teardown: Teardown): Promise<Postgres> {
  const dataDir = path.join(dir, 'primary');
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // The folder above is the `postgres` user's way in; the data folder is its own.
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { uid, gid } = postgresUser();
    if (uid !== undefined && gid !== undefined) chownSync(dataDir, uid, gid);
    await initCluster(dataDir);
  }
  return startPostgres('primary', dataDir, teardown, SERVER_SETTINGS);
}

/** The app's schema and the national year on the primary, generated or reused. */
export async function nationalDataset(
  primary: Postgres,
  o: { responses: number; communes?: number },
): Promise<{ db: Db; url: string; data: DatasetInfo }> {
  await createDatabaseIfMissing(primary.url('postgres'), NATIONAL_DATABASE);
  const url = primary.url(NATIONAL_DATABASE);
  const db = connect({ url, poolMax: 4 });
  await prepareDatabase(db, { seedDemo: false });
  const data = await ensureDataset(db, {
    responses: o.responses,
    communes: o.communes,
    workMem: '2GB',
    log: (l) => log(`  ${l}`),
  });
  const size = await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(db);
  log(
    `national dataset: ${data.reused ? 'reused' : `generated in ${Math.round(data.seconds)} s`}, ` +
      `${(Number(size.rows[0]?.bytes ?? 0) / 2 ** 30).toFixed(1)} GiB`,
  );
  return { db, url, data };
}
