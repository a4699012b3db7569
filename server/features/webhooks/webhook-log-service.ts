import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  countDeliveriesSince,
  countFailedSince,
  type DeliveryRow,
  type DeliveryStatus,
  listDeliveries,
  requeueDelivery,
  requeueFailedSince,
  resumeEndpoint,
} from './webhook-log-repository.ts';
import { type EndpointRow, findEndpointInScope, listEndpoints } from './webhook-repository.ts';
import { auditActor, type WebhookActor } from './webhook-service.ts';

// The staff page's view of deliveries, and what a staff member may do about
// them: send one again, resume a paused endpoint, send again what failed
// around the pause. Each change is audited with the endpoint's unit.

/** How far back the list counts deliveries. */
export const COUNT_DAYS = 7;
/**
 * How far back "send again what failed" reaches: an endpoint is paused after
 * 24 hours of failures and may stay paused over a weekend, so a day would
 * leave most of what it missed behind.
 */
export const RESEND_FAILED_HOURS = 72;
/** At most this many at once: an endpoint failing for days may have many. */
export const RESEND_FAILED_LIMIT = 1000;

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

export interface EndpointWithCounts extends EndpointRow {
  counts: Record<DeliveryStatus, number>;
}

/** The endpoints of the actor's subtree, each with its deliveries of the last COUNT_DAYS days by status. */
export async function webhookList(db: Db, actor: WebhookActor): Promise<EndpointWithCounts[]> {
  const endpoints = await listEndpoints(db, actor.unitPath);
  const counts = await countDeliveriesSince(
    db,
    endpoints.map((e) => e.id),
    hoursAgo(24 * COUNT_DAYS),
  );
  return endpoints.map((e) => ({ ...e, counts: counts.get(e.id)! }));
}

/** The endpoint if it is in the actor's subtree. */
export function webhookInScope(db: Db, actor: WebhookActor, id: number): Promise<EndpointRow | undefined> {
  return findEndpointInScope(db, id, actor.unitPath);
}

export interface WebhookLog {
  deliveries: DeliveryRow[];
  /** Failed deliveries "send again what failed" would take. */
  failedRecently: number;
}

export async function webhookLog(db: Db, endpoint: EndpointRow): Promise<WebhookLog> {
  const [deliveries, failedRecently] = await Promise.all([
    listDeliveries(db, endpoint.id),
    countFailedSince(db, endpoint.id, hoursAgo(RESEND_FAILED_HOURS)),
  ]);
  return { deliveries, failedRecently };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Resent = 'resent' | 'not_found' | 'paused';

/**
 * Queues one delivery again, with its id unchanged. Not while the endpoint
 * is paused: the attempt would be skipped at once (resume it first).
 */
export async function resendDelivery(
  db: Db,
  actor: WebhookActor,
  endpoint: EndpointRow,
  deliveryId: string,
): Promise<Resent> {
  if (!UUID.test(deliveryId)) return 'not_found';
  if (endpoint.pausedAt) return 'paused';
  return db.transaction().execute(async (trx): Promise<Resent> => {
    if (!(await requeueDelivery(trx, endpoint.id, deliveryId))) return 'not_found';
    await recordAudit(trx, {
      ...auditActor(actor),
      unitId: endpoint.unitId,
      action: 'webhook.resend',
      detail: { id: endpoint.id, deliveryId },
    });
    return 'resent';
  });
}

/** Sends again the endpoint's recent failed deliveries (RESEND_FAILED_HOURS); how many, or undefined while paused. */
export async function resendFailed(db: Db, actor: WebhookActor, endpoint: EndpointRow): Promise<number | undefined> {
  if (endpoint.pausedAt) return undefined;
  return db.transaction().execute(async (trx) => {
    const n = await requeueFailedSince(trx, endpoint.id, hoursAgo(RESEND_FAILED_HOURS), RESEND_FAILED_LIMIT);
    if (n > 0) {
      await recordAudit(trx, {
        ...auditActor(actor),
        unitId: endpoint.unitId,
        action: 'webhook.resend',
        detail: { id: endpoint.id, failed: n },
      });
    }
    return n;
  });
}

/** Clears the pause and the failure mark; whether it was paused. */
export async function resumeWebhook(db: Db, actor: WebhookActor, endpoint: EndpointRow): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const was = await resumeEndpoint(trx, endpoint.id);
    if (!was) return false;
    await recordAudit(trx, {
      ...auditActor(actor),
      unitId: endpoint.unitId,
      action: 'webhook.resume',
      detail: {
        id: endpoint.id,
        pausedAt: was.pausedAt.toISOString(),
        failingSince: was.failingSince?.toISOString() ?? null,
      },
    });
    return true;
  });
}
