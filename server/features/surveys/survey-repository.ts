import { type SurveyDefinition, SurveyDefinitionSchema } from '../../../surveys/schema.ts';
import type { Db } from '../../platform/db/connect.ts';

export interface PublishedVersion {
  id: number;
  surveyCode: string;
  version: number;
  publishedAt: Date;
  definition: SurveyDefinition;
}

// Published versions never change, so a parsed definition can be kept for
// the life of the process.
const parsedById = new Map<number, SurveyDefinition>();

function parse(id: number, raw: unknown): SurveyDefinition {
  let def = parsedById.get(id);
  if (!def) {
    def = SurveyDefinitionSchema.parse(raw);
    parsedById.set(id, def);
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
    definition: parse(row.id, row.definition),
  };
}

/**
 * Publishes version 1 of each shipped instrument that the database does not
 * have yet. Later versions are published by people, never by a deploy.
 */
export async function ensureSurveys(db: Db, shipped: readonly SurveyDefinition[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const def of shipped) {
      await trx
        .insertInto('survey')
        .values({ code: def.code })
        .onConflict((oc) => oc.column('code').doNothing())
        .execute();
      const survey = await trx.selectFrom('survey').select('id').where('code', '=', def.code).executeTakeFirstOrThrow();
      await trx
        .insertInto('survey_version')
        .values({ survey_id: survey.id, version: 1, definition: JSON.stringify(def) })
        .onConflict((oc) => oc.columns(['survey_id', 'version']).doNothing())
        .execute();
    }
  });
}
