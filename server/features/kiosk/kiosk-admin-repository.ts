import type { Db } from '../../platform/db/connect.ts';

// Pairing codes, paired tablets and the desk's kiosk settings as managers
// and the pairing step see them. Only hashes of codes and credentials are
// ever written here.

export interface KioskDesk {
  id: number;
  code: string;
  name: string;
  active: boolean;
  unitId: number;
  unitName: string;
  unitActive: boolean;
  /** Materialised path of the desk's unit, for scope checks. */
  unitPath: string;
  idleSeconds: number;
}

function deskQuery(db: Db) {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select([
      'd.id',
      'd.code',
      'd.name',
      'd.active',
      'd.unit_id as unitId',
      'u.name as unitName',
      'u.active as unitActive',
      'u.path as unitPath',
      'd.kiosk_idle_seconds as idleSeconds',
    ]);
}

export function findKioskDeskById(db: Db, id: number): Promise<KioskDesk | undefined> {
  return deskQuery(db).where('d.id', '=', id).executeTakeFirst();
}

export function findKioskDeskByCode(db: Db, code: string): Promise<KioskDesk | undefined> {
  return deskQuery(db).where('d.code', '=', code).executeTakeFirst();
}

/** Holds the desk's row until the transaction ends: parallel pairings count each other. */
export async function lockDesk(db: Db, deskId: number): Promise<void> {
  await db.selectFrom('desk').select('id').where('id', '=', deskId).forUpdate().execute();
}

export async function countOpenPairings(db: Db, deskId: number, now: Date): Promise<number> {
  const row = await db
    .selectFrom('kiosk_pairing')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('desk_id', '=', deskId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface Issuer {
  userId: number | null;
  keyId: number | null;
}

/** The new pairing's id, or undefined when the hash is already taken (an old code: draw another). */
export async function insertPairing(
  db: Db,
  p: { deskId: number; codeHash: string; expiresAt: Date; by: Issuer },
): Promise<number | undefined> {
  const row = await db
    .insertInto('kiosk_pairing')
    .values({
      desk_id: p.deskId,
      code_hash: p.codeHash,
      expires_at: p.expiresAt,
      created_by_user_id: p.by.userId,
      created_by_key_id: p.by.keyId,
    })
    .onConflict((oc) => oc.column('code_hash').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export interface ClaimedPairing {
  id: number;
  deskId: number;
  by: Issuer;
}

/**
 * Marks a valid code used, in the same statement that checks it: of two
 * tablets entering one code at once, one gets it. Unknown, used, expired,
 * or for a desk (or unit) no longer active: undefined, whichever it was.
 */
export async function claimPairing(db: Db, codeHash: string, now: Date): Promise<ClaimedPairing | undefined> {
  const row = await db
    .updateTable('kiosk_pairing as p')
    .set({ used_at: now })
    .where('p.code_hash', '=', codeHash)
    .where('p.used_at', 'is', null)
    .where('p.expires_at', '>', now)
    .where('p.desk_id', 'in', (eb) =>
      eb
        .selectFrom('desk as d')
        .innerJoin('unit as u', 'u.id', 'd.unit_id')
        .select('d.id')
        .where('d.active', '=', true)
        .where('u.active', '=', true),
    )
    .returning(['p.id', 'p.desk_id as deskId', 'p.created_by_user_id as userId', 'p.created_by_key_id as keyId'])
    .executeTakeFirst();
  return row && { id: row.id, deskId: row.deskId, by: { userId: row.userId, keyId: row.keyId } };
}

export async function insertDevice(db: Db, d: { deskId: number; tokenHash: string; by: Issuer }): Promise<number> {
  const row = await db
    .insertInto('kiosk_device')
    .values({
      desk_id: d.deskId,
      token_hash: d.tokenHash,
      paired_by_user_id: d.by.userId,
      paired_by_key_id: d.by.keyId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function linkPairingDevice(db: Db, pairingId: number, deviceId: number): Promise<void> {
  await db.updateTable('kiosk_pairing').set({ device_id: deviceId }).where('id', '=', pairingId).execute();
}

export interface DeviceListing {
  id: number;
  deskId: number;
  deskCode: string;
  pairedAt: Date;
  lastSeenAt: Date | null;
  queued: number;
  revokedAt: Date | null;
}

function deviceQuery(db: Db) {
  return db
    .selectFrom('kiosk_device as k')
    .innerJoin('desk as d', 'd.id', 'k.desk_id')
    .select([
      'k.id',
      'k.desk_id as deskId',
      'd.code as deskCode',
      'k.paired_at as pairedAt',
      'k.last_seen_at as lastSeenAt',
      'k.queued',
      'k.revoked_at as revokedAt',
    ]);
}

/** A desk's tablets, the working ones first, then by pairing. */
export function listDeskDevices(db: Db, deskId: number): Promise<DeviceListing[]> {
  return deviceQuery(db)
    .where('k.desk_id', '=', deskId)
    .orderBy((eb) => eb('k.revoked_at', 'is not', null))
    .orderBy('k.id')
    .execute();
}

export function findDevice(db: Db, id: number): Promise<DeviceListing | undefined> {
  return deviceQuery(db).where('k.id', '=', id).executeTakeFirst();
}

/** False when the device was already revoked: a second revocation changes nothing. */
export async function revokeDevice(db: Db, id: number, by: Issuer, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('kiosk_device')
    .set({ revoked_at: now, revoked_by_user_id: by.userId, revoked_by_key_id: by.keyId })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

export async function setDeskIdleSeconds(db: Db, deskId: number, seconds: number): Promise<void> {
  await db.updateTable('desk').set({ kiosk_idle_seconds: seconds }).where('id', '=', deskId).execute();
}
