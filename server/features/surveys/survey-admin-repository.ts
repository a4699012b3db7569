import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Survey versions as staff see and publish them, and which survey a unit's
// subtree or a desk uses. Published rows are only ever inserted: the
// database refuses UPDATE and DELETE on survey_version.

export interface VersionRow {
  id: number;
  surveyId: number;
  surveyCode: string;
  version: number;
  publishedAt: Date;
  /** Null for the instruments shipped with the platform. */
  publishedBy: string | null;
  wordingChangedKeys: string[];
  /** The stored definition, already validated when it was published. */
  definition: unknown;
}

function selectVersions(db: Db) {
  return db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .leftJoin('app_user as a', 'a.id', 'v.published_by')
    .select([
      'v.id',
      's.id as surveyId',
      's.code as surveyCode',
      'v.version',
      'v.published_at as publishedAt',
      'a.name as publishedBy',
      'v.wording_changed_keys as wordingChangedKeys',
      'v.definition',
    ]);
}

/** Every version of every survey, newest version first within a survey. */
export async function listAllVersions(db: Db): Promise<VersionRow[]> {
  return selectVersions(db).orderBy('s.code').orderBy('v.version', 'desc').execute();
}

/** Every version of one survey, oldest first. */
export async function listVersionsOf(db: Db, surveyCode: string): Promise<VersionRow[]> {
  return selectVersions(db).where('s.code', '=', surveyCode).orderBy('v.version').execute();
}

/**
 * Locks a survey's row until the transaction ends, so that two people
 * publishing at once get versions N+1 and N+2 judged against each other,
 * not two clashing N+1.
 */
export async function lockSurvey(db: Db, surveyCode: string): Promise<{ id: number } | undefined> {
  return db.selectFrom('survey').select('id').where('code', '=', surveyCode).forUpdate().executeTakeFirst();
}

export async function insertVersion(
  db: Db,
  v: { surveyId: number; version: number; definition: unknown; publishedBy: number; wordingChangedKeys: string[] },
): Promise<number> {
  const row = await db
    .insertInto('survey_version')
    .values({
      survey_id: v.surveyId,
      version: v.version,
      definition: JSON.stringify(v.definition),
      published_by: v.publishedBy,
      wording_changed_keys: v.wordingChangedKeys,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ScopedUnit {
  id: number;
  code: string;
  name: string;
  path: string;
}

/** Active units at or below `scopePath`, parents before children. */
export async function listUnitsIn(db: Db, scopePath: string): Promise<ScopedUnit[]> {
  return db
    .selectFrom('unit')
    .select(['id', 'code', 'name', 'path'])
    .where('path', 'like', `${scopePath}%`)
    .where('active', '=', true)
    .orderBy('path')
    .execute();
}

export interface ScopedDesk {
  id: number;
  code: string;
  name: string;
  unitName: string;
  /** The survey set on the desk itself, if any. */
  surveyCode: string | null;
}

/** Active desks of active units at or below `scopePath`. */
export async function listDesksIn(db: Db, scopePath: string): Promise<ScopedDesk[]> {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .leftJoin('survey as s', 's.id', 'd.survey_id')
    .select(['d.id', 'd.code', 'd.name', 'u.name as unitName', 's.code as surveyCode'])
    .where('u.path', 'like', `${scopePath}%`)
    .where('d.active', '=', true)
    .where('u.active', '=', true)
    .orderBy('u.path')
    .orderBy('d.code')
    .execute();
}

export interface AssignmentRow {
  unitId: number;
  unitName: string;
  serviceArea: string | null;
  serviceAreaName: string | null;
  surveyCode: string;
  assignedAt: Date;
}

/** Unit assignments at or below `scopePath`, of one survey. */
export async function listAssignmentsIn(db: Db, scopePath: string, surveyId: number): Promise<AssignmentRow[]> {
  return db
    .selectFrom('survey_assignment as sa')
    .innerJoin('unit as u', 'u.id', 'sa.unit_id')
    .innerJoin('survey as s', 's.id', 'sa.survey_id')
    .leftJoin('service_area as a', 'a.code', 'sa.service_area_code')
    .select([
      'u.id as unitId',
      'u.name as unitName',
      'sa.service_area_code as serviceArea',
      'a.name_vi as serviceAreaName',
      's.code as surveyCode',
      'sa.assigned_at as assignedAt',
    ])
    .where('u.path', 'like', `${scopePath}%`)
    .where('sa.survey_id', '=', surveyId)
    .orderBy('u.path')
    .orderBy('sa.service_area_code')
    .execute();
}

/** One assignment per unit and area (null = all areas): a new choice replaces the old. */
export async function upsertAssignment(
  db: Db,
  a: { unitId: number; serviceArea: string | null; surveyId: number; assignedBy: number },
): Promise<void> {
  await db
    .insertInto('survey_assignment')
    .values({
      unit_id: a.unitId,
      service_area_code: a.serviceArea,
      survey_id: a.surveyId,
      assigned_by: a.assignedBy,
    })
    .onConflict((oc) =>
      oc.columns(['unit_id', 'service_area_code']).doUpdateSet({
        survey_id: a.surveyId,
        assigned_by: a.assignedBy,
        assigned_at: new Date(),
      }),
    )
    .execute();
}

/** Removes a unit's assignment of this survey; false when there was none. */
export async function deleteAssignment(
  db: Db,
  a: { unitId: number; serviceArea: string | null; surveyId: number },
): Promise<boolean> {
  const result = await db
    .deleteFrom('survey_assignment')
    .where('unit_id', '=', a.unitId)
    .where((eb) =>
      a.serviceArea === null ? eb('service_area_code', 'is', null) : eb('service_area_code', '=', a.serviceArea),
    )
    .where('survey_id', '=', a.surveyId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function findSurveyId(db: Db, surveyCode: string): Promise<number | undefined> {
  const row = await db.selectFrom('survey').select('id').where('code', '=', surveyCode).executeTakeFirst();
  return row?.id;
}

export async function setDeskSurvey(db: Db, deskId: number, surveyId: number): Promise<void> {
  await db.updateTable('desk').set({ survey_id: surveyId }).where('id', '=', deskId).execute();
}

/** Hands a desk's choice back to its units, if the desk had this survey; false otherwise. */
export async function clearDeskSurvey(db: Db, deskId: number, surveyId: number): Promise<boolean> {
  const result = await db
    .updateTable('desk')
    .set({ survey_id: null })
    .where('id', '=', deskId)
    .where('survey_id', '=', surveyId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * The survey assigned to the nearest unit at or above `unitPath` ('/1/7/42/'),
 * preferring, at the same unit, an assignment for `serviceArea` over one for
 * all areas. Undefined when no unit above has chosen.
 */
export async function findAssignedSurveyCode(
  db: Db,
  unitPath: string,
  serviceArea: string | null,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('survey_assignment as sa')
    .innerJoin('unit as u', 'u.id', 'sa.unit_id')
    .innerJoin('survey as s', 's.id', 'sa.survey_id')
    .select('s.code')
    .where(sql<boolean>`starts_with(${unitPath}, u.path)`)
    .where((eb) =>
      serviceArea === null
        ? eb('sa.service_area_code', 'is', null)
        : eb.or([eb('sa.service_area_code', 'is', null), eb('sa.service_area_code', '=', serviceArea)]),
    )
    .orderBy(sql`length(u.path)`, 'desc')
    .orderBy(sql`sa.service_area_code is null`)
    .limit(1)
    .executeTakeFirst();
  return row?.code;
}
