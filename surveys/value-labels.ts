import { NA, NA_LABEL, SCALE_LABELS, SCALE_VALUES } from './scale.ts';
import type { LocalText, Question, SurveyDefinition } from './schema.ts';

// What each stored answer value means in words, from the survey definition
// (the one owner of question texts and option labels): a scale answer `4` is
// "Hài lòng", `na` "Không áp dụng", a choice's code its option text. Values
// are as stored and exported (numbers as text). Pure.

export interface ValueLabel {
  value: string;
  label: LocalText;
}

/** The values a question accepts, each with its words; none for a free-text question. */
export function valueLabels(q: Question): ValueLabel[] {
  switch (q.type) {
    case 'scale':
      return [
        ...SCALE_VALUES.map((v) => ({ value: String(v), label: SCALE_LABELS[v] })),
        ...(q.allowNa ? [{ value: NA, label: NA_LABEL }] : []),
      ];
    case 'choice':
      return q.options.map((o) => ({ value: o.code, label: o.text }));
    case 'text':
      return [];
  }
}

export interface AnswerColumn {
  key: string;
  /** The wording of the newest definition that asks it. */
  text: LocalText;
  type: Question['type'];
  /** Every value any of the definitions accepts; the newest wording wins. */
  values: ValueLabel[];
}

/**
 * The questions of several definitions (versions of one or more surveys) as
 * one list of columns, each key once. Each definition keeps its own order: a
 * key the list lacks goes right after the previous question of its own
 * definition, so the questions of a later survey sit among those they follow.
 * Pass the newest definitions first: their wording is the one shown.
 */
export function answerColumns(definitions: readonly SurveyDefinition[]): AnswerColumn[] {
  const columns: AnswerColumn[] = [];
  for (const def of definitions) {
    let previous = -1;
    for (const q of def.sections.flatMap((s) => s.questions)) {
      let at = columns.findIndex((c) => c.key === q.key);
      if (at < 0) {
        at = previous + 1;
        columns.splice(at, 0, { key: q.key, text: q.text, type: q.type, values: [] });
      }
      const column = columns[at]!;
      for (const v of valueLabels(q)) {
        if (!column.values.some((known) => known.value === v.value)) column.values.push(v);
      }
      previous = at;
    }
  }
  return columns;
}
