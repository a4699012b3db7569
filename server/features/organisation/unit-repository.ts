import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { NewUnit, UnitTable } from '../../platform/db/schema.ts';

// Units (the tree of provinces, communes and their centres). List queries
// filter by path, so nothing outside the actor's subtree leaves the database;
// scope checks happen in the services.

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

export type UnitKind = UnitTable['kind'];

export interface UnitRow {
  id: number;
  code: string;
  name: string;
  kind: UnitKind;
  parentId: number | null;
  path: string;
  active: boolean;
  /** Desks of this unit only (not of its subtree). */
  desks: number;
  activeDesks: number;
}

function selectUnits(db: Db) {
  return db
    .selectFrom('unit as u')
    .select([
      'u.id',
      'u.code',
      'u.name',
      'u.kind',
      'u.parent_id as parentId',
      'u.path',
      'u.active',
      sql<number>`(select count(*)::int from desk d where d.unit_id = u.id)`.as('desks'),
      sql<number>`(select count(*)::int from desk d where d.unit_id = u.id and d.active)`.as('activeDesks'),
    ]);
}

/** The unit at `scopePath` and everything below it. */
export async function listSubtree(db: Db, scopePath: string): Promise<UnitRow[]> {
  return selectUnits(db).where('u.path', 'like', `${scopePath}%`).orderBy('u.path').execute();
}

export async function listChildren(db: Db, parentId: number): Promise<UnitRow[]> {
  return selectUnits(db).where('u.parent_id', '=', parentId).orderBy('u.name').execute();
}

/** The units above a path, top first (the unit itself excluded). */
export async function listAncestors(db: Db, path: string): Promise<{ id: number; name: string; path: string }[]> {
  return db
    .selectFrom('unit')
    .select(['id', 'name', 'path'])
    .where(sql<boolean>`${path} like path || '%'`)
    .where('path', '<>', path)
    .orderBy(sql`length(path)`)
    .execute();
}

export async function countActiveChildren(db: Db, parentId: number): Promise<number> {
  const row = await db
    .selectFrom('unit')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('parent_id', '=', parentId)
    .where('active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The new unit's id, or undefined when the code is taken (race-safe). */
export async function insertChildUnit(
  db: Db,
  u: { parentId: number | null; code: string; name: string; kind: UnitKind },
): Promise<number | undefined> {
  const row = await db
    .insertInto('unit')
    .values({ parent_id: u.parentId, code: u.code, name: u.name, kind: u.kind })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function updateUnit(db: Db, id: number, set: { name?: string; active?: boolean }): Promise<void> {
  await db.updateTable('unit').set(set).where('id', '=', id).execute();
}
