import path from 'node:path';
import pg from 'pg';
import { dataFolder, type Postgres, postgresBin, startPostgres } from './postgres.ts';
import { postgresUser, run, sleep, type Teardown } from './processes.ts';

// The streaming replica the nodes read reports from (DATABASE_REPLICA_URL):
// a pg_basebackup copy of the primary with -R (standby.signal and
// primary_conninfo written for us), started on a port of its own that it
// keeps when stopped and started again, as a real replica keeps its address.
// initdb's pg_hba.conf already lets 127.0.0.1 replicate (trust here), and
// PostgreSQL 15's defaults (wal_level=replica, max_wal_senders=10) suffice.

export interface Replica {
  port: number;
  url(database: string): string;
  /** The server now running (or last run). */
  server(): Postgres;
  /** Fast shutdown, as `pg_ctl stop -m fast`. */
  stop(): Promise<void>;
  /** Starts it again on the same data and port; it catches up from the primary. */
  start(): Promise<void>;
}

const SETTINGS = {
  // Long report queries are not cancelled by the replay of the primary's vacuum.
  hot_standby_feedback: 'on',
};

export async function startReplica(
  runDir: string,
  primary: Postgres,
  teardown: Teardown,
  /** The national bench copies tens of gigabytes and gives the replica the primary's memory. */
  opts: { settings?: Record<string, string>; copyTimeoutMs?: number } = {},
): Promise<Replica> {
  const settings = { ...SETTINGS, ...opts.settings };
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL 15 binaries not found');
  const dataDir = dataFolder(runDir, 'replica');
  await run(
    path.join(bin, 'pg_basebackup'),
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-D',
      dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ],
    { ...postgresUser(), cwd: runDir },
    opts.copyTimeoutMs ?? 120_000,
  );
  let server = await startPostgres('replica', dataDir, teardown, settings);
  const port = server.port;
  await untilStreaming(primary);
  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    server: () => server,
    stop: () => server.stop(),
    async start() {
      server = await startPostgres('replica', dataDir, teardown, settings, port);
    },
  };
}

/** Resolves once the primary has a standby streaming from it. */
export async function untilStreaming(primary: Postgres, timeoutMs = 30_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  const client = new pg.Client({ connectionString: primary.url('postgres') });
  await client.connect();
  try {
    for (;;) {
      const { rowCount } = await client.query(`select 1 from pg_stat_replication where state = 'streaming'`);
      if (rowCount) return;
      if (performance.now() > until) throw new Error(`no standby streaming from ${primary.name} in ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    await client.end();
  }
}
