import type { Db } from '../db/connect.ts';
import { insertOutboxEvent } from './outbox-repository.ts';

// The transactional outbox (issue 18): an event is written in the same
// transaction as what caused it, so it exists exactly when its cause was
// committed, and the jobs that deliver it are queued in that transaction too
// (graphile-worker's add_job is plain SQL). Feedback items and low scores
// are recorded by database triggers (migrations 2026-12-05T2200_outbox.ts
// and 2026-12-05T2305_more-events.ts) through the same SQL function, overdue
// items by a sweep (feedback-jobs.ts); code records the rest with recordEvent.

/** The events there are; a webhook endpoint subscribes to some of them. */
export const EVENTS = [
  'response.low_score',
  'feedback.created',
  'feedback.updated',
  'feedback.overdue',
  'dossier_volumes.imported',
  'suspects.flagged',
] as const;
export type EventName = (typeof EVENTS)[number];

/**
 * What an event may carry: codes, ids, counts, scores and local days. Never
 * personal data: no comment text, no names, no time finer than the day.
 */
export type EventData = Record<string, string | number | boolean | null>;

/** Records an event in `trx`, the transaction of its cause; returns its id. */
export function recordEvent(trx: Db, e: { event: EventName; unitId: number; data: EventData }): Promise<string> {
  return insertOutboxEvent(trx, e);
}
