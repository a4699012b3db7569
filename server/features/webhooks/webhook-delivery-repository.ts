import { sql } from 'kysely';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Db } from '../../platform/db/connect.ts';

// The state of each delivery. The row, not the job queue, is the truth: a
// job only says "look at this delivery"; it may run twice (the sweep queues
// a delivery again when a worker died holding it), and then finds it
// delivered or still leased and does nothing.

const JOB = 'webhook_deliver';
const jobKey = (id: string) => `webhook_delivery:${id}`;

export interface ClaimedDelivery {
  id: string;
  attempts: number;
  createdAt: Date;
  endpointId: number;
  url: string;
  secret: string;
  paused: boolean;
  event: string;
  eventCreatedAt: Date;
  data: Record<string, unknown>;
}

/**
 * Takes a delivery for one attempt: pending, or sending with its lease over
 * (the worker that had it died). The lease outlasts the attempt's timeout.
 */
export async function claimDelivery(db: Db, id: string, leaseMs: number): Promise<ClaimedDelivery | undefined> {
  const { rows } = await sql<ClaimedDelivery>`
    update webhook_delivery d
       set status = 'sending', attempts = d.attempts + 1,
           next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      from webhook_endpoint e, outbox_event ev
     where d.id = ${id} and e.id = d.endpoint_id and ev.id = d.event_id
       and (d.status = 'pending' or (d.status = 'sending' and d.next_attempt_at < now()))
    returning d.id, d.attempts, d.created_at as "createdAt", e.id::int as "endpointId", e.url, e.secret,
              e.paused_at is not null as paused, ev.event, ev.created_at as "eventCreatedAt", ev.data`.execute(db);
  return rows[0];
}

interface Outcome {
  id: string;
  endpointId: number;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export async function markDelivered(db: Db, o: Outcome): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`
      update webhook_delivery
         set status = 'delivered', delivered_at = now(), last_status_code = ${o.status},
             last_error = null, last_duration_ms = ${o.durationMs}
       where id = ${o.id}`.execute(trx);
    await sql`update webhook_endpoint set failing_since = null where id = ${o.endpointId}`.execute(trx);
  });
}

/**
 * A failed attempt: again in `retryInMs` (a job queued for then, in the same
 * transaction), or given up when that is null. The endpoint is paused once
 * it has failed without a success for `pauseAfterMs`.
 */
export async function markFailed(
  db: Db,
  o: Outcome & { retryInMs: number | null; pauseAfterMs: number },
): Promise<{ paused: boolean }> {
  return db.transaction().execute(async (trx) => {
    const retryAt = o.retryInMs === null ? null : new Date(Date.now() + o.retryInMs);
    await sql`
      update webhook_delivery
         set status = ${retryAt ? 'pending' : 'failed'}, next_attempt_at = coalesce(${retryAt}, now()),
             last_status_code = ${o.status}, last_error = ${o.error?.slice(0, 500) ?? null},
             last_duration_ms = ${o.durationMs}
       where id = ${o.id}`.execute(trx);
    if (retryAt) {
      await sql`
        select graphile_worker.add_job(${JOB}, json_build_object('deliveryId', ${o.id}::uuid),
                 run_at => ${retryAt}, job_key => ${jobKey(o.id)}, max_attempts => 10)`.execute(trx);
    }
    // Locked first, so that of two failures at once only one sees it pause.
    const before = await sql<{ paused: boolean }>`
      select paused_at is not null as paused from webhook_endpoint where id = ${o.endpointId} for update`.execute(trx);
    const { rows } = await sql<PausedEndpoint & { paused: boolean }>`
      update webhook_endpoint
         set failing_since = coalesce(failing_since, now()),
             paused_at = case when coalesce(failing_since, now()) <= now() - make_interval(secs => ${o.pauseAfterMs / 1000})
                              then coalesce(paused_at, now()) else paused_at end
       where id = ${o.endpointId}
      returning paused_at is not null as paused, id::int as id, unit_id as "unitId", url,
                failing_since as "failingSince"`.execute(trx);
    const paused = rows[0]?.paused ?? false;
    if (paused && before.rows[0]?.paused === false) await notePaused(trx, rows[0]!);
    return { paused };
  });
}

interface PausedEndpoint {
  id: number;
  unitId: number;
  url: string;
  failingSince: Date;
}

/**
 * Once, when an endpoint pauses: audited, and its owner (or its unit's
 * managers and officials) mailed by the job webhook-paused-mail.ts runs,
 * queued in this transaction.
 */
async function notePaused(trx: Db, e: PausedEndpoint): Promise<void> {
  await recordAudit(trx, {
    actorLabel: 'webhook-delivery',
    unitId: e.unitId,
    action: 'webhook.paused',
    detail: { id: e.id, origin: new URL(e.url).origin, failingSince: e.failingSince.toISOString() },
  });
  await sql`
    select graphile_worker.add_job('mail_webhook_paused', json_build_object('endpointId', ${e.id}::int),
             max_attempts => 10)`.execute(trx);
}

/** A delivery of a paused endpoint: not attempted, given up. */
export async function markSkipped(db: Db, id: string): Promise<void> {
  await sql`
    update webhook_delivery set status = 'failed', last_error = 'endpoint paused', next_attempt_at = now()
     where id = ${id}`.execute(db);
}

/**
 * Deliveries overdue by more than `graceMs` (a lease that ended with its
 * worker, a job that was lost) are queued again; the job key keeps one job
 * per delivery. Returns how many.
 */
export async function requeueOverdue(db: Db, graceMs: number, limit = 200): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with due as (
      select id from webhook_delivery
       where status in ('pending', 'sending') and next_attempt_at < now() - make_interval(secs => ${graceMs / 1000})
       order by next_attempt_at limit ${limit})
    select count(graphile_worker.add_job(${JOB}, json_build_object('deliveryId', due.id),
                   job_key => 'webhook_delivery:' || due.id, max_attempts => 10))::int as n
      from due`.execute(db);
  return rows[0]?.n ?? 0;
}
