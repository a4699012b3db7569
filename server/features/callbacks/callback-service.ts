import { randomBytes } from 'node:crypto';
import { formatDateTimeVi, formatDateVi } from '../../../analysis/local-time.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { FeedbackDetail } from '../feedback/feedback-repository.ts';
import { insertFeedbackEvent } from '../feedback/feedback-repository.ts';
import { replyKeyOf } from '../feedback/feedback-rules.ts';
import { stuffingSettings } from '../submission/stuffing-evidence.ts';
import {
  findCallback,
  findOfferState,
  insertCallback,
  insertFollowUpKey,
  markCalledBack,
  type OfferState,
} from './callback-repository.ts';
import {
  type ContactProblem,
  callbackDueAt,
  parseContact,
  signOfferToken,
  verifyOfferToken,
} from './callback-rules.ts';

// The callback a citizen may ask for after a score of 1–2 (issue 18, part 4):
// the offer on the thank-you page, the contact it stores, and what the staff
// item page shows of it. The second rating: follow-up-service.ts.

type Secrets = Pick<Config, 'formSecret' | 'stuffing'>;
const secretOf = (config: Secrets) => stuffingSettings(config).secret;

/**
 * Whether the response's citizen is offered a callback: an overall score of
 * 1–2 that opened an item still open, not held back as suspect, with no
 * contact yet. Only the web form's channels (the desk's QR, a one-time
 * code): a counter tablet (kiosk) is shared, and the next citizen would
 * find the form, or what was typed in it. The tablet's thanks come from its
 * own app, never this page; the channel check keeps it so if that changes.
 */
function offerable(s: OfferState): boolean {
  return (
    s.kind === 'item' &&
    s.overall !== null &&
    s.overall <= 2 &&
    (s.channel === 'qr' || s.channel === 'code') &&
    s.withheld === null &&
    s.status !== 'closed' &&
    !s.hasContact
  );
}

/** The signed token of the thank-you page's callback form, or undefined when no callback is offered. */
export async function callbackOffer(db: Db, config: Secrets, responseId: string, now = new Date()) {
  const state = await findOfferState(db, responseId);
  return state && offerable(state) ? signOfferToken(secretOf(config), responseId, now.getTime()) : undefined;
}

export interface CallbackInput {
  token: string | undefined;
  contact: string;
  consent: boolean;
}

export type SaveResult =
  | { status: 'saved'; dueText: string; followUrl: string | null; email: string | null }
  | { status: 'invalid'; contact?: ContactProblem; consent?: true }
  | { status: 'bad_token' | 'expired' | 'exists' };

/**
 * Stores a contact the citizen chose to leave, and gives a citizen without
 * a one-time code a personal follow-up link: a random key whose hash joins
 * feedback_reply_key, the way a code's does. The link is shown once and
 * never stored: the route mails it at once to an e-mail contact, or never.
 */
export async function saveCallback(
  db: Db,
  config: Secrets & Pick<Config, 'publicUrl'>,
  input: CallbackInput,
  now = new Date(),
): Promise<SaveResult> {
  const responseId = verifyOfferToken(secretOf(config), input.token, now.getTime());
  if (responseId === undefined) return { status: 'bad_token' };
  if (responseId === 'expired') return { status: 'expired' };
  const parsed = parseContact(input.contact);
  if (!parsed.ok || !input.consent) {
    return {
      status: 'invalid',
      ...(parsed.ok ? {} : { contact: parsed.problem }),
      ...(input.consent ? {} : { consent: true as const }),
    };
  }
  return db.transaction().execute(async (trx): Promise<SaveResult> => {
    const state = await findOfferState(trx, responseId);
    if (state?.hasContact) return { status: 'exists' };
    if (!state || !offerable(state)) return { status: 'expired' };
    if (!(await insertCallback(trx, { feedbackId: state.feedbackId, ...parsed, at: now }))) {
      return { status: 'exists' };
    }
    let followUrl: string | null = null;
    if (!state.hasReplyKey) {
      const key = randomBytes(24).toString('base64url');
      if (await insertFollowUpKey(trx, replyKeyOf(key), responseId)) followUrl = `${config.publicUrl}/theo-doi/${key}`;
    }
    const email = parsed.kind === 'email' ? parsed.contact : null;
    return { status: 'saved', dueText: formatDateVi(callbackDueAt(now)), followUrl, email };
  });
}

type ItemRef = Pick<FeedbackDetail, 'id' | 'unitId' | 'assigneeUserId' | 'status'>;

/**
 * Who sees the contact: the person handling the item. Once the item is
 * given to someone, that person alone; until then the managers of the
 * item's own unit, who handle it by default, so that a callback due in one
 * working day does not wait for an assignment. Managers above the unit,
 * officials and administrators see that there is a contact and its
 * deadline, never the contact itself.
 */
export function canSeeContact(actor: Pick<Actor, 'userId' | 'role' | 'unitId'>, item: ItemRef): boolean {
  if (actor.userId === null) return false;
  if (item.assigneeUserId !== null) return actor.userId === item.assigneeUserId;
  return actor.role === 'manager' && actor.unitId === item.unitId;
}

const KIND_NAMES = { phone: 'Số điện thoại', email: 'Thư điện tử' } as const;

/** The callback box of the staff item page, or undefined when the citizen left no contact. Viewing is audited. */
export async function callbackPanel(db: Db, actor: Actor, item: ItemRef, now = new Date()) {
  const row = await findCallback(db, item.id);
  if (!row) return undefined;
  const visible = canSeeContact(actor, item);
  const due = callbackDueAt(row.createdAt);
  const met = row.calledBackAt ? row.calledBackAt <= due : null;
  if (visible) {
    await recordAudit(db, {
      actorUserId: actor.userId,
      unitId: item.unitId,
      action: 'feedback.callback.view',
      detail: { feedbackId: item.id },
    });
  }
  return {
    visible,
    kindText: KIND_NAMES[row.kind],
    contact: visible ? row.contact : null,
    contactHref: visible ? (row.kind === 'phone' ? `tel:${row.contact}` : `mailto:${row.contact}`) : null,
    // The day only: the contact was left minutes after the response, whose time is never shown.
    dueText: formatDateVi(due),
    calledBackText: row.calledBackAt ? formatDateTimeVi(row.calledBackAt) : null,
    calledByName: row.calledByName,
    met,
    overdue: !row.calledBackAt && due < now,
    deleteText: row.deleteAfter ? formatDateVi(row.deleteAfter) : null,
    canMark: visible && !row.calledBackAt,
  };
}

export type MarkResult = 'marked' | 'forbidden' | 'already';

/** «Đã liên hệ lại»: the time and who, in the item's history and the audit log, without the contact. */
export async function markCallback(
  db: Db,
  actor: Actor & { userId: number },
  item: ItemRef,
  now = new Date(),
): Promise<MarkResult> {
  if (!canSeeContact(actor, item)) return 'forbidden';
  return db.transaction().execute(async (trx) => {
    if (!(await markCalledBack(trx, item.id, actor.userId, now))) return 'already';
    await insertFeedbackEvent(trx, {
      feedbackId: item.id,
      actorUserId: actor.userId,
      fromStatus: item.status,
      toStatus: item.status,
      note: 'Đã liên hệ lại với người dân.',
      publicAnswerChanged: false,
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: item.unitId,
      action: 'feedback.callback.done',
      detail: { feedbackId: item.id },
    });
    return 'marked';
  });
}
