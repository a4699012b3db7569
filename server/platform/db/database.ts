import pg from 'pg';
import type { Config } from '../config.ts';
import { connect, type Db } from './connect.ts';
import { startEmbedded } from './embedded.ts';

export const EMBEDDED_DB_NAME = 'hailong';

export interface DatabaseHandle {
  db: Db;
  /** Where the data lives, for the start-up message (no password). */
  description: string;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or when none is set runs an embedded PostgreSQL
 * under DATA_DIR and creates the application database on first use.
 */
export async function openDatabase(config: Config, onPoolError?: (err: Error) => void): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const db = connect({ url: config.databaseUrl, poolMax: config.dbPoolMax, onPoolError });
    const u = new URL(config.databaseUrl);
    return { db, description: `${u.host}${u.pathname}`, close: () => db.destroy() };
  }
  const embedded = await startEmbedded({ dir: config.dataDir, port: config.embeddedPgPort });
  await createDatabaseIfMissing(embedded.adminUrl, EMBEDDED_DB_NAME);
  const db = connect({
    url: embedded.urlFor(EMBEDDED_DB_NAME),
    poolMax: config.dbPoolMax,
    onPoolError,
  });
  return {
    db,
    description: `embedded PostgreSQL in ${config.dataDir} (port ${config.embeddedPgPort})`,
    close: async () => {
      await db.destroy();
      await embedded.stop();
    },
  };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string, template?: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount) return;
    const ident = client.escapeIdentifier(name);
    const from = template ? ` template ${client.escapeIdentifier(template)}` : '';
    await client.query(`create database ${ident}${from}`);
  } finally {
    await client.end();
  }
}
