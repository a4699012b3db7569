import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../platform/config.ts';
import { countPublicTables, countUserRelations } from '../../platform/db/catalog-repository.ts';
import { connect } from '../../platform/db/connect.ts';
import { createDatabaseIfMissing, EMBEDDED_DB_NAME } from '../../platform/db/database.ts';
import { startEmbedded } from '../../platform/db/embedded.ts';

// Backups with PostgreSQL's own tools: pg_dump in its custom format (one
// consistent snapshot, compressed, restorable table by table) and pg_restore
// into an empty database. The connection goes to the tools through libpq's
// PG* environment variables, so the password is never on a command line
// (visible to every user in `ps`) nor in any message.

export class BackupError extends Error {}

export interface Target {
  /** libpq environment for pg_dump/pg_restore. */
  env: Record<string, string>;
  /** host:port/database, for messages (never the password). */
  label: string;
}

export function targetOf(url: string): Target {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  const env: Record<string, string> = {
    PGHOST: u.hostname.replace(/^\[|\]$/g, ''),
    PGPORT: u.port || '5432',
    PGDATABASE: database,
  };
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return { env, label: `${env.PGHOST}:${env.PGPORT}/${database}` };
}

/**
 * The configured database's URL: DATABASE_DIRECT_URL (pg_dump and
 * pg_restore hold a session, which PgBouncer in transaction mode would not
 * keep), else DATABASE_URL, else the embedded cluster in DATA_DIR (started
 * for the command if the server is not running it).
 */
export async function configuredDatabase(config: Config): Promise<{ url: string; close(): Promise<void> }> {
  const url = config.databaseDirectUrl ?? config.databaseUrl;
  if (url) return { url, close: async () => {} };
  const embedded = await startEmbedded({ dir: config.dataDir, port: config.embeddedPgPort });
  await createDatabaseIfMissing(embedded.adminUrl, EMBEDDED_DB_NAME);
  return { url: embedded.urlFor(EMBEDDED_DB_NAME), close: () => embedded.stop() };
}

export function defaultBackupFile(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `hailong-${stamp}.dump`;
}

function run(tool: string, args: string[], target: Target): Promise<void> {
  return new Promise((resolve, reject) => {
    // -w: never prompt; a missing password is an error, not a hang.
    const child = spawn(tool, ['-w', ...args], {
      env: { ...process.env, ...target.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          err.code === 'ENOENT'
            ? `${tool} was not found: install the PostgreSQL client tools of the server's major version (Debian: apt install postgresql-client-15).`
            : `${tool} could not start: ${err.message}`,
        ),
      ),
    );
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new BackupError(`${tool} failed on ${target.label} (exit ${code}):\n${stderr.trim()}`));
    });
  });
}

/**
 * A consistent custom-format dump of the database at `url` (or of one
 * schema of it: the archived partitions), written to `file` only once complete.
 */
export async function backupDatabase(
  url: string,
  file: string,
  schema?: string,
): Promise<{ file: string; bytes: number; label: string }> {
  const target = targetOf(url);
  const out = path.resolve(file);
  const partial = `${out}.partial`;
  try {
    await run('pg_dump', ['--format=custom', `--file=${partial}`, ...(schema ? [`--schema=${schema}`] : [])], target);
    await fs.rename(partial, out);
  } finally {
    await fs.rm(partial, { force: true });
  }
  return { file: out, bytes: (await fs.stat(out)).size, label: target.label };
}

export type RestoreResult =
  | { status: 'restored'; tables: number; label: string }
  | { status: 'not_empty'; relations: number; label: string };

/**
 * Restores a dump into the database at `url`, which must be empty: a restore
 * over live data would mix two histories. One transaction: a failure
 * leaves the database as empty as it was. Owners and grants of the source
 * are not carried over (the target's user owns everything).
 */
export async function restoreDatabase(url: string, file: string): Promise<RestoreResult> {
  const target = targetOf(url);
  await fs.access(file).catch(() => {
    throw new BackupError(`No backup file at ${file}`);
  });
  const db = connect({ url, poolMax: 1 });
  try {
    const relations = await countUserRelations(db);
    if (relations > 0) return { status: 'not_empty', relations, label: target.label };
    await run(
      'pg_restore',
      [
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        `--dbname=${target.env.PGDATABASE}`,
        file,
      ],
      target,
    );
    return { status: 'restored', tables: await countPublicTables(db), label: target.label };
  } finally {
    await db.destroy();
  }
}
