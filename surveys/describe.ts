import { NA, SCALE_LABELS, SCALE_VALUES } from './scale.ts';
import type { Question, SurveyDefinition } from './schema.ts';

// What a machine client (kiosk app, integration) needs to render a survey
// version and send valid answers: each question with the values it accepts.

export type DescribedQuestion = Question & {
  section: number;
  values?: (number | string)[];
  labels?: Record<string, { vi: string; en: string }>;
};

export function describeQuestions(def: SurveyDefinition): DescribedQuestion[] {
  const scaleLabels = Object.fromEntries(
    SCALE_VALUES.map((v) => [String(v), { vi: SCALE_LABELS[v].vi, en: SCALE_LABELS[v].en }]),
  );
  return def.sections.flatMap((section, index) =>
    section.questions.map((q): DescribedQuestion => {
      if (q.type === 'scale') {
        return { ...q, section: index, values: [...SCALE_VALUES, ...(q.allowNa ? [NA] : [])], labels: scaleLabels };
      }
      if (q.type === 'choice') return { ...q, section: index, values: q.options.map((o) => o.code) };
      return { ...q, section: index };
    }),
  );
}
