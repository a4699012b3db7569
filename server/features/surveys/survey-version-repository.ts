import type { ShippedVersion } from '../../../surveys/instruments.ts';
import { type SurveyDefinition, SurveyDefinitionSchema } from '../../../surveys/schema.ts';
import type { Db } from '../../platform/db/connect.ts';

// Survey versions: the published one citizens answer, and every version as
// staff see and publish them. Published rows are only ever inserted: the
// database refuses UPDATE and DELETE on survey_version.
export interface PublishedVersion {
  id: number;
  surveyCode: string;
  version: number;
  publishedAt: Date;
  definition: SurveyDefinition;
}

// Published versions never change, so a parsed definition can be kept for
// the life of the process; by database, because a version id means another
// survey in another database (a process that serves or tests several).
const parsedById = new WeakMap<object, Map<number, SurveyDefinition>>();

/** A stored version's definition, parsed once per database and id. */
export function parsedDefinition(db: object, id: number, raw: unknown): SurveyDefinition {
  let byId = parsedById.get(db);
  if (!byId) {
    byId = new Map();
    parsedById.set(db, byId);
  }
  let def = byId.get(id);
  if (!def) {
    def = SurveyDefinitionSchema.parse(raw);
    byId.set(id, def);
  }
  return def;
}

/** The newest published version of a survey, or undefined. */
export async function latestVersion(db: Db, surveyCode: string): Promise<PublishedVersion | undefined> {
  const row = await db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select(['v.id', 's.code', 'v.version', 'v.published_at', 'v.definition'])
    .where('s.code', '=', surveyCode)
    .orderBy('v.version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    surveyCode: row.code,
    version: row.version,
    publishedAt: row.published_at,
    definition: parsedDefinition(db, row.id, row.definition),
  };
}

/**
 * Publishes the shipped versions (instruments.ts) that the database lacks,
 * version k of the history as version k. A survey staff have published a
 * version of their own is left to them: a deploy never publishes over it.
 * Returns the codes left so, for the operator to see at start.
 */
export async function ensureSurveys(db: Db, shipped: readonly ShippedVersion[]): Promise<{ keptByStaff: string[] }> {
  const keptByStaff: string[] = [];
  await db.transaction().execute(async (trx) => {
    for (const code of new Set(shipped.map((v) => v.code))) {
      await trx
        .insertInto('survey')
        .values({ code })
        .onConflict((oc) => oc.column('code').doNothing())
        .execute();
      // Two instances starting together publish one after the other.
      const survey = await trx
        .selectFrom('survey')
        .select('id')
        .where('code', '=', code)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const existing = await trx
        .selectFrom('survey_version')
        .select(['version', 'published_by'])
        .where('survey_id', '=', survey.id)
        .execute();
      // Versions a deploy published have no publisher; staff's versions do.
      const shippedSoFar = existing.filter((e) => e.published_by === null).length;
      const missing = shipped.filter((v) => v.code === code && v.version > shippedSoFar);
      if (!missing.length) continue;
      if (existing.length > shippedSoFar) {
        keptByStaff.push(code);
        continue;
      }
      await trx
        .insertInto('survey_version')
        .values(
          missing.map((v) => ({
            survey_id: survey.id,
            version: v.version,
            definition: JSON.stringify(v.definition),
            wording_changed_keys: v.wordingChangedKeys,
          })),
        )
        .execute();
    }
  });
  return { keptByStaff };
}

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

export async function findSurveyId(db: Db, surveyCode: string): Promise<number | undefined> {
  const row = await db.selectFrom('survey').select('id').where('code', '=', surveyCode).executeTakeFirst();
  return row?.id;
}

/** Published versions by id, newest first (by publication), their definitions parsed once per process. */
export async function findVersions(db: Db, ids: readonly number[]): Promise<PublishedVersion[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select(['v.id', 's.code', 'v.version', 'v.published_at', 'v.definition'])
    .where('v.id', 'in', [...ids])
    .orderBy('v.published_at', 'desc')
    .orderBy('v.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    surveyCode: r.code,
    version: r.version,
    publishedAt: r.published_at,
    definition: parsedDefinition(db, r.id, r.definition),
  }));
}
