import { createHash } from 'node:crypto';
import { z } from 'zod';
import { NA, NA_LABEL, SCALE_LABELS, type ScaleValue } from '../../../surveys/scale.ts';
import { OVERALL_KEY, questionsOf, type SurveyDefinition } from '../../../surveys/schema.ts';
import type { FeedbackItemTable, FeedbackKind, FeedbackStatus, FeedbackWithheld } from '../../platform/db/schema.ts';

// Follow-up of citizens' feedback (PAKN): statuses and the moves between
// them, what a change does to an item, and the figures. Pure: no database.

export const STATUS_NAMES: Record<FeedbackStatus, string> = {
  new: 'Mới',
  in_progress: 'Đang xử lý',
  answered: 'Đã trả lời',
  closed: 'Đã đóng',
};
export const STATUSES = Object.keys(STATUS_NAMES) as [FeedbackStatus, ...FeedbackStatus[]];

/**
 * Items of suspect responses, withheld by the database (migration
 * 2026-12-05T0300): shown in place of the status, out of every figure.
 */
export const WITHHELD_NAMES: Record<FeedbackWithheld, string> = {
  under_review: 'Tạm rút (phiếu đang bị nghi vấn)',
  not_counted: 'Không tính (phiếu nghi vấn)',
};
export const WITHHELD_NOTES: Record<FeedbackWithheld, string> = {
  under_review:
    'Phiếu của mục này bị đánh dấu nghi vấn và đang chờ xem xét: mục tạm rút khỏi hộp thư và số liệu, không thể thay đổi cho đến khi có kết quả xem xét.',
  not_counted: 'Phiếu của mục này được xác nhận là phiếu nghi vấn: mục không được tính và không thể thay đổi.',
};

export const REASON_NAMES = {
  comment: 'Có ý kiến góp ý',
  low_score: 'Đánh giá thấp',
  both: 'Góp ý, đánh giá thấp',
} as const;

export const PRAISE_NAME = 'Lời khen, góp ý';

type Reason = FeedbackItemTable['reason'];

/** The free-text answer the inbox shows and the triage reads. */
export const COMMENT_KEY = 'comment';

/** The answers the triage looks at: scale values (1–5) and the comment. */
export interface TriageAnswer {
  key: string;
  valueNum: number | null;
  valueText: string | null;
}

/**
 * Whether a response asks for follow-up, and how. An item (with a deadline)
 * for what needs handling: an overall score of 1–3, any item scored 1–2, or
 * a comment without an overall score of 4–5. A comment with an overall score
 * of 4–5 and nothing scored 1–2 is praise: no deadline, out of the work.
 * "Low" reasons cover both low scores. The SQL function feedback_triage
 * (migration 2026-12-05T1200) is the same rule; the tests hold them together.
 */
export function triageAnswers(answers: readonly TriageAnswer[]): { kind: FeedbackKind; reason: Reason } | null {
  const commented = answers.some((a) => a.key === COMMENT_KEY && (a.valueText ?? '').trim() !== '');
  const low = answers.some(
    (a) => a.valueNum !== null && (a.valueNum <= 2 || (a.key === OVERALL_KEY && a.valueNum <= 3)),
  );
  const happy = answers.some((a) => a.key === OVERALL_KEY && a.valueNum !== null && a.valueNum >= 4);
  if (!commented && !low) return null;
  return {
    kind: low || !happy ? 'item' : 'praise',
    reason: low && commented ? 'both' : low ? 'low_score' : 'comment',
  };
}

/**
 * What links a one-time code to the reply its citizen may read: a hash of
 * the code under its own prefix. The stored code hash (sha256 of the code
 * alone) cannot be turned into it, so nobody holding the database can tie a
 * receipt, or its dossier hash, to a response.
 */
export function replyKeyOf(code: string): string {
  return createHash('sha256').update(`feedback-reply\0${code}`).digest('hex');
}

/** Where an item may go next; answered → in progress reopens it. A closed item is final. */
export const TRANSITIONS: Record<FeedbackStatus, readonly FeedbackStatus[]> = {
  new: ['in_progress', 'answered'],
  in_progress: ['answered'],
  answered: ['closed', 'in_progress'],
  closed: [],
};

export const isHandled = (status: FeedbackStatus) => status === 'answered' || status === 'closed';

export function isOverdue(
  item: { status: FeedbackStatus; dueAt: Date | null; withheld?: FeedbackWithheld | null },
  now: Date,
): boolean {
  return !item.withheld && !isHandled(item.status) && item.dueAt !== null && item.dueAt < now;
}

const MAX_TEXT = 4000;

export const FeedbackChangeSchema = z.object({
  status: z.enum(STATUSES, { error: 'Trạng thái không hợp lệ.' }),
  internalNote: z.string().trim().max(MAX_TEXT, 'Ghi chú nội bộ dài quá 4.000 ký tự.').default(''),
  publicAnswer: z.string().trim().max(MAX_TEXT, 'Nội dung trả lời dài quá 4.000 ký tự.').default(''),
});
export type FeedbackChange = z.infer<typeof FeedbackChangeSchema>;
export type FeedbackChangeErrors = Partial<Record<keyof FeedbackChange | 'form' | 'assignee', string>>;

export interface FeedbackState {
  status: FeedbackStatus;
  internalNote: string | null;
  publicAnswer: string | null;
  answeredAt: Date | null;
  closedAt: Date | null;
}

export type ChangePlan =
  | {
      ok: true;
      next: FeedbackState;
      event: {
        fromStatus: FeedbackStatus;
        toStatus: FeedbackStatus;
        note: string | null;
        publicAnswerChanged: boolean;
      };
    }
  | { ok: false; errors: FeedbackChangeErrors };

/** What a change asked for in the form does to an item, or why it cannot be done. */
export function planChange(current: FeedbackState, change: FeedbackChange, now: Date): ChangePlan {
  if (current.status === 'closed') return { ok: false, errors: { form: 'Mục này đã đóng, không thể thay đổi.' } };
  const to = change.status;
  if (to !== current.status && !TRANSITIONS[current.status].includes(to)) {
    return {
      ok: false,
      errors: { status: `Không thể chuyển từ «${STATUS_NAMES[current.status]}» sang «${STATUS_NAMES[to]}».` },
    };
  }
  const note = change.internalNote || null;
  const answer = change.publicAnswer || null;
  if (isHandled(to) && !answer) {
    return {
      ok: false,
      errors: { publicAnswer: 'Cần có nội dung trả lời công khai cho người dân trước khi chuyển sang «Đã trả lời».' },
    };
  }
  const noteChanged = note !== current.internalNote;
  const answerChanged = answer !== current.publicAnswer;
  if (to === current.status && !noteChanged && !answerChanged) {
    return { ok: false, errors: { form: 'Chưa có thay đổi nào để lưu.' } };
  }
  const next: FeedbackState = {
    status: to,
    internalNote: note,
    publicAnswer: answer,
    // Reopening drops the answer time: the item is handled again when next answered.
    answeredAt: isHandled(to) ? (isHandled(current.status) ? current.answeredAt : now) : null,
    closedAt: to === 'closed' ? now : null,
  };
  return {
    ok: true,
    next,
    event: {
      fromStatus: current.status,
      toStatus: to,
      note: noteChanged ? note : null,
      publicAnswerChanged: answerChanged,
    },
  };
}

export interface FeedbackCounts {
  total: number;
  handled: number;
  handledOnTime: number;
  overdue: number;
}

/**
 * Share handled (answered or closed) among all items, and share handled on
 * time (answered by the due date) among those handled; null with nothing to
 * divide by.
 */
export function feedbackRates(c: FeedbackCounts): { handledRate: number | null; onTimeRate: number | null } {
  return {
    handledRate: c.total ? c.handled / c.total : null,
    onTimeRate: c.handled ? c.handledOnTime / c.handled : null,
  };
}

export interface StoredAnswer {
  key: string;
  valueNum: number | null;
  valueOption: string | null;
  valueText: string | null;
}

/**
 * A response's answers as the citizen saw them: the wording of the survey
 * version they answered, in its order. Free text is left out (the page shows
 * the comment on its own).
 */
export function describeAnswers(
  def: SurveyDefinition,
  answers: StoredAnswer[],
): { question: string; answer: string }[] {
  const byKey = new Map(answers.map((a) => [a.key, a]));
  const rows: { question: string; answer: string }[] = [];
  for (const q of questionsOf(def)) {
    const a = byKey.get(q.key);
    byKey.delete(q.key);
    if (!a || q.type === 'text') continue;
    if (q.type === 'scale') {
      const label = a.valueNum ? SCALE_LABELS[a.valueNum as ScaleValue]?.vi : undefined;
      rows.push({ question: q.text.vi, answer: label ? `${a.valueNum} – ${label}` : NA_LABEL.vi });
    } else {
      const option = q.options.find((o) => o.code === a.valueOption);
      rows.push({ question: q.text.vi, answer: option?.text.vi ?? a.valueOption ?? '' });
    }
  }
  // Keys the version does not know (should not happen): shown as stored, not hidden.
  for (const a of byKey.values()) {
    if (a.valueText !== null) continue;
    rows.push({ question: a.key, answer: a.valueOption === NA ? NA_LABEL.vi : String(a.valueNum ?? a.valueOption) });
  }
  return rows;
}
