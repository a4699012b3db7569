import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// What the staff page reads of deliveries and changes in them: the log of
// one endpoint, counts by status, a delivery queued again, an endpoint
// resumed. Callers have checked the endpoint is in the user's subtree; every
// statement still names the endpoint, so a delivery of another is untouched.

export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

export interface DeliveryRow {
  id: string;
  event: string;
  eventCreatedAt: Date;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** The endpoint's newest deliveries, by the time of their event. */
export async function listDeliveries(db: Db, endpointId: number, limit = 100): Promise<DeliveryRow[]> {
  const { rows } = await sql<DeliveryRow>`
    select d.id, ev.event, ev.created_at as "eventCreatedAt", d.status, d.attempts,
           d.last_status_code as "lastStatusCode", d.last_duration_ms as "lastDurationMs",
           d.last_error as "lastError", d.delivered_at as "deliveredAt"
      from webhook_delivery d join outbox_event ev on ev.id = d.event_id
     where d.endpoint_id = ${endpointId}
     order by ev.created_at desc, d.id desc limit ${limit}`.execute(db);
  return rows;
}

/** Deliveries created since `since`, per endpoint and status. */
export async function countDeliveriesSince(
  db: Db,
  endpointIds: readonly number[],
  since: Date,
): Promise<Map<number, Record<DeliveryStatus, number>>> {
  const counts = new Map<number, Record<DeliveryStatus, number>>();
  for (const id of endpointIds) counts.set(id, { pending: 0, sending: 0, delivered: 0, failed: 0 });
  if (!endpointIds.length) return counts;
  const { rows } = await sql<{ endpointId: number; status: DeliveryStatus; n: number }>`
    select endpoint_id::int as "endpointId", status, count(*)::int as n
      from webhook_delivery
     where endpoint_id = any (${endpointIds}::bigint[]) and created_at >= ${since}
     group by endpoint_id, status`.execute(db);
  for (const r of rows) {
    const c = counts.get(r.endpointId);
    if (c) c[r.status] = r.n;
  }
  return counts;
}

/** Failed deliveries of the endpoint whose event happened since `since`. */
export async function countFailedSince(db: Db, endpointId: number, since: Date): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n
      from webhook_delivery d join outbox_event ev on ev.id = d.event_id
     where d.endpoint_id = ${endpointId} and d.status = 'failed' and ev.created_at >= ${since}`.execute(db);
  return rows[0]?.n ?? 0;
}

// Queued again, a delivery starts afresh: due now, its attempts and the
// 24 hours it is retried counted from now (webhook-delivery.ts), with the
// same id, so a receiver that already has it can tell. One in flight
// ('sending') is left to its worker.
const requeue = sql`status = 'pending', attempts = 0, next_attempt_at = now(), created_at = now(), delivered_at = null`;
const addJob = (id: ReturnType<typeof sql.ref>) =>
  sql`graphile_worker.add_job('webhook_deliver', json_build_object('deliveryId', ${id}),
        job_key => 'webhook_delivery:' || ${id}, max_attempts => 10)`;

/** Queues one delivery of the endpoint again; whether it did (not found or in flight: no). */
export async function requeueDelivery(db: Db, endpointId: number, deliveryId: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with again as (
      update webhook_delivery set ${requeue}
       where id = ${deliveryId} and endpoint_id = ${endpointId} and status <> 'sending'
      returning id)
    select again.id, ${addJob(sql.ref('again.id'))} from again`.execute(db);
  return rows.length > 0;
}

/** Queues again the endpoint's failed deliveries whose event happened since `since`; how many. */
export async function requeueFailedSince(db: Db, endpointId: number, since: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with chosen as (
      select d.id from webhook_delivery d join outbox_event ev on ev.id = d.event_id
       where d.endpoint_id = ${endpointId} and d.status = 'failed' and ev.created_at >= ${since}
       order by ev.created_at limit ${limit}),
    again as (
      update webhook_delivery d set ${requeue} from chosen where d.id = chosen.id returning d.id)
    select count(${addJob(sql.ref('again.id'))})::int as n from again`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Clears the pause and the failure mark; what they were, or undefined when it was not paused. */
export async function resumeEndpoint(
  db: Db,
  endpointId: number,
): Promise<{ pausedAt: Date; failingSince: Date | null } | undefined> {
  const { rows } = await sql<{ pausedAt: Date; failingSince: Date | null }>`
    update webhook_endpoint e set paused_at = null, failing_since = null
      from (select id, paused_at, failing_since from webhook_endpoint where id = ${endpointId} for update) old
     where e.id = old.id and old.paused_at is not null
    returning old.paused_at as "pausedAt", old.failing_since as "failingSince"`.execute(db);
  return rows[0];
}
