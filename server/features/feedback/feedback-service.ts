import { formatDateTimeVi, formatDateVi } from '../../../analysis/local-time.ts';
import { formatPercentVi } from '../../../analysis/vi-number.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  dueWorkingDays,
  type FeedbackDetail,
  type FeedbackRow,
  feedbackCounts,
  findFeedback,
  insertFeedbackEvent,
  listFeedback,
  listFeedbackEvents,
  listResponseAnswers,
  lockFeedback,
  type StatusFilter,
  surveyDefinitionOf,
  updateFeedback,
} from './feedback-repository.ts';
import {
  describeAnswers,
  type FeedbackChange,
  type FeedbackChangeErrors,
  feedbackRates,
  isOverdue,
  planChange,
  REASON_NAMES,
  STATUS_NAMES,
  WITHHELD_NAMES,
  WITHHELD_NOTES,
} from './feedback-rules.ts';

// The feedback inbox of a unit's subtree and the follow-up of one item.
//
// Anonymity: a manager who knows who was at a desk at 09:24 must not learn
// who complained, so every moment tied to the citizen's response (sent,
// opened, due: due_at keeps the time of day it was sent) is shown as a date
// only. Staff actions keep their time: they are not the citizen's.

const LIST_LIMIT = 200;
const MAX_ID = 2_147_483_647;
const OVERDUE_LIMIT = 50;

export interface FeedbackListItem extends FeedbackRow {
  submittedText: string;
  dueText: string;
  statusText: string;
  reasonText: string;
  overdue: boolean;
}

function listItem(r: FeedbackRow, now: Date): FeedbackListItem {
  return {
    ...r,
    submittedText: formatDateVi(r.submittedAt),
    dueText: formatDateVi(r.dueAt),
    statusText: r.withheld ? WITHHELD_NAMES[r.withheld] : STATUS_NAMES[r.status],
    reasonText: REASON_NAMES[r.reason],
    overdue: isOverdue(r, now),
  };
}

/** The inbox: the filtered list, the overdue list and the figures of the whole subtree. */
export async function feedbackInbox(
  db: Db,
  actor: Actor,
  filter: { status: StatusFilter; overdueOnly: boolean },
  now = new Date(),
) {
  const scopePath = actor.unitPath;
  const [items, overdue, counts, days] = await Promise.all([
    listFeedback(db, { scopePath, ...filter, now, limit: LIST_LIMIT }),
    listFeedback(db, { scopePath, status: 'open', overdueOnly: true, now, limit: OVERDUE_LIMIT }),
    feedbackCounts(db, scopePath, now),
    dueWorkingDays(db),
  ]);
  const rates = feedbackRates(counts);
  return {
    items: items.map((r) => listItem(r, now)),
    truncated: items.length === LIST_LIMIT,
    overdue: overdue.map((r) => listItem(r, now)),
    counts,
    figures: {
      handled: formatPercentVi(rates.handledRate),
      onTime: formatPercentVi(rates.onTimeRate),
      ...rates,
    },
    dueWorkingDays: days,
  };
}

/** Managers follow items up; officials (and admins) read them; counter staff do not. */
export function canReadFeedback(actor: Actor): boolean {
  return can(actor, 'manage') || can(actor, 'oversee');
}

export async function refuseFeedbackRead(db: Db, actor: Actor, route: string): Promise<void> {
  await recordAudit(db, {
    actorUserId: actor.userId,
    unitId: actor.unitId,
    action: 'permission.denied',
    detail: { route, method: 'GET' },
  });
}

/** An item by id, in scope or not: the caller checks canReach(actor, item.unitPath). */
export async function loadFeedback(db: Db, id: number): Promise<FeedbackDetail | undefined> {
  // idParam admits ten digits; beyond the integer column's range nothing exists.
  return id <= MAX_ID ? findFeedback(db, id) : undefined;
}

/** What the item page shows: the response's answers as asked, and the history. */
export async function feedbackPage(db: Db, item: FeedbackDetail, now = new Date()) {
  const [answers, definition, events] = await Promise.all([
    listResponseAnswers(db, item.responseId),
    surveyDefinitionOf(db, item.surveyVersionId),
    listFeedbackEvents(db, item.id),
  ]);
  return {
    item: {
      ...listItem(item, now),
      createdText: formatDateVi(item.createdAt),
      withheldNote: item.withheld ? WITHHELD_NOTES[item.withheld] : null,
      answeredText: item.answeredAt ? formatDateTimeVi(item.answeredAt) : null,
      answeredOnTime: item.answeredAt ? item.answeredAt <= item.dueAt : null,
    },
    answers: describeAnswers(definition, answers),
    events: events.map((e) => ({
      ...e,
      // The system's lines (flagged, cleared) may be written by a later
      // submission of the same source: a date only, like the response's own.
      atText: e.actorName ? formatDateTimeVi(e.at) : formatDateVi(e.at),
      actor: e.actorName ? `${e.actorName} (${e.actorEmail})` : 'Hệ thống',
      fromText: STATUS_NAMES[e.fromStatus],
      toText: STATUS_NAMES[e.toStatus],
    })),
  };
}

export type UpdateResult = { ok: true } | { ok: false; errors: FeedbackChangeErrors };

/**
 * Applies a manager's change to an item already loaded and scope-checked:
 * the state is re-read under a row lock, and the item, its history and the
 * audit log change together or not at all.
 */
export async function updateFeedbackItem(
  db: Db,
  actor: Actor & { userId: number },
  item: FeedbackDetail,
  change: FeedbackChange,
  now = new Date(),
): Promise<UpdateResult> {
  return db.transaction().execute(async (trx) => {
    const current = await lockFeedback(trx, item.id);
    if (!current) return { ok: false, errors: { form: 'Không tìm thấy mục này.' } };
    if (current.withheld) return { ok: false, errors: { form: WITHHELD_NOTES[current.withheld] } };
    const plan = planChange(current, change, now);
    if (!plan.ok) return plan;
    await updateFeedback(trx, item.id, plan.next);
    await insertFeedbackEvent(trx, { feedbackId: item.id, actorUserId: actor.userId, ...plan.event });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: item.unitId,
      action: 'feedback.update',
      detail: {
        feedbackId: item.id,
        from: plan.event.fromStatus,
        to: plan.event.toStatus,
        publicAnswerChanged: plan.event.publicAnswerChanged,
      },
    });
    return { ok: true };
  });
}
