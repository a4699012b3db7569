import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Invitations to rate on a counter tablet: one open invitation per desk at
// a time, announced to every server process with pg_notify in the
// invitation's own transaction (so a process is woken only for what has
// been committed), and read by the tablet that waits for it.

/** The NOTIFY channel; the payload is the desk id. */
export const INVITATION_CHANNEL = 'kiosk_invitation';

// Two-integer advisory locks, a class of their own (see transaction-code-repository.ts).
const INVITE_LOCK_CLASS = 0x484c4b49; // 'HLKI'

export interface OpenInvitation {
  /** bigserial; far below 2^53, sent as a JSON number. */
  id: number;
  serviceArea: string;
  expiresAt: Date;
}

/** Invitations for one desk take turns, so that the newest one is the only one left open. */
export async function lockDeskInvitations(trx: Db, deskId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${INVITE_LOCK_CLASS}::int, ${deskId}::int)`.execute(trx);
}

/** Whether the desk has a paired tablet that has not been revoked. */
export async function hasActiveDevice(db: Db, deskId: number): Promise<boolean> {
  const row = await db
    .selectFrom('kiosk_device')
    .select('id')
    .where('desk_id', '=', deskId)
    .where('revoked_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends the desk's open invitations now (a newer one supersedes them); how many. */
export async function expireOpenInvitations(trx: Db, deskId: number, now: Date): Promise<number> {
  const result = await trx
    .updateTable('kiosk_invitation')
    .set({ expires_at: now })
    .where('desk_id', '=', deskId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertInvitation(
  trx: Db,
  i: { deskId: number; serviceArea: string; expiresAt: Date; userId: number | null; keyId: number | null },
): Promise<OpenInvitation> {
  const row = await trx
    .insertInto('kiosk_invitation')
    .values({
      desk_id: i.deskId,
      service_area_code: i.serviceArea,
      expires_at: i.expiresAt,
      created_by_user_id: i.userId,
      created_by_key_id: i.keyId,
    })
    .returning(['id', 'service_area_code', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), serviceArea: row.service_area_code, expiresAt: row.expires_at };
}

/** Sent when the transaction commits, to every process listening (none is woken for a rollback). */
export async function notifyDesk(trx: Db, deskId: number): Promise<void> {
  await sql`select pg_notify(${INVITATION_CHANNEL}, ${String(deskId)})`.execute(trx);
}

/** The desk's open invitation newer than `after`, if there is one (at most one is open). */
export async function findOpenInvitation(db: Db, deskId: number, after: number): Promise<OpenInvitation | undefined> {
  const row = await db
    .selectFrom('kiosk_invitation')
    .select(['id', 'service_area_code', 'expires_at'])
    .where('desk_id', '=', deskId)
    .where('id', '>', String(after))
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { id: Number(row.id), serviceArea: row.service_area_code, expiresAt: row.expires_at };
}

/** The newest open invitation's id of each desk that has one: one query for every waiting tablet. */
export async function newestOpenInvitations(db: Db, deskIds: number[]): Promise<Map<number, number>> {
  if (!deskIds.length) return new Map();
  const rows = await db
    .selectFrom('kiosk_invitation')
    .select(['desk_id', sql<string>`max(id)`.as('id')])
    .where('desk_id', 'in', deskIds)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .groupBy('desk_id')
    .execute();
  return new Map(rows.map((r) => [r.desk_id, Number(r.id)]));
}
