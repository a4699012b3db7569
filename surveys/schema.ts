import { z } from 'zod';
import { FORM_FIELD_NAMES } from './form-fields.ts';

// The definition of a survey instrument. The same schema checks the shipped
// instruments at start-up, in tests, and every version an official publishes.

export const FACTORS = ['access', 'procedure', 'staff', 'result', 'feedback'] as const;
export type Factor = (typeof FACTORS)[number];

/** The headline item a plan target such as "≥ 90%" is judged on. */
export const OVERALL_KEY = 'overall';

/** Keys no question may have: the citizen form's own fields (form-fields.ts). */
export const RESERVED_KEYS = FORM_FIELD_NAMES;

/**
 * The form of every code that appears in a URL or an API body: units, desks,
 * surveys, service areas. The database checks the same pattern.
 */
export const CodeSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'lowercase letters, digits and -');

export const LocalTextSchema = z.object({
  vi: z.string().trim().min(1),
  en: z.string().trim().min(1),
});
export type LocalText = z.infer<typeof LocalTextSchema>;

export const IndicatorKeySchema = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'lowercase words joined by dots, e.g. staff.polite');

const OptionCodeSchema = z
  .string()
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_]*$/, 'lowercase letters, digits and _');

export const ScaleQuestionSchema = z.object({
  type: z.literal('scale'),
  key: IndicatorKeySchema,
  text: LocalTextSchema,
  /** The SIPAS factor this item counts towards; absent for the overall item. */
  factor: z.enum(FACTORS).optional(),
  required: z.boolean().default(true),
  allowNa: z.boolean().default(true),
});

export const ChoiceQuestionSchema = z.object({
  type: z.literal('choice'),
  key: IndicatorKeySchema,
  text: LocalTextSchema,
  options: z
    .array(z.object({ code: OptionCodeSchema, text: LocalTextSchema }))
    .min(2)
    .refine((opts) => new Set(opts.map((o) => o.code)).size === opts.length, 'option codes must be unique'),
  required: z.boolean().default(false),
});

export const TextQuestionSchema = z.object({
  type: z.literal('text'),
  key: IndicatorKeySchema,
  text: LocalTextSchema,
  maxLength: z.number().int().min(1).max(2000).default(1000),
  required: z.boolean().default(false),
});

export const QuestionSchema = z.discriminatedUnion('type', [
  ScaleQuestionSchema,
  ChoiceQuestionSchema,
  TextQuestionSchema,
]);
export type Question = z.infer<typeof QuestionSchema>;
export type ScaleQuestion = z.infer<typeof ScaleQuestionSchema>;
export type ChoiceQuestion = z.infer<typeof ChoiceQuestionSchema>;

export const SectionSchema = z.object({
  title: LocalTextSchema.optional(),
  questions: z.array(QuestionSchema).min(1),
});

export const SurveyDefinitionSchema = z
  .object({
    code: CodeSchema,
    title: LocalTextSchema,
    intro: LocalTextSchema.optional(),
    sections: z.array(SectionSchema).min(1),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.sections.forEach((section, s) => {
      section.questions.forEach((q, i) => {
        const path = ['sections', s, 'questions', i, 'key'];
        if (seen.has(q.key)) ctx.addIssue({ code: 'custom', path, message: `duplicate key ${q.key}` });
        seen.add(q.key);
        if (RESERVED_KEYS.includes(q.key)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${q.key} is reserved: the survey form uses a field of that name for itself (${RESERVED_KEYS.join(', ')})`,
          });
        }
        if (q.type === 'scale' && q.factor && q.key !== q.factor && !q.key.startsWith(`${q.factor}.`)) {
          ctx.addIssue({ code: 'custom', path, message: `key of a ${q.factor} item must start with "${q.factor}."` });
        }
      });
    });
    const overall = def.sections.flatMap((s) => s.questions).find((q) => q.key === OVERALL_KEY);
    if (overall?.type !== 'scale' || overall.factor) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'needs an "overall" scale item outside the factors',
      });
    }
  });

/** A definition as authored (defaults may be omitted). */
export type SurveyDefinitionInput = z.input<typeof SurveyDefinitionSchema>;
/** A definition after validation (defaults filled in). */
export type SurveyDefinition = z.infer<typeof SurveyDefinitionSchema>;

export function questionsOf(def: SurveyDefinition): Question[] {
  return def.sections.flatMap((s) => s.questions);
}
