import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Which survey a unit's subtree or a desk uses (assignments), and the
// units and desks an assignment can name.
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
