import type { Config } from '../config.ts';
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
