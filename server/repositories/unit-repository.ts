import type { Db } from '../db/connect.ts';
import type { NewUnit } from '../db/schema.ts';

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
