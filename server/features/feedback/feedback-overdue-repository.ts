import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

/** Records feedback.overdue for items whose deadline has passed since the last sweep; how many (feedback-jobs.ts). */
export async function recordOverdueItems(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select feedback_record_overdue() as n`.execute(db);
  return rows[0]?.n ?? 0;
}
