import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { Channel } from '../../platform/db/schema.ts';

export interface ApiPrincipal {
  keyId: number;
  unitId: number;
  /** The unit's materialised path: the key reaches this unit and everything below. */
  unitPath: string;
  /** `submit`: posts responses (kiosk apps, one-stop software) and nothing else. */
  role: 'official' | 'manager' | 'submit';
  /** The channels a submit key may post on; empty for the other roles. */
  channels: Channel[];
}

export async function insertApiKey(
  db: Db,
  k: {
    unitId: number;
    role: ApiPrincipal['role'];
    channels?: Channel[];
    label: string;
    keyPrefix: string;
    keyHash: string;
  },
): Promise<number> {
  const row = await db
    .insertInto('api_key')
    .values({
      unit_id: k.unitId,
      role: k.role,
      channels: k.channels ?? [],
      label: k.label,
      key_prefix: k.keyPrefix,
      key_hash: k.keyHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findActiveKey(db: Db, keyHash: string): Promise<ApiPrincipal | undefined> {
  return db
    .selectFrom('api_key as k')
    .innerJoin('unit as u', 'u.id', 'k.unit_id')
    .select(['k.id as keyId', 'k.unit_id as unitId', 'u.path as unitPath', 'k.role', 'k.channels'])
    .where('k.key_hash', '=', keyHash)
    .where('k.revoked_at', 'is', null)
    .where('u.active', '=', true)
    .executeTakeFirst();
}

export interface ApiKeyListing {
  id: number;
  unitId: number;
  role: ApiPrincipal['role'];
  channels: Channel[];
  label: string;
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

function selectKeys(db: Db) {
  return db
    .selectFrom('api_key')
    .select([
      'id',
      'unit_id as unitId',
      'role',
      'channels',
      'label',
      'key_prefix as keyPrefix',
      'created_at as createdAt',
      'revoked_at as revokedAt',
    ]);
}

/** A unit's own keys (not its subtree's), newest first; never the hash. */
export async function listUnitKeys(db: Db, unitId: number): Promise<ApiKeyListing[]> {
  return selectKeys(db).where('unit_id', '=', unitId).orderBy('id', 'desc').execute();
}

export async function findKeyById(db: Db, id: number): Promise<ApiKeyListing | undefined> {
  return selectKeys(db).where('id', '=', id).executeTakeFirst();
}

/** True when this call revoked the key; false when it already was. */
export async function revokeKey(db: Db, id: number): Promise<boolean> {
  const rows = await db
    .updateTable('api_key')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length > 0;
}
