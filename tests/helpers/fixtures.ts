import { randomBytes } from 'node:crypto';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../../server/features/organisation/unit-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import type { Channel } from '../../server/platform/db/schema.ts';

const suffix = () => randomBytes(3).toString('hex');

/** A province → commune → centre chain, each with a unique code. */
export async function createCentre(db: Db, name = 'Xã Thử Nghiệm') {
  const s = suffix();
  const provinceId = await insertUnit(db, {
    code: `p-${s}`,
    name: 'Tỉnh Thử Nghiệm',
    kind: 'province',
    parent_id: null,
  });
  const communeId = await insertUnit(db, { code: `c-${s}`, name, kind: 'commune', parent_id: provinceId });
  const centreId = await insertUnit(db, {
    code: `tt-${s}`,
    name: `Trung tâm Phục vụ hành chính công ${name}`,
    kind: 'centre',
    parent_id: communeId,
  });
  return { provinceId, communeId, centreId };
}

/** A desk in a new centre serving the given service areas. */
export async function createDesk(db: Db, serviceAreas: string[], code = `q-${suffix()}`) {
  const centre = await createCentre(db);
  const deskId = await insertDesk(db, { unitId: centre.centreId, code, name: 'Quầy 1', serviceAreas });
  return { ...centre, deskId, code };
}

/** Answers that the quick survey accepts, as the web form posts them. */
export const VALID_FORM_ANSWERS: Record<string, string> = {
  access: '4',
  procedure: '5',
  staff: '5',
  result: '4',
  feedback: 'na',
  overall: '5',
  trips: '1',
  comment: 'Cán bộ hướng dẫn tận tình.',
};

/** A unit's code, for staffClient({ unitCode }) and createApiKey. */
export async function unitCode(db: Db, id: number): Promise<string> {
  return (await db.selectFrom('unit').select('code').where('id', '=', id).executeTakeFirstOrThrow()).code;
}

/**
 * The Authorization header of a new submit key for a unit and its subtree
 * (the response API needs one), granted every channel unless told otherwise.
 */
export async function submitHeaders(
  db: Db,
  unitId: number,
  channels: Channel[] = ['api', 'kiosk', 'paper', 'link'],
): Promise<{ authorization: string }> {
  const created = await createApiKey(db, {
    unitCode: await unitCode(db, unitId),
    role: 'submit',
    channels,
    label: 'gửi phiếu thử',
  });
  if (!created) throw new Error(`no unit ${unitId}`);
  return { authorization: `Bearer ${created.key}` };
}

const deskKeys = new WeakMap<Db, Map<string, Promise<{ authorization: string }>>>();

/**
 * Submit-key headers that reach a desk (for an unknown desk code, a key of a
 * new unit of its own), one key per desk and database: for tests that post
 * to the response API as a kiosk app of that desk would.
 */
export function deskSubmitHeaders(db: Db, deskCode: unknown): Promise<{ authorization: string }> {
  let keys = deskKeys.get(db);
  if (!keys) {
    keys = new Map();
    deskKeys.set(db, keys);
  }
  const code = typeof deskCode === 'string' ? deskCode : '';
  let headers = keys.get(code);
  if (!headers) {
    headers = (async () => {
      const desk = await db.selectFrom('desk').select('unit_id').where('code', '=', code).executeTakeFirst();
      return submitHeaders(db, desk?.unit_id ?? (await createCentre(db)).centreId);
    })();
    keys.set(code, headers);
  }
  return headers;
}
