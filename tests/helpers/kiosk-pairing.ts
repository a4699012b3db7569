import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { requireDevice } from '../../server/features/kiosk/kiosk-device-auth.ts';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { createCentre, unitCode } from './fixtures.ts';
import { testApp } from './harness.ts';

// What the pairing and device tests share: a desk with a manager key, a
// pairing code from the API, a tablet paired with it, and a probe route
// behind requireDevice (the tablet's own routes are another file's).

export const PROBE = '/kiosk/api/test-probe';

export async function kioskSetup(t: Test) {
  const { app, db, config } = await testApp(t);
  app.get(PROBE, { preHandler: requireDevice }, async (req) => ({ deviceId: req.kioskDevice!.id }));
  const centre = await createCentre(db, 'Xã Máy Tính Bảng');
  const centreCode = await unitCode(db, centre.centreId);
  const deskCode = `quay-kiosk-${centre.centreId}`;
  const deskId = await insertDesk(db, {
    unitId: centre.centreId,
    code: deskCode,
    name: 'Quầy Một Cửa Số 1',
    serviceAreas: ['dat-dai'],
  });
  const key = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'phần mềm một cửa' }))!;
  return { app, db, config, ...centre, centreCode, deskCode, deskId, key };
}

export function requestCode(app: FastifyInstance, key: string, desk: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/kiosk-pairings',
    headers: { authorization: `Bearer ${key}` },
    payload: { desk },
  });
}

export function redeem(app: FastifyInstance, code: unknown, remoteAddress = '198.51.100.1') {
  return app.inject({ method: 'POST', url: '/kiosk/api/pair', payload: { code }, remoteAddress });
}

/** A tablet paired through the API and the pairing step: its credential cookie and device id. */
export async function pairTablet(app: FastifyInstance, key: string, desk: string, remoteAddress?: string) {
  const code = (await requestCode(app, key, desk)).json().pairingCode as string;
  const res = await redeem(app, code, remoteAddress);
  if (res.statusCode !== 200) throw new Error(`pairing failed: ${res.statusCode} ${res.body}`);
  const token = res.cookies.find((c) => c.name === 'hl_kiosk')!.value;
  const probe = await app.inject({ url: PROBE, cookies: { hl_kiosk: token } });
  return { token, deviceId: probe.json().deviceId as number };
}

export function probe(app: FastifyInstance, token: string, query = '') {
  return app.inject({ url: `${PROBE}${query}`, cookies: { hl_kiosk: token } });
}
