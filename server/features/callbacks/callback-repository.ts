import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { Channel, FeedbackKind, FeedbackStatus, FeedbackWithheld } from '../../platform/db/schema.ts';
import type { ContactKind } from '../../platform/db/schema-callbacks.ts';
import { CONTACT_KEEP_DAYS } from './callback-rules.ts';

// The only file that reads or writes feedback_callback (the citizen's
// contact) and feedback_handling_rating (their second rating). Nothing here
// is joined into the queries of reports, exports, the API or webhooks; the
// report reads the ratings' counts alone (feedback-inbox-repository.ts).

export interface OfferState {
  channel: Channel;
  feedbackId: number;
  kind: FeedbackKind;
  status: FeedbackStatus;
  withheld: FeedbackWithheld | null;
  overall: number | null;
  hasContact: boolean;
  /** The response already has a key to its reply: it came through a one-time code. */
  hasReplyKey: boolean;
}

/** What decides whether a response's citizen is offered a callback; undefined when it opened no item. */
export async function findOfferState(db: Db, responseId: string): Promise<OfferState | undefined> {
  return db
    .selectFrom('response as r')
    .innerJoin('feedback_item as f', 'f.response_id', 'r.id')
    .leftJoin('answer as o', (j) => j.onRef('o.response_id', '=', 'r.id').on('o.indicator_key', '=', 'overall'))
    .leftJoin('feedback_callback as c', 'c.feedback_id', 'f.id')
    .leftJoin('feedback_reply_key as k', 'k.response_id', 'r.id')
    .select([
      'r.channel',
      'f.id as feedbackId',
      'f.kind',
      'f.status',
      'f.withheld',
      'o.value_num as overall',
      sql<boolean>`c.feedback_id is not null`.as('hasContact'),
      sql<boolean>`k.key_hash is not null`.as('hasReplyKey'),
    ])
    .where('r.id', '=', responseId)
    .executeTakeFirst();
}

/** Stores the contact; false when the item already has one (the first is kept). */
export async function insertCallback(
  db: Db,
  c: { feedbackId: number; kind: ContactKind; contact: string; at: Date },
): Promise<boolean> {
  const row = await db
    .insertInto('feedback_callback')
    .values({ feedback_id: c.feedbackId, contact_kind: c.kind, contact: c.contact, created_at: c.at })
    .onConflict((oc) => oc.column('feedback_id').doNothing())
    .returning('feedback_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** A key to the response's reply; false when it has one already (a one-time code's). */
export async function insertFollowUpKey(db: Db, keyHash: string, responseId: string): Promise<boolean> {
  const row = await db
    .insertInto('feedback_reply_key')
    .values({ key_hash: keyHash, response_id: responseId })
    .onConflict((oc) => oc.column('response_id').doNothing())
    .returning('key_hash')
    .executeTakeFirst();
  return row !== undefined;
}

export interface CallbackRow {
  kind: ContactKind;
  contact: string;
  createdAt: Date;
  calledBackAt: Date | null;
  calledByName: string | null;
  deleteAfter: Date | null;
}

export async function findCallback(db: Db, feedbackId: number): Promise<CallbackRow | undefined> {
  return db
    .selectFrom('feedback_callback as c')
    .leftJoin('app_user as p', 'p.id', 'c.called_back_by')
    .select([
      'c.contact_kind as kind',
      'c.contact',
      'c.created_at as createdAt',
      'c.called_back_at as calledBackAt',
      'p.name as calledByName',
      'c.delete_after as deleteAfter',
    ])
    .where('c.feedback_id', '=', feedbackId)
    .executeTakeFirst();
}

/** Records the callback once; false when it was recorded already (or there is no contact). */
export async function markCalledBack(db: Db, feedbackId: number, userId: number, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('feedback_callback')
    .set({ called_back_at: at, called_back_by: userId })
    .where('feedback_id', '=', feedbackId)
    .where('called_back_at', 'is', null)
    .returning('feedback_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Deletes the contacts of items closed at least 30 days before `now`
 * (Decree 356/2025); run hourly by the job queue (callback-jobs.ts).
 */
export async function purgeCallbacks(db: Db, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - CONTACT_KEEP_DAYS * 86_400_000);
  const result = await db
    .deleteFrom('feedback_callback')
    .where('feedback_id', 'in', (eb) =>
      eb.selectFrom('feedback_item').select('id').where('status', '=', 'closed').where('closed_at', '<=', cutoff),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface FollowUpRow {
  feedbackId: number;
  kind: FeedbackKind;
  status: FeedbackStatus;
  withheld: FeedbackWithheld | null;
  publicAnswer: string | null;
  answeredAt: Date | null;
  /** Null: not rated yet. */
  satisfied: boolean | null;
}

/** The item a reply key (a one-time code's or a follow-up link's) leads to. */
export async function findFollowUp(db: Db, keyHash: string): Promise<FollowUpRow | undefined> {
  return db
    .selectFrom('feedback_reply_key as k')
    .innerJoin('feedback_item as f', 'f.response_id', 'k.response_id')
    .leftJoin('feedback_handling_rating as h', 'h.feedback_id', 'f.id')
    .select([
      'f.id as feedbackId',
      'f.kind',
      'f.status',
      'f.withheld',
      'f.public_answer as publicAnswer',
      'f.answered_at as answeredAt',
      'h.satisfied',
    ])
    .where('k.key_hash', '=', keyHash)
    .executeTakeFirst();
}

/** The second rating, once, and only of an answered item that counts; false otherwise. */
export async function insertHandlingRating(db: Db, feedbackId: number, satisfied: boolean): Promise<boolean> {
  const row = await db
    .insertInto('feedback_handling_rating')
    .columns(['feedback_id', 'satisfied'])
    .expression((eb) =>
      eb
        .selectFrom('feedback_item')
        .select(['id', sql<boolean>`${satisfied}::boolean`.as('satisfied')])
        .where('id', '=', feedbackId)
        .where('status', 'in', ['answered', 'closed'])
        .where('withheld', 'is', null),
    )
    .onConflict((oc) => oc.column('feedback_id').doNothing())
    .returning('feedback_id')
    .executeTakeFirst();
  return row !== undefined;
}
