import { formatDateTimeVi, formatDateVi } from '../../../analysis/local-time.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { clearPublicCache } from '../public/public-page-service.ts';
import { listAssignees } from './feedback-inbox-repository.ts';
import { commentPublishableOf, setCommentPublishable } from './feedback-publish-repository.ts';
import {
  type FeedbackDetail,
  findFeedback,
  insertFeedbackEvent,
  listFeedbackEvents,
  listResponseAnswers,
  lockFeedback,
  praiseToItem,
  setAssignee,
  surveyDefinitionOf,
  updateFeedback,
} from './feedback-repository.ts';
import {
  describeAnswers,
  type FeedbackChange,
  type FeedbackChangeErrors,
  planChange,
  STATUS_NAMES,
  WITHHELD_NOTES,
} from './feedback-rules.ts';
import { listItem } from './feedback-service.ts';

// One feedback item: its page, a manager's change of status, notes and
// public reply, its assignment, and turning praise into an item. Each change
// re-reads the item under a row lock and writes the item, its history and
// the audit log together or not at all.

const MAX_ID = 2_147_483_647;

/** An item by id, in scope or not: the caller checks canReach(actor, item.unitPath). */
export async function loadFeedback(db: Db, id: number): Promise<FeedbackDetail | undefined> {
  // idParam admits ten digits; beyond the integer column's range nothing exists.
  return id <= MAX_ID ? findFeedback(db, id) : undefined;
}

/** Whether the item can still be given to someone: work not closed, not held back. */
export const canAssign = (item: Pick<FeedbackDetail, 'kind' | 'status' | 'withheld'>) =>
  item.kind === 'item' && item.status !== 'closed' && !item.withheld;

/** What the item page shows: the response's answers as asked, the history, whom it can go to. */
export async function feedbackPage(db: Db, actor: Actor, item: FeedbackDetail, now = new Date()) {
  const [answers, definition, events, assignees] = await Promise.all([
    listResponseAnswers(db, item.responseId),
    surveyDefinitionOf(db, item.surveyVersionId),
    listFeedbackEvents(db, item.id),
    canAssign(item) ? listAssignees(db, { scopePath: actor.unitPath, itemPath: item.unitPath }) : [],
  ]);
  return {
    item: {
      ...listItem(item, now),
      createdText: formatDateVi(item.createdAt),
      withheldNote: item.withheld ? WITHHELD_NOTES[item.withheld] : null,
      answeredText: item.answeredAt ? formatDateTimeVi(item.answeredAt) : null,
      answeredOnTime: item.answeredAt && item.dueAt ? item.answeredAt <= item.dueAt : null,
    },
    answers: describeAnswers(definition, answers),
    assignees: assignees.map((a) => ({ id: a.id, name: `${a.name} (${a.unitName})` })),
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
 * Applies a manager's change to an item already loaded and scope-checked.
 * `commentPublishable` (the checkbox «Cho phép công khai ý kiến của người
 * dân», issue 17) is saved with it; changed alone, it is a change too.
 */
export async function updateFeedbackItem(
  db: Db,
  actor: Actor & { userId: number },
  item: FeedbackDetail,
  change: FeedbackChange,
  now = new Date(),
  commentPublishable?: boolean,
): Promise<UpdateResult> {
  let markChanged = false;
  const result = await db.transaction().execute(async (trx): Promise<UpdateResult> => {
    const current = await lockFeedback(trx, item.id);
    if (!current) return { ok: false, errors: { form: 'Không tìm thấy mục này.' } };
    if (current.withheld) return { ok: false, errors: { form: WITHHELD_NOTES[current.withheld] } };
    if (current.kind === 'praise') {
      return { ok: false, errors: { form: 'Đây là lời khen, góp ý: hãy chuyển thành mục cần xử lý trước.' } };
    }
    const wasPublishable = await commentPublishableOf(trx, item.id);
    const flagChanged = commentPublishable !== undefined && commentPublishable !== wasPublishable;
    const unchanged =
      change.status === current.status &&
      (change.internalNote || null) === current.internalNote &&
      (change.publicAnswer || null) === current.publicAnswer;
    const plan = flagChanged && unchanged && current.status !== 'closed' ? null : planChange(current, change, now);
    if (plan && !plan.ok) return plan;
    if (plan) {
      await updateFeedback(trx, item.id, plan.next);
      await insertFeedbackEvent(trx, { feedbackId: item.id, actorUserId: actor.userId, ...plan.event });
    }
    if (flagChanged) {
      await setCommentPublishable(trx, item.id, commentPublishable);
      await insertFeedbackEvent(trx, {
        feedbackId: item.id,
        actorUserId: actor.userId,
        fromStatus: plan?.event.toStatus ?? current.status,
        toStatus: plan?.event.toStatus ?? current.status,
        note: commentPublishable
          ? 'Cho phép công khai ý kiến của người dân.'
          : 'Không cho phép công khai ý kiến của người dân nữa.',
        publicAnswerChanged: false,
      });
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: item.unitId,
      action: 'feedback.update',
      detail: {
        feedbackId: item.id,
        from: current.status,
        to: plan?.event.toStatus ?? current.status,
        publicAnswerChanged: plan?.event.publicAnswerChanged ?? false,
        ...(flagChanged ? { commentPublishable } : {}),
      },
    });
    markChanged = flagChanged;
    return { ok: true };
  });
  // After the commit: a page built in between would otherwise keep the old mark.
  if (markChanged) clearPublicCache();
  return result;
}

/** Whether the citizen's comment may be shown on the public results page, for the item's form. */
export const commentPublishable = (db: Db, item: Pick<FeedbackDetail, 'id'>) => commentPublishableOf(db, item.id);

/**
 * Gives an item to a manager the actor may see who can open it (or to
 * nobody: `assigneeId` null). Anyone else is refused as not on the list.
 */
export async function assignFeedback(
  db: Db,
  actor: Actor & { userId: number },
  item: FeedbackDetail,
  assigneeId: number | null,
): Promise<UpdateResult> {
  return db.transaction().execute(async (trx) => {
    const current = await lockFeedback(trx, item.id);
    if (!current || !canAssign(current)) return { ok: false, errors: { form: 'Mục này không thể giao.' } };
    const candidates = await listAssignees(trx, { scopePath: actor.unitPath, itemPath: item.unitPath });
    const assignee = assigneeId === null ? null : candidates.find((c) => c.id === assigneeId);
    if (assignee === undefined) return { ok: false, errors: { assignee: 'Chọn một người trong danh sách.' } };
    if ((assignee?.id ?? null) === current.assigneeUserId) {
      return { ok: false, errors: { form: 'Chưa có thay đổi nào để lưu.' } };
    }
    await setAssignee(trx, item.id, assignee?.id ?? null);
    await insertFeedbackEvent(trx, {
      feedbackId: item.id,
      actorUserId: actor.userId,
      fromStatus: current.status,
      toStatus: current.status,
      note: assignee ? `Giao cho ${assignee.name} (${assignee.unitName}).` : 'Bỏ giao việc.',
      publicAnswerChanged: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: item.unitId,
      action: 'feedback.assign',
      detail: { feedbackId: item.id, from: current.assigneeUserId, to: assignee?.id ?? null },
    });
    return { ok: true };
  });
}

/** Turns praise into an item to handle, due from now. */
export async function convertPraise(
  db: Db,
  actor: Actor & { userId: number },
  item: FeedbackDetail,
): Promise<UpdateResult> {
  return db.transaction().execute(async (trx) => {
    const current = await lockFeedback(trx, item.id);
    if (current?.kind !== 'praise' || current.withheld) {
      return { ok: false, errors: { form: 'Mục này không phải là lời khen, góp ý đang chờ.' } };
    }
    await praiseToItem(trx, item.id);
    await insertFeedbackEvent(trx, {
      feedbackId: item.id,
      actorUserId: actor.userId,
      fromStatus: 'new',
      toStatus: 'new',
      note: 'Chuyển từ «Lời khen, góp ý» thành mục cần xử lý.',
      publicAnswerChanged: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: item.unitId,
      action: 'feedback.convert',
      detail: { feedbackId: item.id },
    });
    return { ok: true };
  });
}
