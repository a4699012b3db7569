import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Channel } from '../../platform/db/schema.ts';
import { newSecret, secretHash } from '../../platform/secrets.ts';
import { findUnitId } from '../organisation/unit-repository.ts';
import { type ApiPrincipal, insertApiKey } from './api-key-repository.ts';

/**
 * Creates an API key for a unit and its subtree. The key is returned once and
 * never stored: only its hash, and a short prefix to recognise it in lists.
 */
export async function createApiKey(
  db: Db,
  input: { unitCode: string; role: ApiPrincipal['role']; label: string; channels?: Channel[] },
  actor: { userId: number | null; label: string } = { userId: null, label: 'cli' },
): Promise<{ key: string; id: number; channels: Channel[] } | undefined> {
  const unitId = await findUnitId(db, input.unitCode);
  if (!unitId) return undefined;
  // A submit key posts on the channels it is granted, the API by default.
  const channels =
    input.role === 'submit' ? (input.channels?.length ? [...new Set(input.channels)] : ['api' as const]) : [];
  const key = `hl_${newSecret(32)}`;
  const id = await insertApiKey(db, {
    unitId,
    role: input.role,
    channels,
    label: input.label,
    keyPrefix: key.slice(0, 10),
    keyHash: secretHash(key),
  });
  await recordAudit(db, {
    actorUserId: actor.userId,
    actorLabel: actor.label,
    unitId,
    action: 'apikey.create',
    detail: { keyId: id, role: input.role, channels, label: input.label, prefix: key.slice(0, 10) },
  });
  return { key, id, channels };
}
