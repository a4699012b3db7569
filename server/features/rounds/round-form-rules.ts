import { z } from 'zod';
import { type AnswerCheck, checkAnswers } from '../../../surveys/answers.ts';
import type { LocalText, SurveyDefinition } from '../../../surveys/schema.ts';

// What a clerk types from one paper form of a round, and how two entries of
// the same form are compared. Pure: the entry screen, the file import and the
// reconciliation screen all go through these rules.

export const MAX_SERIAL = 99_999;

/** One entry of a form: its serial, the day it was answered, where, and the answers as typed. */
export const FormEntrySchema = z.object({
  serial: z.coerce.number().int().min(1).max(MAX_SERIAL),
  surveyedOn: z.iso.date(),
  /** The unit (a centre of the round's subtree) the citizen was served at. */
  unitId: z.coerce.number().int().positive(),
  serviceArea: z.string().min(1).max(64),
  /** Indicator key → the value as a string: '1'..'5', 'na', an option code, or text; blanks left out. */
  answers: z.record(z.string(), z.string().max(4000)),
});

export type FormEntry = z.infer<typeof FormEntrySchema>;

/** The entry without blank answers, with text trimmed: two entries that say the same compare equal. */
export function normaliseEntry(e: FormEntry): FormEntry {
  const answers: Record<string, string> = {};
  for (const key of Object.keys(e.answers).sort()) {
    const v = e.answers[key]!.normalize('NFC').trim();
    if (v !== '') answers[key] = v;
  }
  return { serial: e.serial, surveyedOn: e.surveyedOn, unitId: e.unitId, serviceArea: e.serviceArea, answers };
}

/** The fields two entries of a form disagree on: 'surveyedOn', 'unitId', 'serviceArea' or 'answers.<key>'. */
export function entryDifferences(a: FormEntry, b: FormEntry): string[] {
  const diff: string[] = [];
  for (const f of ['surveyedOn', 'unitId', 'serviceArea'] as const) if (a[f] !== b[f]) diff.push(f);
  const keys = [...new Set([...Object.keys(a.answers), ...Object.keys(b.answers)])].sort();
  for (const k of keys) if ((a.answers[k] ?? '') !== (b.answers[k] ?? '')) diff.push(`answers.${k}`);
  return diff;
}

/**
 * The answers of a paper form checked against the survey: a question the
 * citizen left blank is left out, even one the web form requires (on paper
 * nobody can be made to answer it), but a value that is not a choice is an
 * error to correct.
 */
export function checkPaperAnswers(def: SurveyDefinition, answers: Record<string, string>): AnswerCheck {
  const optional: SurveyDefinition = {
    ...def,
    sections: def.sections.map((s) => ({ ...s, questions: s.questions.map((q) => ({ ...q, required: false })) })),
  };
  return checkAnswers(optional, answers, 'form');
}

export interface EntryProblem {
  /** 'serial', 'surveyedOn', 'unitId', 'serviceArea' or 'answers.<key>' */
  path: string;
  message: LocalText;
}

/** Why the day a form was answered is refused for this round, or undefined. */
export function fieldworkDayProblem(
  day: string,
  round: { fieldworkFrom: string; fieldworkTo: string },
  today: string,
): LocalText | undefined {
  if (day > today) return { vi: 'Ngày khảo sát ở tương lai.', en: 'The survey day is in the future.' };
  if (day < round.fieldworkFrom || day > round.fieldworkTo) {
    return {
      vi: 'Ngày khảo sát nằm ngoài thời gian khảo sát của đợt.',
      en: "The survey day is outside the round's fieldwork period.",
    };
  }
  return undefined;
}
