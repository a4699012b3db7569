import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Survey rounds in PostgreSQL: a round and its quotas are written together;
// progress counts the responses entered for the round, suspect ones left out.

export interface RoundRecord {
  id: number;
  unitId: number;
  unitName: string;
  /** Materialised path of the round's unit, for scope checks with canReach(). */
  unitPath: string;
  code: string;
  surveyVersionId: number;
  surveyCode: string;
  surveyVersion: number;
  /** 'yyyy-mm-dd' */
  fieldworkFrom: string;
  fieldworkTo: string;
  referenceFrom: string | null;
  referenceTo: string | null;
  population: number;
  populationSource: 'volumes' | 'typed';
  margin: number;
  allocation: 'proportional' | 'equal';
  createdAt: Date;
}

export interface RoundWrite {
  unitId: number;
  code: string;
  surveyVersionId: number;
  fieldworkFrom: string;
  fieldworkTo: string;
  referenceFrom: string | null;
  referenceTo: string | null;
  population: number;
  populationSource: 'volumes' | 'typed';
  margin: number;
  allocation: 'proportional' | 'equal';
  quotas: readonly { code: string; quota: number }[];
}

const day = (column: string) => sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;

function selectRounds(db: Db) {
  return db
    .selectFrom('survey_round as r')
    .innerJoin('unit as u', 'u.id', 'r.unit_id')
    .innerJoin('survey_version as v', 'v.id', 'r.survey_version_id')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select([
      'r.id',
      'r.unit_id as unitId',
      'u.name as unitName',
      'u.path as unitPath',
      'r.code',
      'r.survey_version_id as surveyVersionId',
      's.code as surveyCode',
      'v.version as surveyVersion',
      // pg would turn a date into a Date at the server's local midnight.
      day('r.fieldwork_from').as('fieldworkFrom'),
      day('r.fieldwork_to').as('fieldworkTo'),
      sql<string | null>`to_char(r.reference_from, 'YYYY-MM-DD')`.as('referenceFrom'),
      sql<string | null>`to_char(r.reference_to, 'YYYY-MM-DD')`.as('referenceTo'),
      'r.population',
      'r.population_source as populationSource',
      sql<number>`r.margin::float8`.as('margin'),
      'r.allocation',
      'r.created_at as createdAt',
    ]);
}

/** Rounds of units under `scopePath`, newest fieldwork first. */
export async function listRoundsInSubtree(db: Db, scopePath: string): Promise<RoundRecord[]> {
  return selectRounds(db)
    .where('u.path', 'like', `${scopePath}%`)
    .orderBy('r.fieldwork_from', 'desc')
    .orderBy('r.id', 'desc')
    .execute();
}

/** Rounds of units under `scopePath` and rounds above it that cover it, newest fieldwork first. */
export async function listRoundsAround(db: Db, scopePath: string): Promise<RoundRecord[]> {
  return selectRounds(db)
    .where((eb) => eb.or([eb('u.path', 'like', `${scopePath}%`), sql<boolean>`starts_with(${scopePath}, u.path)`]))
    .orderBy('r.fieldwork_from', 'desc')
    .orderBy('r.id', 'desc')
    .execute();
}

/** A round by id; the caller checks the actor's scope. */
export async function findRound(db: Db, id: number): Promise<RoundRecord | undefined> {
  return selectRounds(db).where('r.id', '=', id).executeTakeFirst();
}

/** The round of this code whose subtree holds the unit at `unitPath`: the nearest, if units at two levels share a code. */
export async function findRoundForUnit(db: Db, code: string, unitPath: string): Promise<RoundRecord | undefined> {
  return selectRounds(db)
    .where('r.code', '=', code)
    .where(sql<boolean>`starts_with(${unitPath}, u.path)`)
    .orderBy(sql`length(u.path)`, 'desc')
    .executeTakeFirst();
}

export async function roundCodeTaken(db: Db, unitId: number, code: string): Promise<boolean> {
  const row = await db
    .selectFrom('survey_round')
    .select('id')
    .where('unit_id', '=', unitId)
    .where('code', '=', code)
    .executeTakeFirst();
  return row !== undefined;
}

/** The round and its quotas; the caller holds the transaction. */
export async function insertRound(db: Db, r: RoundWrite, byUserId: number | null): Promise<number> {
  const { id } = await db
    .insertInto('survey_round')
    .values({
      unit_id: r.unitId,
      code: r.code,
      survey_version_id: r.surveyVersionId,
      fieldwork_from: r.fieldworkFrom,
      fieldwork_to: r.fieldworkTo,
      reference_from: r.referenceFrom,
      reference_to: r.referenceTo,
      population: r.population,
      population_source: r.populationSource,
      margin: r.margin.toFixed(4),
      allocation: r.allocation,
      created_by: byUserId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replaceQuotas(db, id, r.quotas);
  return id;
}

export async function roundQuotas(db: Db, roundId: number): Promise<{ code: string; quota: number }[]> {
  return db
    .selectFrom('survey_round_quota')
    .select(['service_area_code as code', 'quota'])
    .where('round_id', '=', roundId)
    .orderBy('service_area_code')
    .execute();
}

/** Sets the quotas of a round to `quotas`, areas not named removed; the caller holds the transaction. */
export async function replaceQuotas(
  db: Db,
  roundId: number,
  quotas: readonly { code: string; quota: number }[],
): Promise<void> {
  await db.deleteFrom('survey_round_quota').where('round_id', '=', roundId).execute();
  if (quotas.length === 0) return;
  await db
    .insertInto('survey_round_quota')
    .values(quotas.map((q) => ({ round_id: roundId, service_area_code: q.code, quota: q.quota })))
    .execute();
}

/** Responses entered for the round by service area, suspect ones left out (methodology §3). */
export async function roundProgress(db: Db, roundId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('response')
    .select(['service_area_code as code', sql<number>`count(*)::int`.as('n')])
    .where('round_id', '=', roundId)
    .where('suspect', '=', false)
    .groupBy('service_area_code')
    .execute();
  return new Map(rows.map((r) => [r.code, r.n]));
}

/** Service areas the active desks of the subtree serve: where a round finds its respondents. */
export async function servedAreasInSubtree(db: Db, scopePath: string): Promise<string[]> {
  const rows = await db
    .selectFrom('desk_service_area as da')
    .innerJoin('desk as d', 'd.id', 'da.desk_id')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select('da.service_area_code as code')
    .distinct()
    .where('u.path', 'like', `${scopePath}%`)
    .where('d.active', '=', true)
    .execute();
  return rows.map((r) => r.code);
}
