import { randomUUID } from 'node:crypto';
import t from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { expectApiError } from './helpers/api.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { kioskSetup, pairTablet, probe } from './helpers/kiosk-pairing.ts';
import { staffClient } from './helpers/staff.ts';

// A desk's counter tablets (issue 15): listed with their last contact and
// queue for managers, on the desk page and through the API; revoked in a
// click or by DELETE, after which the tablet is refused (401 kiosk.revoked);
// audited; nothing of another commune's tablets is seen or changed.

const DEVICES = '/api/v1/kiosk-devices';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

t.test('the API lists a desk’s tablets and revokes one; the tablet is refused from then on', async (t) => {
  const { app, db, key, deskCode, centreId } = await kioskSetup(t);
  const first = await pairTablet(app, key.key, deskCode);
  const second = await pairTablet(app, key.key, deskCode);
  // The second tablet says it holds 3 answers not yet sent.
  t.equal((await probe(app, second.token, '?queued=3')).statusCode, 200);

  const list = await app.inject({ url: `${DEVICES}?desk=${deskCode}`, headers: bearer(key.key) });
  t.equal(list.statusCode, 200);
  const devices = list.json() as Record<string, unknown>[];
  t.same(
    devices.map((d) => Object.keys(d).sort()),
    [0, 1].map(() => ['desk', 'id', 'lastSeenAt', 'pairedAt', 'queued', 'revoked']),
  );
  t.match(devices, [
    { id: first.deviceId, desk: deskCode, queued: 0, revoked: false },
    { id: second.deviceId, desk: deskCode, queued: 3, revoked: false },
  ]);
  for (const d of devices) {
    t.ok(Date.parse(String(d.pairedAt)) > Date.now() - 60_000, 'pairedAt is an ISO time');
    t.ok(Date.parse(String(d.lastSeenAt)) > Date.now() - 60_000, 'lastSeenAt: the probe was a contact');
  }

  const revoked = await app.inject({ method: 'DELETE', url: `${DEVICES}/${first.deviceId}`, headers: bearer(key.key) });
  t.equal(revoked.statusCode, 204);
  const row = await db
    .selectFrom('kiosk_device')
    .selectAll()
    .where('id', '=', first.deviceId)
    .executeTakeFirstOrThrow();
  t.ok(row.revoked_at, 'revoked_at set');
  t.equal(row.revoked_by_key_id, key.id, 'revoked_by the key');
  const refused = await probe(app, first.token);
  t.equal(refused.statusCode, 401);
  t.equal(refused.json().code, 'kiosk.revoked', 'the revoked tablet is told so');
  t.equal((await probe(app, second.token)).statusCode, 200, 'the other tablet works on');

  const again = await app.inject({ method: 'DELETE', url: `${DEVICES}/${first.deviceId}`, headers: bearer(key.key) });
  t.equal(again.statusCode, 204, 'revoking again is harmless');
  const audit = await db.selectFrom('audit_event').selectAll().where('action', '=', 'kiosk.revoke').execute();
  t.equal(audit.length, 1, 'audited once');
  t.equal(audit[0]!.unit_id, centreId);
  t.equal(audit[0]!.actor_key_id, key.id);
  t.match(audit[0]!.detail, { deviceId: first.deviceId, desk: deskCode, via: 'api' });
  const after = (await app.inject({ url: `${DEVICES}?desk=${deskCode}`, headers: bearer(key.key) })).json();
  t.match(after, [
    { id: first.deviceId, revoked: true },
    { id: second.deviceId, revoked: false },
  ]);

  for (const bad of ['0', 'abc', '99999999999', String(second.deviceId + 1000)]) {
    const res = await app.inject({ method: 'DELETE', url: `${DEVICES}/${bad}`, headers: bearer(key.key) });
    expectApiError(t, res, 404, 'kiosk_device.not_found');
  }
  expectApiError(t, await app.inject({ url: DEVICES, headers: bearer(key.key) }), 422, 'validation.failed');
  expectApiError(t, await app.inject({ url: `${DEVICES}?desk=${deskCode}` }), 401, 'auth.key_required');
});

t.test('the desk page lists the tablets and revokes one in a click', async (t) => {
  const { app, db, key, deskId, deskCode, centreCode } = await kioskSetup(t);
  const tablet = await pairTablet(app, key.key, deskCode);
  // Two ratings from the tablet, counted on its row.
  const sent = await app.inject({
    method: 'POST',
    url: '/kiosk/api/answers',
    cookies: { hl_kiosk: tablet.token },
    payload: {
      items: [0, 1].map((i) => ({
        submissionId: randomUUID(),
        answers: { overall: 5 },
        answeredAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
        locale: 'vi',
      })),
    },
  });
  t.match(sent.json(), { results: [{ status: 'created' }, { status: 'created' }] });
  await probe(app, tablet.token, '?queued=4');
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centreCode });
  const page = await manager.get(`/staff/desks/${deskId}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Máy tính bảng tại quầy');
  t.match(page.body, `Máy số ${tablet.deviceId}`);
  t.match(page.body, /data-label="Đang chờ gửi">4</);
  t.match(page.body, /data-label="Phiếu 30 ngày qua">2</, 'the ratings of the last 30 days');
  t.match(page.body, /data-label="Liên lạc gần nhất">\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}</);
  const action = `/staff/desks/${deskId}/kiosk-devices/${tablet.deviceId}/revoke`;
  t.match(page.body, new RegExp(`action="${action}"[^>]*hx-confirm=`), 'a confirmation before revoking');

  // A clerk sees the desk, not its tablets, and cannot revoke.
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: centreCode });
  t.notMatch((await clerk.get(`/staff/desks/${deskId}`)).body, 'Máy tính bảng tại quầy');
  t.equal((await clerk.post(action)).statusCode, 403);
  // Without the CSRF token, nothing happens.
  t.equal((await manager.post(action, { _csrf: 'sai' })).statusCode, 403);
  t.equal((await probe(app, tablet.token)).statusCode, 200, 'still paired');

  const done = await manager.post(action);
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/staff/desks/${deskId}#kiosk`);
  const refused = await probe(app, tablet.token);
  t.equal(refused.statusCode, 401);
  t.equal(refused.json().code, 'kiosk.revoked');
  const row = await db.selectFrom('kiosk_device').selectAll().executeTakeFirstOrThrow();
  t.ok(row.revoked_by_user_id, 'revoked by the manager');
  const shown = (await manager.get(`/staff/desks/${deskId}`)).body;
  t.match(shown, 'Đã thu hồi');
  t.notMatch(shown, action, 'no button for a revoked tablet');
  const audit = await db.selectFrom('audit_event').selectAll().where('action', '=', 'kiosk.revoke').execute();
  t.equal(audit.length, 1);
  t.equal(audit[0]!.actor_user_id, row.revoked_by_user_id);
  t.match(audit[0]!.detail, { via: 'staff', deviceId: tablet.deviceId });
});

t.test('another commune’s managers, keys and other roles get nothing and change nothing', async (t) => {
  const { app, db, key, deskId, deskCode, centreCode } = await kioskSetup(t);
  const tablet = await pairTablet(app, key.key, deskCode);
  const other = await createCentre(db, 'Xã Bên Cạnh');
  const otherCode = await unitCode(db, other.centreId);
  const otherDesk = await insertDesk(db, {
    unitId: other.centreId,
    code: `quay-ben-canh-${other.centreId}`,
    name: 'Quầy bên cạnh',
    serviceAreas: ['dat-dai'],
  });
  const otherKey = (await createApiKey(db, { unitCode: otherCode, role: 'manager', label: 'khóa bên cạnh' }))!;
  const before = await db.selectFrom('kiosk_device').selectAll().execute();

  const list = await app.inject({ url: `${DEVICES}?desk=${deskCode}`, headers: bearer(otherKey.key) });
  expectApiError(t, list, 404, 'desk.unknown');
  const del = await app.inject({
    method: 'DELETE',
    url: `${DEVICES}/${tablet.deviceId}`,
    headers: bearer(otherKey.key),
  });
  expectApiError(t, del, 404, 'kiosk_device.not_found');
  t.notMatch(del.body, deskCode);
  for (const role of ['official', 'submit'] as const) {
    const k = (await createApiKey(db, { unitCode: centreCode, role, label: role, channels: ['kiosk'] }))!;
    const own = await app.inject({ url: `${DEVICES}?desk=${deskCode}`, headers: bearer(k.key) });
    expectApiError(t, own, 403, 'auth.role_not_allowed');
    const gone = await app.inject({ method: 'DELETE', url: `${DEVICES}/${tablet.deviceId}`, headers: bearer(k.key) });
    expectApiError(t, gone, 403, 'auth.role_not_allowed');
  }

  const outsider = await staffClient(app, db, { role: 'manager', unitCode: otherCode });
  const page = await outsider.get(`/staff/desks/${deskId}`);
  t.equal(page.statusCode, 404);
  t.equal((await outsider.post(`/staff/desks/${deskId}/kiosk-devices/${tablet.deviceId}/revoke`)).statusCode, 404);
  // A's tablet through B's own desk: the device must be the desk's.
  t.equal((await outsider.post(`/staff/desks/${otherDesk}/kiosk-devices/${tablet.deviceId}/revoke`)).statusCode, 404);
  t.equal((await outsider.post(`/staff/desks/${deskId}/kiosk-idle`, { seconds: '60' })).statusCode, 404);

  t.same(await db.selectFrom('kiosk_device').selectAll().execute(), before, 'no tablet changed');
  t.equal((await probe(app, tablet.token)).statusCode, 200, 'the tablet still works');
  t.equal(
    (await db.selectFrom('audit_event').select('id').where('action', '=', 'kiosk.revoke').execute()).length,
    0,
    'nothing revoked',
  );
  const idle = await db
    .selectFrom('desk')
    .select('kiosk_idle_seconds')
    .where('id', '=', deskId)
    .executeTakeFirstOrThrow();
  t.equal(idle.kiosk_idle_seconds, 10);
});
