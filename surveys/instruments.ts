import { type SurveyDefinition, SurveyDefinitionSchema } from './schema.ts';
import { sipasFull } from './sipas-full.ts';
import { sipasQuick } from './sipas-quick.ts';

/** The survey a desk uses unless it is assigned another. */
export const DEFAULT_SURVEY_CODE = 'sipas-quick';

/**
 * The instruments shipped with the platform, validated by the same schema
 * that checks every published version. Importing this module fails loudly if
 * a shipped definition is invalid, so a bad edit never starts.
 */
export const SHIPPED_SURVEYS: readonly SurveyDefinition[] = [sipasQuick, sipasFull].map((def) => {
  const parsed = SurveyDefinitionSchema.safeParse(def);
  if (!parsed.success) {
    throw new Error(`Shipped survey ${def.code} is invalid: ${parsed.error.message}`);
  }
  return parsed.data;
});
