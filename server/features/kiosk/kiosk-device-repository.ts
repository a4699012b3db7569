import type { Db } from '../../platform/db/connect.ts';

// The paired tablets as the kiosk's own requests see them: found by the hash
// of their credential, with their desk; their contact noted.

export interface KioskDevice {
  id: number;
  deskId: number;
  deskCode: string;
  unitId: number;
  /** Materialised path of the desk's unit. */
  unitPath: string;
  revoked: boolean;
  lastAnsweredAt: Date | null;
}

export async function findDeviceByTokenHash(db: Db, tokenHash: string): Promise<KioskDevice | undefined> {
  const row = await db
    .selectFrom('kiosk_device as k')
    .innerJoin('desk as d', 'd.id', 'k.desk_id')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select([
      'k.id',
      'k.desk_id as deskId',
      'd.code as deskCode',
      'd.unit_id as unitId',
      'u.path as unitPath',
      'k.revoked_at',
      'k.last_answered_at as lastAnsweredAt',
    ])
    .where('k.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { revoked_at, ...rest } = row;
  return { ...rest, revoked: revoked_at !== null };
}

/** Last contact, and the queue length the tablet reports (clamped: a number it sends, not one we trust). */
export async function noteContact(db: Db, deviceId: number, queued?: number): Promise<void> {
  await db
    .updateTable('kiosk_device')
    .set({
      last_seen_at: new Date(),
      ...(queued === undefined ? {} : { queued: Math.max(0, Math.min(100_000, Math.trunc(queued))) }),
    })
    .where('id', '=', deviceId)
    .execute();
}
