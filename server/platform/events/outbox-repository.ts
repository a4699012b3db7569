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
