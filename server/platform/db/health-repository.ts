import { sql } from 'kysely';
import type { Db } from './connect.ts';

/** Resolves when the database answers within `timeoutMs`, rejects otherwise. */
export async function pingDatabase(db: Db, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('database did not answer in time')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
