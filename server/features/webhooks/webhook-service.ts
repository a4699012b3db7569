import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { ApiPrincipal } from '../access/api-key-repository.ts';
import {
  countEndpoints,
  deleteEndpointInScope,
  type EndpointRow,
  findUnitInScope,
  insertEndpoint,
  listEndpoints,
} from './webhook-repository.ts';
import { checkWebhookUrl } from './webhook-url.ts';

// Registering, listing and deleting webhook endpoints with a manager or
// official key, for the key's unit or a unit below it. The secret is given
// by the registrant (they must keep it to verify signatures) and never shown
// again. The audit log keeps the URL's origin only: a path may hold a token.

export const MAX_ENDPOINTS_PER_UNIT = 10;

export type Registered =
  | { status: 'created'; endpoint: EndpointRow }
  | { status: 'unit_not_found' }
  | { status: 'url_refused'; reason: { en: string; vi: string } }
  | { status: 'too_many' };

export async function registerWebhook(
  db: Db,
  key: ApiPrincipal,
  input: { unit?: string; url: string; events: string[]; secret: string },
  opts: { allowPrivate: boolean },
): Promise<Registered> {
  const unitId = input.unit ? await findUnitInScope(db, input.unit, key.unitPath) : key.unitId;
  if (unitId === undefined) return { status: 'unit_not_found' };
  const checked = checkWebhookUrl(input.url, opts);
  if (!checked.ok) return { status: 'url_refused', reason: checked.reason };
  return db.transaction().execute(async (trx) => {
    if ((await countEndpoints(trx, unitId)) >= MAX_ENDPOINTS_PER_UNIT) return { status: 'too_many' as const };
    const endpoint = await insertEndpoint(trx, {
      unitId,
      url: checked.url.toString(),
      events: [...new Set(input.events)],
      secret: input.secret,
      createdBy: `key ${key.keyId}`,
    });
    await recordAudit(trx, {
      actorKeyId: key.keyId,
      unitId,
      action: 'webhook.create',
      detail: { id: endpoint.id, origin: checked.url.origin, events: endpoint.events },
    });
    return { status: 'created' as const, endpoint };
  });
}

/** The key's endpoints, or only those of one unit it reaches; undefined for a unit it does not. */
export async function listWebhooks(db: Db, key: ApiPrincipal, unit?: string): Promise<EndpointRow[] | undefined> {
  if (unit && (await findUnitInScope(db, unit, key.unitPath)) === undefined) return undefined;
  const all = await listEndpoints(db, key.unitPath);
  return unit ? all.filter((e) => e.unitCode === unit) : all;
}

/** Whether it was deleted; an endpoint outside the key's units is as one that does not exist. */
export async function deleteWebhook(db: Db, key: ApiPrincipal, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const unitId = await deleteEndpointInScope(trx, id, key.unitPath);
    if (unitId === undefined) return false;
    await recordAudit(trx, { actorKeyId: key.keyId, unitId, action: 'webhook.delete', detail: { id } });
    return true;
  });
}
