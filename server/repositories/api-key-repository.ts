import type { Db } from '../db/connect.ts';

export interface ApiPrincipal {
  keyId: number;
  unitId: number;
  /** The unit's materialised path: the key reaches this unit and everything below. */
  unitPath: string;
  role: 'official' | 'manager';
}

export async function insertApiKey(
  db: Db,
  k: { unitId: number; role: ApiPrincipal['role']; label: string; keyPrefix: string; keyHash: string },
): Promise<number> {
  const row = await db
    .insertInto('api_key')
    .values({ unit_id: k.unitId, role: k.role, label: k.label, key_prefix: k.keyPrefix, key_hash: k.keyHash })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findActiveKey(db: Db, keyHash: string): Promise<ApiPrincipal | undefined> {
  return db
    .selectFrom('api_key as k')
    .innerJoin('unit as u', 'u.id', 'k.unit_id')
    .select(['k.id as keyId', 'k.unit_id as unitId', 'u.path as unitPath', 'k.role'])
    .where('k.key_hash', '=', keyHash)
    .where('k.revoked_at', 'is', null)
    .where('u.active', '=', true)
    .executeTakeFirst();
}
