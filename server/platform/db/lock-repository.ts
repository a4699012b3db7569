import { sql } from 'kysely';
import type { Db } from './connect.ts';

/**
 * Runs `fn` while holding a PostgreSQL advisory lock, on one connection that
 * `fn` receives, so that instances starting together do one-time work once.
 */
export async function withAdvisoryLock<T>(db: Db, key: number, fn: (conn: Db) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${key})`.execute(conn);
    try {
      return await fn(conn);
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}
