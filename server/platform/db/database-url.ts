import type { Config } from '../config.ts';
import { EMBEDDED_DB_NAME } from './database.ts';
import { startEmbedded } from './embedded.ts';

/**
 * The address of the application database, for connections of their own
 * (the job runner's pool and its LISTEN): DATABASE_URL, or the embedded
 * cluster, which server.ts started before (startEmbedded reuses a running
 * one; `npm run worker` beside a server with an embedded database does too).
 */
export async function databaseUrlOf(config: Config): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  const embedded = await startEmbedded({ dir: config.dataDir, port: config.embeddedPgPort });
  return embedded.urlFor(EMBEDDED_DB_NAME);
}
