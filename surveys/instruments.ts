import { papiXa } from './papi-xa.ts';
import { type SurveyDefinition, SurveyDefinitionSchema } from './schema.ts';
import { sipasCounter } from './sipas-counter.ts';
import { sipasFull } from './sipas-full.ts';
import { sipasQuick, sipasQuickV1 } from './sipas-quick.ts';
import { wordingChanges } from './wording-changes.ts';

/** The survey a desk uses unless it is assigned another. */
export const DEFAULT_SURVEY_CODE = 'sipas-quick';

/** The survey every counter tablet uses, whatever the desk's own (sipas-counter.ts says why). */
export const KIOSK_SURVEY_CODE = 'sipas-counter';

function validated(def: SurveyDefinition | Parameters<typeof SurveyDefinitionSchema.parse>[0]): SurveyDefinition {
  const parsed = SurveyDefinitionSchema.safeParse(def);
  if (!parsed.success) {
    const code = (def as { code?: string }).code;
    throw new Error(`Shipped survey ${code} is invalid: ${parsed.error.message}`);
  }
  return parsed.data;
}

/**
 * Every version of each instrument shipped with the platform, oldest first:
 * entry k is version k + 1. Each is validated by the same schema that checks
 * every published version, so importing this module fails loudly if a
 * shipped definition is invalid and a bad edit never starts. A new entry is
 * published at the next start (ensureSurveys); a shipped entry never changes.
 */
export const SHIPPED_HISTORY: readonly { code: string; versions: readonly SurveyDefinition[] }[] = [
  { code: 'sipas-quick', versions: [sipasQuickV1, sipasQuick].map(validated) },
  { code: 'sipas-full', versions: [sipasFull].map(validated) },
  { code: 'sipas-counter', versions: [sipasCounter].map(validated) },
  { code: 'papi-xa', versions: [papiXa].map(validated) },
];

/** The current version of each shipped instrument. */
export const SHIPPED_SURVEYS: readonly SurveyDefinition[] = SHIPPED_HISTORY.map((h) => h.versions.at(-1)!);

export interface ShippedVersion {
  code: string;
  version: number;
  definition: SurveyDefinition;
  /** Keys re-worded since the version before, as a version published by staff records them. */
  wordingChangedKeys: string[];
}

/** The shipped history as the rows survey_version holds. */
export function shippedVersions(history = SHIPPED_HISTORY): ShippedVersion[] {
  return history.flatMap(({ code, versions }) =>
    versions.map((definition, i) => {
      if (definition.code !== code) throw new Error(`Shipped survey ${code} has a version coded ${definition.code}`);
      const before = versions[i - 1];
      const wordingChangedKeys = before ? wordingChanges(before, definition).changed.map((c) => c.key) : [];
      return { code, version: i + 1, definition, wordingChangedKeys };
    }),
  );
}
