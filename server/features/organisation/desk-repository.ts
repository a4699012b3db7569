import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

export interface DeskContext {
  id: number;
  code: string;
  name: string;
  unitId: number;
  unitCode: string;
  unitName: string;
  /** Materialised path of the desk's unit, for scope checks. */
  unitPath: string;
  /** The unit above the centre (the commune or ward), when there is one. */
  parentName: string | null;
  surveyCode: string | null;
  serviceAreas: { code: string; nameVi: string; nameEn: string }[];
}

/** An active desk with what the survey page needs to show, or undefined. */
export async function findActiveDesk(db: Db, code: string): Promise<DeskContext | undefined> {
  const row = await db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .leftJoin('unit as p', 'p.id', 'u.parent_id')
    .leftJoin('survey as s', 's.id', 'd.survey_id')
    .select([
      'd.id',
      'd.code',
      'd.name',
      'u.id as unitId',
      'u.code as unitCode',
      'u.name as unitName',
      'u.path as unitPath',
      'p.name as parentName',
      's.code as surveyCode',
    ])
    .where('d.code', '=', code)
    .where('d.active', '=', true)
    .where('u.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const serviceAreas = await db
    .selectFrom('desk_service_area as dsa')
    .innerJoin('service_area as a', 'a.code', 'dsa.service_area_code')
    .select(['a.code', 'a.name_vi as nameVi', 'a.name_en as nameEn'])
    .where('dsa.desk_id', '=', row.id)
    .where('a.active', '=', true)
    .orderBy('a.sort_order')
    .orderBy('a.code')
    .execute();
  return { ...row, serviceAreas };
}

export interface DeskListing {
  code: string;
  name: string;
  unitCode: string;
  unitName: string;
  serviceAreas: string[];
}

export async function listDesks(db: Db): Promise<DeskListing[]> {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select([
      'd.code',
      'd.name',
      'u.code as unitCode',
      'u.name as unitName',
      sql<string[]>`coalesce(
        (select array_agg(dsa.service_area_code order by dsa.service_area_code)
           from desk_service_area dsa where dsa.desk_id = d.id),
        '{}')`.as('serviceAreas'),
    ])
    .where('d.active', '=', true)
    .orderBy('u.code')
    .orderBy('d.code')
    .execute();
}

export interface NewDeskWithAreas {
  unitId: number;
  code: string;
  name: string;
  serviceAreas: string[];
}

export async function insertDesk(db: Db, d: NewDeskWithAreas): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('desk')
      .values({ unit_id: d.unitId, code: d.code, name: d.name, survey_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (d.serviceAreas.length) {
      await trx
        .insertInto('desk_service_area')
        .values(d.serviceAreas.map((service_area_code) => ({ desk_id: id, service_area_code })))
        .execute();
    }
    return id;
  });
}

export interface DeskRecord {
  id: number;
  code: string;
  name: string;
  active: boolean;
  unitId: number;
  unitName: string;
  /** Materialised path of the desk's unit, for scope checks with canReach(). */
  unitPath: string;
  parentName: string | null;
  serviceAreas: string[];
}

/** A desk by id, active or not, with its unit; the caller checks the actor's scope. */
export async function findDeskById(db: Db, id: number): Promise<DeskRecord | undefined> {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .leftJoin('unit as p', 'p.id', 'u.parent_id')
    .select([
      'd.id',
      'd.code',
      'd.name',
      'd.active',
      'u.id as unitId',
      'u.name as unitName',
      'u.path as unitPath',
      'p.name as parentName',
      sql<string[]>`coalesce(
        (select array_agg(dsa.service_area_code order by dsa.service_area_code)
           from desk_service_area dsa where dsa.desk_id = d.id),
        '{}')`.as('serviceAreas'),
    ])
    .where('d.id', '=', id)
    .executeTakeFirst();
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
