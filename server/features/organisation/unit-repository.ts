import type { Db } from '../../platform/db/connect.ts';
import type { NewUnit } from '../../platform/db/schema.ts';

export async function countUnits(db: Db): Promise<number> {
  const row = await db
    .selectFrom('unit')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findUnitId(db: Db, code: string): Promise<number | undefined> {
  const row = await db.selectFrom('unit').select('id').where('code', '=', code).executeTakeFirst();
  return row?.id;
}

export async function insertUnit(db: Db, unit: NewUnit): Promise<number> {
  const row = await db.insertInto('unit').values(unit).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export interface UnitRecord {
  id: number;
  code: string;
  name: string;
  kind: 'province' | 'commune' | 'centre' | 'other';
  parentId: number | null;
  /** Materialised path, for scope checks with canReach(). */
  path: string;
  active: boolean;
}

/** A unit by id, active or not; the caller checks the actor's scope. */
export async function findUnit(db: Db, id: number): Promise<UnitRecord | undefined> {
  return db
    .selectFrom('unit')
    .select(['id', 'code', 'name', 'kind', 'parent_id as parentId', 'path', 'active'])
    .where('id', '=', id)
    .executeTakeFirst();
}
