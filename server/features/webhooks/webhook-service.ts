import { randomBytes } from 'node:crypto';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  countEndpoints,
  deleteEndpointInScope,
  type EndpointRow,
  findUnitInScope,
  insertEndpoint,
  listEndpoints,
} from './webhook-repository.ts';
import { checkWebhookUrl } from './webhook-url.ts';

// Registering, listing and deleting webhook endpoints, for a unit in the
// actor's subtree: one set of rules whether a manager or official key calls
// the API or a staff member uses the page. The secret is kept to sign and
// never shown again. The audit log keeps the URL's origin only: a path may
// hold a token.

export const MAX_ENDPOINTS_PER_UNIT = 10;

/** Who acts: a staff user (the page) or an API key; exactly one of the ids is set. */
export type WebhookActor = Pick<Actor, 'userId' | 'keyId' | 'unitId' | 'unitPath'>;

/** Managers, officials and admins manage webhooks; counter staff do not. */
export function canManageWebhooks(actor: Pick<Actor, 'role'>): boolean {
  return can(actor, 'manage') || can(actor, 'oversee');
}

/** A secret for a receiver registered on the page: 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The audit's actor columns for a webhook actor. */
export function auditActor(actor: WebhookActor) {
  return { actorUserId: actor.userId, actorKeyId: actor.keyId };
}

export type Registered =
  | { status: 'created'; endpoint: EndpointRow }
  | { status: 'unit_not_found' }
  | { status: 'url_refused'; reason: { en: string; vi: string } }
  | { status: 'too_many' };

/**
 * Registers an endpoint for `unit` (a code in the actor's subtree; the
 * actor's own unit when left out). A staff member who registers it becomes
 * its owner, told by mail if it is ever paused.
 */
export async function registerWebhook(
  db: Db,
  actor: WebhookActor,
  input: { unit?: string; url: string; events: string[]; secret: string },
  opts: { allowPrivate: boolean },
): Promise<Registered> {
  const unitId = input.unit ? await findUnitInScope(db, input.unit, actor.unitPath) : actor.unitId;
  if (unitId === undefined || unitId === null) return { status: 'unit_not_found' };
  const checked = checkWebhookUrl(input.url, opts);
  if (!checked.ok) return { status: 'url_refused', reason: checked.reason };
  return db.transaction().execute(async (trx) => {
    if ((await countEndpoints(trx, unitId)) >= MAX_ENDPOINTS_PER_UNIT) return { status: 'too_many' as const };
    const endpoint = await insertEndpoint(trx, {
      unitId,
      url: checked.url.toString(),
      events: [...new Set(input.events)],
      secret: input.secret,
      createdBy: actor.userId !== null ? `user ${actor.userId}` : `key ${actor.keyId}`,
      ownerUserId: actor.userId,
    });
    await recordAudit(trx, {
      ...auditActor(actor),
      unitId,
      action: 'webhook.create',
      detail: { id: endpoint.id, origin: checked.url.origin, events: endpoint.events },
    });
    return { status: 'created' as const, endpoint };
  });
}

/** The actor's endpoints, or only those of one unit it reaches; undefined for a unit it does not. */
export async function listWebhooks(db: Db, actor: WebhookActor, unit?: string): Promise<EndpointRow[] | undefined> {
  if (unit && (await findUnitInScope(db, unit, actor.unitPath)) === undefined) return undefined;
  const all = await listEndpoints(db, actor.unitPath);
  return unit ? all.filter((e) => e.unitCode === unit) : all;
}

/** Whether it was deleted; an endpoint outside the actor's units is as one that does not exist. */
export async function deleteWebhook(db: Db, actor: WebhookActor, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const unitId = await deleteEndpointInScope(trx, id, actor.unitPath);
    if (unitId === undefined) return false;
    await recordAudit(trx, { ...auditActor(actor), unitId, action: 'webhook.delete', detail: { id } });
    return true;
  });
}
