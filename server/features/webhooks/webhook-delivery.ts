import { todayIso } from '../../../analysis/local-time.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  claimDelivery,
  markDelivered,
  markFailed,
  markSkipped,
  requeueOverdue,
} from './webhook-delivery-repository.ts';
import { postWebhook } from './webhook-post.ts';
import { EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

// The job that delivers one webhook, and the sweep that finds deliveries a
// dead worker left behind. Retries are ours, not the queue's: each failed
// attempt schedules the next one with exponential backoff (5 s, 10 s, 20 s …
// at most an hour apart, with jitter) until the delivery is 24 hours old,
// and an endpoint with no success for 24 hours is paused.

export interface DeliverySettings {
  timeoutMs: number;
  allowPrivate: boolean;
}

export const GIVE_UP_AFTER_MS = 24 * 3600_000;
export const PAUSE_AFTER_MS = 24 * 3600_000;
/** How long after the attempt's own timeout a dead worker's delivery is taken again. */
export const LEASE_MARGIN_MS = 5_000;

/** The wait after the nth failed attempt (1-based): 5 s doubling, at most an hour, ±20 %. */
export function retryDelayMs(attempt: number, random = Math.random): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'skipped' | 'not_due';

/**
 * When the event happened, to the day (midnight in Vietnam): most events
 * follow a citizen's submission, and a finer time would let a receiver match
 * a rating to the person at the counter at that minute.
 */
export function eventDay(at: Date): string {
  return `${todayIso(at)}T00:00:00+07:00`;
}

export async function deliver(db: Db, deliveryId: string, settings: DeliverySettings): Promise<DeliveryOutcome> {
  const d = await claimDelivery(db, deliveryId, settings.timeoutMs + LEASE_MARGIN_MS);
  // Delivered already, given up, deleted with its endpoint, or another worker holds it.
  if (!d) return 'not_due';
  if (d.paused) {
    await markSkipped(db, d.id);
    return 'skipped';
  }
  const body = JSON.stringify({ id: d.id, event: d.event, createdAt: eventDay(d.eventCreatedAt), data: d.data });
  const result = await postWebhook(
    new URL(d.url),
    body,
    {
      'content-type': 'application/json',
      'user-agent': 'hai-long-webhooks/1',
      [EVENT_HEADER]: d.event,
      [SIGNATURE_HEADER]: signatureHeader(d.secret, body),
    },
    settings,
  );
  const outcome = {
    id: d.id,
    endpointId: d.endpointId,
    status: result.status ?? null,
    error: result.error ?? null,
    durationMs: result.durationMs,
  };
  if (!result.error) {
    await markDelivered(db, outcome);
    return 'delivered';
  }
  const wait = retryDelayMs(d.attempts);
  const tooOld = Date.now() + wait - d.createdAt.getTime() > GIVE_UP_AFTER_MS;
  await markFailed(db, { ...outcome, retryInMs: tooOld ? null : wait, pauseAfterMs: PAUSE_AFTER_MS });
  return tooOld ? 'failed' : 'retry';
}

/** Queues again what should have run by now; every worker process calls it every few seconds. */
export function sweepDeliveries(db: Db): Promise<number> {
  return requeueOverdue(db, LEASE_MARGIN_MS);
}
