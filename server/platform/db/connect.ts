import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface ConnectOptions {
  url: string;
  poolMax?: number;
  /** Called when an idle client errors (e.g. the server restarted). */
  onPoolError?: (err: Error) => void;
  /** Names the pool's sessions in pg_stat_activity (the replica's reads are told apart). */
  applicationName?: string;
}

export function connect({ url, poolMax = 10, onPoolError, applicationName = 'hai-long' }: ConnectOptions): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // Server-side guards: a stuck statement or an abandoned transaction must
    // not hold a connection forever.
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: applicationName,
  });
  // Without a listener an idle client's error would crash the process.
  pool.on('error', (err) => onPoolError?.(err));
  // pg-pool listens only to idle clients. A checked-out client whose
  // connection dies (the database restarted mid-transaction) still emits
  // 'error' after failing its query, and with no listener that event kills
  // the process (seen in the fault suite). The failed query already reaches
  // the request as a 503, and the pool drops the broken client on release,
  // so this listener only has to exist.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
