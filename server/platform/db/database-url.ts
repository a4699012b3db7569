import type { Config } from '../config.ts';
import { connect, type Db } from './connect.ts';
import { EMBEDDED_DB_NAME } from './database.ts';
import { startEmbedded } from './embedded.ts';

/**
 * The address of the application database for connections that hold a
 * session (the job runner's pool and its LISTEN, the cache listener):
 * DATABASE_DIRECT_URL when the pool goes through PgBouncer in transaction
 * mode, which would hand the session to other clients between transactions;
 * else DATABASE_URL; else the embedded cluster, which server.ts started
 * before (startEmbedded reuses a running one; `npm run worker` beside a
 * server with an embedded database does too).
 */
export async function databaseUrlOf(config: Config): Promise<string> {
  if (config.databaseUrl) return config.databaseDirectUrl ?? config.databaseUrl;
  const embedded = await startEmbedded({ dir: config.dataDir, port: config.embeddedPgPort });
  return embedded.urlFor(EMBEDDED_DB_NAME);
}

/**
 * Runs `fn` on the database itself when DATABASE_DIRECT_URL is set, else on
 * `pooled`. Migrations and the first-start work hold session-level advisory
 * locks: through PgBouncer in transaction mode the lock and its unlock can
 * land on different server connections, leaving the lock held (found by
 * `npm run test:cluster`: the next node to start then waited forever).
 */
export async function onDirectDatabase<T>(config: Config, pooled: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  if (!config.databaseDirectUrl) return fn(pooled);
  const direct = connect({ url: config.databaseDirectUrl, poolMax: 2 });
  try {
    return await fn(direct);
  } finally {
    await direct.destroy();
  }
}
