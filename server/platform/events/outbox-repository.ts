import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/**
 * outbox_record() (migration 2026-12-05T2200): the event row, and a delivery
 * row and a queued job for each webhook endpoint that wants it, in the
 * caller's transaction.
 */
export async function insertOutboxEvent(
  trx: Db,
  e: { event: string; unitId: number; data: Record<string, unknown> },
): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    select outbox_record(${e.event}, ${e.unitId}, ${JSON.stringify(e.data)}::jsonb) as id`.execute(trx);
  return rows[0]!.id;
}

export const OUTBOX_KEEP_DAYS = 30;
const PRUNE_BATCH = 5_000;

/** Deletes events older than OUTBOX_KEEP_DAYS before `now` whose deliveries are all settled; how many. */
export async function pruneOutbox(db: Db, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const { numAffectedRows } = await sql`
      delete from outbox_event where id in (
        select e.id from outbox_event e
         where e.created_at < ${now}::timestamptz - make_interval(days => ${OUTBOX_KEEP_DAYS})
           and not exists (select 1 from webhook_delivery d
                            where d.event_id = e.id and d.status in ('pending', 'sending'))
         limit ${PRUNE_BATCH})`.execute(db);
    const n = Number(numAffectedRows ?? 0);
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}
