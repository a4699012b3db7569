import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { buildApp } from '../server/app.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { kioskCountsByDevice } from '../server/features/kiosk/kiosk-count-repository.ts';
import { KIOSK_COOKIE } from '../server/features/kiosk/kiosk-device-auth.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { newSecret, secretHash } from '../server/platform/secrets.ts';
import { expectApiError } from './helpers/api.ts';
import { createDesk, submitHeaders, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// "Mời đánh giá": an invitation for one transaction, from the API or the
// clerk's page, that wakes the desk's paired tablet within 2 seconds on
// whichever server process holds its long poll; and the kiosk channel in
// the report, by desk and by tablet.

const INVITE = '/api/v1/kiosk-invitations';
const NEXT = '/kiosk/api/invitations/next';

async function pairDevice(db: Db, deskId: number) {
  const token = newSecret(32);
  const row = await db
    .insertInto('kiosk_device')
    .values({ desk_id: deskId, token_hash: secretHash(token) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, cookies: { [KIOSK_COOKIE]: token } };
}

async function setup(t: Test) {
  const { app, db, config } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
  const centreCode = await unitCode(db, desk.centreId);
  const key = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'phần mềm một cửa' }))!.key;
  const device = await pairDevice(db, desk.deskId);
  const invite = (body: object, k = key, on: FastifyInstance = app) =>
    on.inject({ method: 'POST', url: INVITE, headers: { authorization: `Bearer ${k}` }, payload: body });
  const next = (after?: number | string, cookies = device.cookies, on: FastifyInstance = app) =>
    on.inject({ method: 'GET', url: after === undefined ? NEXT : `${NEXT}?after=${after}`, cookies });
  return { app, db, config, desk, centreCode, key, device, invite, next };
}

const invitations = (db: Db) => db.selectFrom('kiosk_invitation').selectAll().orderBy('id').execute();

t.test('the API invites: 201 with the invitation, ten minutes, audited', async (t) => {
  const { db, desk, invite } = await setup(t);
  const res = await invite({ desk: desk.code, serviceArea: 'ho-tich' });
  t.equal(res.statusCode, 201, res.body);
  const body = res.json();
  t.same(Object.keys(body).sort(), ['desk', 'expiresAt', 'id', 'serviceArea']);
  t.equal(body.desk, desk.code);
  t.equal(body.serviceArea, 'ho-tich');
  t.type(body.id, 'number');
  const minutes = (Date.parse(body.expiresAt) - Date.now()) / 60_000;
  t.ok(minutes > 9.9 && minutes <= 10, `expires in ten minutes (${minutes})`);
  const [row] = await invitations(db);
  t.equal(Number(row!.id), body.id);
  t.equal(row!.used_at, null);
  const audit = await db.selectFrom('audit_event').selectAll().where('action', '=', 'kiosk.invite').execute();
  t.equal(audit.length, 1);
  t.match(audit[0]!.detail, { deskId: desk.deskId, serviceArea: 'ho-tich', invitationId: body.id, via: 'api' });
  t.ok(audit[0]!.actor_key_id, 'the key is the actor');
});

t.test('the API refuses: another commune 404, a submit key 403, an area 422, no tablet 409', async (t) => {
  const { db, desk, invite } = await setup(t);
  const other = await createDesk(db, ['dat-dai']);
  const otherKey = (await createApiKey(db, {
    unitCode: await unitCode(db, other.centreId),
    role: 'manager',
    label: 'xã khác',
  }))!.key;
  expectApiError(t, await invite({ desk: desk.code, serviceArea: 'dat-dai' }, otherKey), 404, 'desk.unknown');
  expectApiError(t, await invite({ desk: 'khong-co-quay', serviceArea: 'dat-dai' }), 404, 'desk.unknown');
  const submit = (await submitHeaders(db, desk.centreId)).authorization.slice('Bearer '.length);
  expectApiError(t, await invite({ desk: desk.code, serviceArea: 'dat-dai' }, submit), 403, 'auth.role_not_allowed');
  const area = expectApiError(
    t,
    await invite({ desk: desk.code, serviceArea: 'y-te' }),
    422,
    'service_area.not_served',
  );
  t.equal(area.errors[0]?.path, 'serviceArea');
  expectApiError(t, await invite({ desk: desk.code, serviceArea: 'dat-dai', x: 1 }), 422, 'validation.failed');

  // A desk of the same centre with no tablet, then one whose only tablet was revoked.
  const bare = `q-bare-${desk.deskId}`;
  const bareId = await insertDesk(db, { unitId: desk.centreId, code: bare, name: 'Quầy 2', serviceAreas: ['dat-dai'] });
  const none = expectApiError(t, await invite({ desk: bare, serviceArea: 'dat-dai' }), 409, 'kiosk.no_device');
  t.match(none.message.en, /no paired counter tablet/);
  const revoked = await pairDevice(db, bareId);
  await db.updateTable('kiosk_device').set({ revoked_at: new Date() }).where('id', '=', revoked.id).execute();
  expectApiError(t, await invite({ desk: bare, serviceArea: 'dat-dai' }), 409, 'kiosk.no_device');
  t.equal((await invitations(db)).length, 0, 'nothing was made');
});

t.test('a newer invitation for the desk supersedes the open ones', async (t) => {
  const { db, desk, invite, next } = await setup(t);
  const first = (await invite({ desk: desk.code, serviceArea: 'dat-dai' })).json();
  const second = (await invite({ desk: desk.code, serviceArea: 'ho-tich' })).json();
  const rows = await invitations(db);
  t.ok(rows[0]!.expires_at.getTime() <= Date.now(), 'the first has expired');
  t.ok(rows[1]!.expires_at.getTime() > Date.now() + 9 * 60_000, 'the second is open');
  const res = await next(0);
  t.equal(res.statusCode, 200);
  t.same(res.json(), { invitation: { id: second.id, serviceArea: 'ho-tich', expiresAt: second.expiresAt } });
  t.not(res.json().invitation.id, first.id);
  const audit = await db.selectFrom('audit_event').select('detail').where('action', '=', 'kiosk.invite').execute();
  t.match(audit[1]!.detail, { superseded: 1 });
});

t.test("the clerk's page invites for their own desk only, when it has a tablet", async (t) => {
  const { app, db, desk, centreCode } = await setup(t);
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: centreCode });
  const page = await clerk.get(`/staff/desks/${desk.deskId}/codes`);
  t.match(page.body, new RegExp(`<form method="post" action="/staff/desks/${desk.deskId}/kiosk-invitations"`));
  t.match(page.body, /<button type="submit">Mời đánh giá<\/button>/);
  const res = await clerk.post(`/staff/desks/${desk.deskId}/kiosk-invitations`, { serviceArea: 'dat-dai' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/staff/desks/${desk.deskId}/codes?invited=1#kiosk-invite`);
  const done = await clerk.get(`/staff/desks/${desk.deskId}/codes?invited=1`);
  t.match(done.body, /Đã mời đánh giá trên máy tính bảng/);
  const rows = await invitations(db);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.service_area_code, 'dat-dai');
  t.ok(rows[0]!.created_by_user_id, 'made by the clerk');

  const wrongArea = await clerk.post(`/staff/desks/${desk.deskId}/kiosk-invitations`, { serviceArea: 'y-te' });
  t.equal(wrongArea.statusCode, 422);
  const noCsrf = await clerk.post(`/staff/desks/${desk.deskId}/kiosk-invitations`, {
    serviceArea: 'dat-dai',
    _csrf: 'x',
  });
  t.equal(noCsrf.statusCode, 403, 'CSRF checked');

  // Counter staff of another commune: the desk does not exist for them.
  const other = await createDesk(db, ['dat-dai']);
  const stranger = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, other.centreId) });
  const refused = await stranger.post(`/staff/desks/${desk.deskId}/kiosk-invitations`, { serviceArea: 'dat-dai' });
  t.equal(refused.statusCode, 404);
  const official = await staffClient(app, db, { role: 'official', unitCode: centreCode });
  t.equal(
    (await official.post(`/staff/desks/${desk.deskId}/kiosk-invitations`, { serviceArea: 'dat-dai' })).statusCode,
    403,
  );
  t.equal((await invitations(db)).length, 1, 'nothing more was made');

  // A desk without a tablet: no button, and a post is refused.
  const bareId = await insertDesk(db, {
    unitId: desk.centreId,
    code: `q-bare-${desk.deskId}`,
    name: 'Quầy 2',
    serviceAreas: ['dat-dai'],
  });
  t.notMatch((await clerk.get(`/staff/desks/${bareId}/codes`)).body, /Mời đánh giá/);
  t.equal((await clerk.post(`/staff/desks/${bareId}/kiosk-invitations`, { serviceArea: 'dat-dai' })).statusCode, 409);
});

t.test('the wait answers at once, after its hold, and not for a revoked tablet', async (t) => {
  const { app, db, desk, device, invite, next } = await setup(t);
  app.kioskInvitationWaits.settings.holdMs = 300;
  const made = (await invite({ desk: desk.code, serviceArea: 'dat-dai' })).json();
  const started = Date.now();
  const res = await next();
  t.ok(Date.now() - started < 250, 'at once, not after the hold');
  t.equal(res.statusCode, 200);
  t.equal(res.json().invitation.id, made.id);
  t.equal(res.headers['cache-control'], 'no-store');
  t.equal(res.headers['x-accel-buffering'], 'no');

  const held = Date.now();
  const empty = await next(made.id);
  t.equal(empty.statusCode, 204, 'nothing newer: 204 after the hold');
  t.ok(Date.now() - held >= 290, `held ${Date.now() - held} ms`);
  t.equal(empty.headers['cache-control'], 'no-store');
  t.equal((await next('abc')).statusCode, 400);

  // Used or expired invitations wake nobody.
  await db.updateTable('kiosk_invitation').set({ used_at: new Date() }).execute();
  t.equal((await next(0)).statusCode, 204);

  await db.updateTable('kiosk_device').set({ revoked_at: new Date() }).where('id', '=', device.id).execute();
  const revoked = await next(0);
  t.equal(revoked.statusCode, 401);
  t.equal(revoked.json().code, 'kiosk.revoked');
  t.equal((await app.inject({ method: 'GET', url: NEXT })).statusCode, 401, 'no credential');
});

t.test('an invitation made on another process wakes the waiting tablet within 2 s', async (t) => {
  const { app, db, config, desk, invite, next } = await setup(t);
  // The second process: its own app and listener, on the same database.
  const other = await buildApp({ config, db });
  t.teardown(() => other.close());
  const waits = app.kioskInvitationWaits;
  // No fallback re-check during the test: only the notification can wake it.
  waits.settings.recheckMs = 60_000;
  waits.settings.holdMs = 10_000;
  const pending = next(0);
  for (let i = 0; i < 200 && !(waits.waiting === 1 && waits.listening); i++)
    await new Promise((r) => setTimeout(r, 10));
  t.ok(waits.listening, 'the waiting process listens');
  const started = Date.now();
  const made = await invite({ desk: desk.code, serviceArea: 'ho-tich' }, undefined, other);
  t.equal(made.statusCode, 201);
  const res = await pending;
  const elapsed = Date.now() - started;
  t.equal(res.statusCode, 200);
  t.equal(res.json().invitation.id, made.json().id);
  t.ok(elapsed < 2_000, `woken ${elapsed} ms after the call`);
  t.equal(waits.waiting, 0, 'nobody left waiting');
});

t.test('a missed notification is caught by the re-check; limits; close', async (t) => {
  const { app, db, desk, next } = await setup(t);
  const waits = app.kioskInvitationWaits;
  waits.settings.recheckMs = 200;
  waits.settings.holdMs = 5_000;
  const pending = next(0);
  while (waits.waiting === 0) await new Promise((r) => setTimeout(r, 10));
  // Made behind the app's back: no pg_notify.
  await db
    .insertInto('kiosk_invitation')
    .values({ desk_id: desk.deskId, service_area_code: 'dat-dai', expires_at: new Date(Date.now() + 60_000) })
    .execute();
  const started = Date.now();
  t.equal((await pending).statusCode, 200);
  t.ok(Date.now() - started < 1_500, 'found by the re-check');

  // A tablet waits once: its new request replaces the old one.
  const id = Number((await invitations(db))[0]!.id);
  const first = next(id);
  while (waits.waiting === 0) await new Promise((r) => setTimeout(r, 10));
  const second = next(id);
  t.equal((await first).statusCode, 204, 'the older request is answered');
  // Past the limit, another tablet is told to come back.
  waits.settings.maxWaiting = 1;
  const otherDevice = await pairDevice(db, desk.deskId);
  const busy = await next(id, otherDevice.cookies);
  t.equal(busy.statusCode, 503);
  t.equal(busy.headers['retry-after'], '10');
  // Closing (the app's preClose hook) answers what is held at once, and takes no new waits.
  const closing = Date.now();
  await waits.close();
  t.equal((await second).statusCode, 204);
  t.ok(Date.now() - closing < 1_000, `not held through the close (${Date.now() - closing} ms)`);
  t.equal(waits.waiting, 0);
  t.notOk(waits.listening, 'the listening connection is closed');
  t.equal((await next(id)).statusCode, 204, 'a wait after the close is answered at once');
});

t.test('a tablet that goes away stops waiting', async (t) => {
  const { app, device } = await setup(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const waits = app.kioskInvitationWaits;
  const req = http.get({
    host: '127.0.0.1',
    port,
    path: NEXT,
    headers: { cookie: `${KIOSK_COOKIE}=${device.cookies[KIOSK_COOKIE]}` },
  });
  req.on('error', () => {});
  while (waits.waiting === 0) await new Promise((r) => setTimeout(r, 10));
  req.destroy();
  for (let i = 0; i < 100 && waits.waiting > 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.equal(waits.waiting, 0, 'its wait is dropped');
});

t.test('the report shows the kiosk channel by desk and by tablet', async (t) => {
  const { app, db, desk, device } = await setup(t);
  const second = await pairDevice(db, desk.deskId);
  const headers = await submitHeaders(db, desk.centreId);
  const answers = { access: 5, procedure: 5, staff: 5, result: 5, feedback: 'na', overall: 5 };
  for (let i = 0; i < 6; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/responses',
      headers,
      payload: { desk: desk.code, serviceArea: 'dat-dai', submissionId: randomUUID(), answers },
    });
    t.equal(res.statusCode, 201);
  }
  // Six identical answers in a row look like stuffing: cleared, as a reviewer would.
  await db.updateTable('response').set({ suspect: false, suspect_reason: null }).execute();
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, desk.communeId) });
  const today = todayIso(new Date());
  const url = `/staff/reports?unitId=${desk.communeId}&period=custom&from=${today}&to=${today}`;
  t.notMatch((await official.get(url)).body, /<h2 id="kiosk">/, 'no kiosk responses, no table');

  // Three from the first tablet, one from the second, one from a kiosk app through the API, one not kiosk.
  const ids = (await db.selectFrom('response').select('id').orderBy('id').execute()).map((r) => r.id);
  const kiosk = (idList: string[], deviceId: number | null) =>
    db.updateTable('response').set({ channel: 'kiosk', kiosk_device_id: deviceId }).where('id', 'in', idList).execute();
  await kiosk(ids.slice(0, 3), device.id);
  await kiosk([ids[3]!], second.id);
  await kiosk([ids[4]!], null);
  const body = (await official.get(url)).body;
  t.match(body, /Máy tính bảng tại quầy<\/th>\s*<td class="num">5<\/td>/, 'the channel under its new name');
  t.match(body, /<h2 id="kiosk">Máy tính bảng tại quầy<\/h2>/);
  const row = (device: string, n: number) =>
    new RegExp(`Quầy 1 \\([^)]*\\)</th>\\s*<td>${device}[^<]*</td>\\s*<td class="num">${n}</td>`);
  t.match(body, row(`Máy số ${device.id}, ghép ngày`, 3));
  t.match(body, row(`Máy số ${second.id}, ghép ngày`, 1));
  t.match(body, row('Cả quầy', 4));
  t.match(body, /Ứng dụng ki-ốt khác<\/th>\s*<td>Gửi qua API[^<]*<\/td>\s*<td class="num">1<\/td>/);
  t.match(body, /Tổng<\/th>\s*<td><\/td>\s*<td class="num">5<\/td>/);

  const byDevice = await kioskCountsByDevice(db, desk.deskId, today, today);
  t.same(
    byDevice.map((d) => [d.deviceId, d.n]),
    [
      [device.id, 3],
      [second.id, 1],
    ],
  );
  const third = await pairDevice(db, desk.deskId);
  t.same(
    (await kioskCountsByDevice(db, desk.deskId, today, today)).at(-1),
    {
      deviceId: third.id,
      pairedAt: (
        await db.selectFrom('kiosk_device').select('paired_at').where('id', '=', third.id).executeTakeFirstOrThrow()
      ).paired_at,
      revokedAt: null,
      n: 0,
    },
    'a tablet without responses counts 0',
  );
  t.same(
    (await kioskCountsByDevice(db, desk.deskId, '2020-01-01', '2020-01-31')).map((d) => d.n),
    [0, 0, 0],
  );
});
