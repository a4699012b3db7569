import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { UnitTable } from '../../platform/db/schema.ts';

// Reads and writes behind the staff pages for units and desks. Scope checks
// happen in the service; list queries filter by path so that nothing outside
// the actor's subtree ever leaves the database.

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

export interface DeskRow {
  id: number;
  code: string;
  name: string;
  active: boolean;
  serviceAreas: string[];
}

const deskAreas = sql<string[]>`coalesce(
  (select array_agg(dsa.service_area_code order by a.sort_order, a.code)
     from desk_service_area dsa join service_area a on a.code = dsa.service_area_code
    where dsa.desk_id = d.id),
  '{}')`;

export async function listUnitDesks(db: Db, unitId: number): Promise<DeskRow[]> {
  return db
    .selectFrom('desk as d')
    .select(['d.id', 'd.code', 'd.name', 'd.active', deskAreas.as('serviceAreas')])
    .where('d.unit_id', '=', unitId)
    .orderBy('d.active', 'desc')
    .orderBy('d.code')
    .execute();
}

export interface DeskAdminRecord extends DeskRow {
  unitId: number;
  unitName: string;
  unitPath: string;
  unitActive: boolean;
}

export async function findDesk(db: Db, id: number): Promise<DeskAdminRecord | undefined> {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select([
      'd.id',
      'd.code',
      'd.name',
      'd.active',
      deskAreas.as('serviceAreas'),
      'u.id as unitId',
      'u.name as unitName',
      'u.path as unitPath',
      'u.active as unitActive',
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
}

/** The new desk's id, or undefined when the code is taken (race-safe). */
export async function insertDeskOnce(
  db: Db,
  d: { unitId: number; code: string; name: string; serviceAreas: string[] },
): Promise<number | undefined> {
  const row = await db
    .insertInto('desk')
    .values({ unit_id: d.unitId, code: d.code, name: d.name, survey_id: null })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row) await insertDeskAreas(db, row.id, d.serviceAreas);
  return row?.id;
}

async function insertDeskAreas(db: Db, deskId: number, areas: string[]): Promise<void> {
  if (!areas.length) return;
  await db
    .insertInto('desk_service_area')
    .values(areas.map((service_area_code) => ({ desk_id: deskId, service_area_code })))
    .execute();
}

export async function updateDesk(db: Db, id: number, set: { name?: string; active?: boolean }): Promise<void> {
  await db.updateTable('desk').set(set).where('id', '=', id).execute();
}

export async function replaceDeskAreas(db: Db, deskId: number, areas: string[]): Promise<void> {
  await db.deleteFrom('desk_service_area').where('desk_id', '=', deskId).execute();
  await insertDeskAreas(db, deskId, areas);
}
