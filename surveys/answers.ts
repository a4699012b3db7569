import { createHash } from 'node:crypto';
import { NA } from './scale.ts';
import { type LocalText, type Question, questionsOf, type SurveyDefinition } from './schema.ts';

// Checks a citizen's answers against a survey definition. Pure: the same rules
// serve the web form (every value a string) and the JSON API (typed values).

export type Answer =
  | { key: string; kind: 'scale'; value: number }
  | { key: string; kind: 'na' }
  | { key: string; kind: 'option'; value: string }
  | { key: string; kind: 'text'; value: string };

export interface AnswerError {
  /** The indicator key the error belongs to. */
  key: string;
  code: 'required' | 'invalid_value' | 'too_long' | 'invalid_text' | 'unknown_question';
  message: LocalText;
}

export type AnswerSource = 'form' | 'json';

export type AnswerCheck = { ok: true; answers: Answer[] } | { ok: false; errors: AnswerError[] };

/** The words of each answer error; the API's error catalogue lists them as `answer.<code>`. */
export const ANSWER_MESSAGES: Record<AnswerError['code'], LocalText> = {
  required: { vi: 'Ông/Bà vui lòng trả lời câu hỏi này.', en: 'Please answer this question.' },
  invalid_value: { vi: 'Lựa chọn không hợp lệ.', en: 'This is not one of the choices.' },
  too_long: { vi: 'Nội dung quá dài.', en: 'This text is too long.' },
  invalid_text: { vi: 'Nội dung có ký tự không hợp lệ.', en: 'This text has characters that are not allowed.' },
  unknown_question: { vi: 'Không có câu hỏi này trong phiếu.', en: 'There is no such question in this survey.' },
};

// NUL and other control characters (tab and newlines aside) and the bidi
// overrides that can disguise text in a report.
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;

export function checkAnswers(def: SurveyDefinition, raw: Record<string, unknown>, source: AnswerSource): AnswerCheck {
  const errors: AnswerError[] = [];
  const answers: Answer[] = [];
  const fail = (key: string, code: AnswerError['code']) => errors.push({ key, code, message: ANSWER_MESSAGES[code] });
  const questions = questionsOf(def);
  const known = new Set(questions.map((q) => q.key));

  for (const key of Object.keys(raw)) if (!known.has(key)) fail(key, 'unknown_question');

  for (const q of questions) {
    const value = Object.hasOwn(raw, q.key) ? raw[q.key] : undefined;
    if (isBlank(value)) {
      if (q.required) fail(q.key, 'required');
      continue;
    }
    const result = readAnswer(q, value, source);
    if (typeof result === 'string') fail(q.key, result);
    else answers.push(result);
  }
  return errors.length ? { ok: false, errors } : { ok: true, answers };
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function readAnswer(q: Question, value: unknown, source: AnswerSource): Answer | AnswerError['code'] {
  switch (q.type) {
    case 'scale': {
      if (value === NA) return q.allowNa ? { key: q.key, kind: 'na' } : 'invalid_value';
      const n = source === 'form' && typeof value === 'string' && /^[1-5]$/.test(value) ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 5
        ? { key: q.key, kind: 'scale', value: n }
        : 'invalid_value';
    }
    case 'choice':
      return typeof value === 'string' && q.options.some((o) => o.code === value)
        ? { key: q.key, kind: 'option', value }
        : 'invalid_value';
    case 'text': {
      if (typeof value !== 'string') return 'invalid_value';
      // Length is judged on the composed form so that "ệ" counts once however it was typed.
      const text = value.normalize('NFC').trim();
      if (FORBIDDEN_CHARS.test(text) || !text.isWellFormed()) return 'invalid_text';
      if ([...text].length > q.maxLength) return 'too_long';
      return { key: q.key, kind: 'text', value: text };
    }
  }
}

/**
 * A fingerprint of what a submission says, independent of how it was encoded
 * (form strings or JSON numbers, key order). Replays with the same
 * submission id are compared by it.
 */
export function submissionFingerprint(parts: { desk: string; serviceArea: string; answers: Answer[] }): string {
  const answers = [...parts.answers]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((a) => [a.key, a.kind, 'value' in a ? a.value : null]);
  const canonical = JSON.stringify([parts.desk, parts.serviceArea, answers]);
  return createHash('sha256').update(canonical).digest('hex');
}
