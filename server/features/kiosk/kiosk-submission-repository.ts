import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Queries of a counter tablet's answers (kiosk-submission-service.ts): its
// desk as the tablet shows it, the device's pace, and the one-time
// invitations its answers use up. The response itself is stored by the
// submission feature (store-responses.ts) in the same transaction.

export interface KioskDesk {
  code: string;
  name: string;
  unitName: string;
  idleSeconds: number;
  serviceAreas: { code: string; nameVi: string; nameEn: string }[];
}

/**
 * The desk of a paired tablet, active or not: answers queued while it was
 * active still count after it is closed. Only active service areas.
 */
export async function findKioskDesk(db: Db, deskId: number): Promise<KioskDesk | undefined> {
  const desk = await db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select(['d.code', 'd.name', 'u.name as unitName', 'd.kiosk_idle_seconds as idleSeconds'])
    .where('d.id', '=', deskId)
    .executeTakeFirst();
  if (!desk) return undefined;
  const serviceAreas = await db
    .selectFrom('desk_service_area as dsa')
    .innerJoin('service_area as a', 'a.code', 'dsa.service_area_code')
    .select(['a.code', 'a.name_vi as nameVi', 'a.name_en as nameEn'])
    .where('dsa.desk_id', '=', deskId)
    .where('a.active', '=', true)
    .orderBy('a.sort_order')
    .orderBy('a.code')
    .execute();
  return { ...desk, serviceAreas };
}

/**
 * Locks the device row for the rest of the transaction and reads when its
 * last answer was given: two answers of one tablet sent at once take turns,
 * so both cannot pass the kiosk_rapid check against the same old time.
 */
export async function lockDevicePace(trx: Db, deviceId: number): Promise<{ lastAnsweredAt: Date | null } | undefined> {
  return trx
    .selectFrom('kiosk_device')
    .select('last_answered_at as lastAnsweredAt')
    .where('id', '=', deviceId)
    .forUpdate()
    .executeTakeFirst();
}

/** Keeps the latest answer time of the device (a queue sent out of order never moves it back). */
export async function noteAnswered(trx: Db, deviceId: number, answeredAt: Date): Promise<void> {
  await trx
    .updateTable('kiosk_device')
    .set({ last_answered_at: sql<Date>`greatest(last_answered_at, ${answeredAt}::timestamptz)` })
    .where('id', '=', deviceId)
    .execute();
}

/**
 * Uses up an invitation of this desk that is still open; whether it did.
 * At most once: the row is updated only while used_at is null.
 */
export async function useInvitation(
  trx: Db,
  q: { invitationId: string; deskId: number; serviceArea: string; deviceId: number; now: Date },
): Promise<boolean> {
  const result = await trx
    .updateTable('kiosk_invitation')
    .set({ used_at: q.now, used_by_device_id: q.deviceId })
    .where('id', '=', q.invitationId)
    .where('desk_id', '=', q.deskId)
    // The invitation is for one transaction of one area: a rating of another area is not that transaction.
    .where('service_area_code', '=', q.serviceArea)
    .where('used_at', 'is', null)
    .where('expires_at', '>', q.now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
