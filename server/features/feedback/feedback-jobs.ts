import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';

// feedback.overdue has no transaction of its own to be written in: an item
// becomes overdue when its deadline passes. Every worker sweeps each minute;
// feedback_record_overdue() (migration 2026-12-05T2305) records the event
// once per item however many sweep at the same moment.

const SWEEP_MS = 60_000;

/** Records feedback.overdue for items whose deadline has passed since the last sweep; how many. */
export async function recordOverdueItems(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select feedback_record_overdue() as n`.execute(db);
  return rows[0]?.n ?? 0;
}

export function feedbackJobs({ db }: BackgroundDeps): BackgroundPart {
  return { periodic: [{ everyMs: SWEEP_MS, run: () => recordOverdueItems(db) }] };
}
