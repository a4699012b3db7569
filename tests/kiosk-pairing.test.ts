import t from 'tap';
import { buildApp } from '../server/app.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { PAIRING_ALPHABET } from '../server/features/kiosk/kiosk-pairing-code.ts';
import { secretHash } from '../server/platform/secrets.ts';
import { expectApiError } from './helpers/api.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL } from './helpers/harness.ts';
import { kioskSetup, probe, redeem, requestCode } from './helpers/kiosk-pairing.ts';
import { staffClient } from './helpers/staff.ts';

// Pairing a counter tablet (issue 15): a manager's 8-character code, from the
// desk page or the API, valid ten minutes and once; the tablet gets a
// long-lived HttpOnly credential of which only the hash is stored; wrong
// guesses are throttled; nothing is paired outside the manager's units.

const CODE = new RegExp(`^[${PAIRING_ALPHABET}]{8}$`);

t.test('a manager gets a code on the desk page; the tablet redeems it once for its credential', async (t) => {
  const { app, db, deskId, deskCode, centreCode, centreId } = await kioskSetup(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centreCode });
  const desk = await manager.get(`/staff/desks/${deskId}`);
  t.match(desk.body, 'Máy tính bảng tại quầy');
  t.match(desk.body, 'Ghép máy tính bảng');

  const page = await manager.post(`/staff/desks/${deskId}/kiosk-pairings`);
  t.equal(page.statusCode, 200);
  const shown = /<code>([A-Z0-9]{4})-([A-Z0-9]{4})<\/code>/.exec(page.body);
  t.ok(shown, 'the code, grouped in fours');
  const code = `${shown?.[1]}${shown?.[2]}`;
  t.match(code, CODE, 'no 0, O, 1, I or L');
  t.match(page.body, `Mã QR dẫn tới ${TEST_PUBLIC_URL}/kiosk?code=${code}`);
  t.match(page.body, /<svg[^>]*viewBox/, 'its QR code');
  t.match(page.body, /đến <strong>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/strong> \(giờ Việt Nam\)/);
  t.match(page.body, 'Cách ghép');
  t.match(page.headers['cache-control'], 'no-store');

  const stored = await db.selectFrom('kiosk_pairing').selectAll().execute();
  t.equal(stored.length, 1);
  t.equal(stored[0]!.code_hash, secretHash(code), 'only the hash is stored');
  const minutes = (stored[0]!.expires_at.getTime() - stored[0]!.created_at.getTime()) / 60_000;
  t.ok(minutes > 9.9 && minutes < 10.1, `valid 10 minutes (${minutes})`);

  // Typed loosely on the tablet: lower case, spaces and a dash.
  const typed = `${code.slice(0, 4).toLowerCase()} - ${code.slice(4)} `;
  const paired = await redeem(app, typed);
  t.equal(paired.statusCode, 200);
  t.same(paired.json(), {
    desk: { code: deskCode, name: 'Quầy Một Cửa Số 1' },
    unit: { name: 'Trung tâm Phục vụ hành chính công Xã Máy Tính Bảng' },
  });
  const cookie = paired.cookies.find((c) => c.name === 'hl_kiosk');
  t.ok(cookie, 'the credential cookie');
  t.equal(cookie?.path, '/kiosk');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Strict');
  t.equal(cookie?.secure, true, 'Secure over https');
  t.ok(cookie?.maxAge && cookie.maxAge > 300 * 86_400, 'long-lived');
  const token = cookie?.value ?? '';
  t.ok(token.length >= 43, 'a long random token');
  t.notMatch(paired.body, token, 'the token is in the cookie only');
  t.equal((await probe(app, token)).statusCode, 200, 'the tablet is known by its cookie');

  const device = await db.selectFrom('kiosk_device').selectAll().executeTakeFirstOrThrow();
  t.equal(device.desk_id, deskId);
  t.equal(device.token_hash, secretHash(token));
  t.equal(device.paired_by_user_id, (await db.selectFrom('app_user').select('id').executeTakeFirstOrThrow()).id);
  const pairing = await db.selectFrom('kiosk_pairing').selectAll().executeTakeFirstOrThrow();
  t.ok(pairing.used_at, 'the code is used');
  t.equal(pairing.device_id, device.id);

  // Neither the token nor the code is anywhere in the database: pairing rows, devices, the audit log.
  const everything = JSON.stringify([
    await db.selectFrom('kiosk_device').selectAll().execute(),
    await db.selectFrom('kiosk_pairing').selectAll().execute(),
    await db.selectFrom('audit_event').selectAll().execute(),
  ]);
  t.notOk(everything.includes(token), 'no token stored');
  t.notOk(everything.includes(code), 'no code stored');
  const audit = await db
    .selectFrom('audit_event')
    .selectAll()
    .where('action', 'like', 'kiosk.%')
    .orderBy('id')
    .execute();
  t.same(
    audit.map((e) => [e.action, e.unit_id]),
    [
      ['kiosk.pairing_create', centreId],
      ['kiosk.pair', centreId],
    ],
    'issue and pairing audited, with the desk’s unit',
  );
  t.match(audit[1]!.detail, { deskId, desk: deskCode, deviceId: device.id });

  const again = await redeem(app, code);
  expectApiError(t, again, 422, 'kiosk.pairing_invalid');
  t.equal(
    await db
      .selectFrom('kiosk_device')
      .select('id')
      .execute()
      .then((r) => r.length),
    1,
    'a code works once',
  );
});

t.test('a manager key gets a code through the API; wrong, expired and used codes are all the same 422', async (t) => {
  const { app, db, key, deskCode } = await kioskSetup(t);
  const res = await requestCode(app, key.key, deskCode);
  t.equal(res.statusCode, 201);
  t.same(Object.keys(res.json()).sort(), ['expiresAt', 'pairingCode']);
  const { pairingCode, expiresAt } = res.json();
  t.match(pairingCode, CODE);
  const ms = Date.parse(expiresAt) - Date.now();
  t.ok(ms > 9 * 60_000 && ms <= 10 * 60_000, 'expires in 10 minutes');
  const made = await db.selectFrom('kiosk_pairing').selectAll().executeTakeFirstOrThrow();
  t.equal(made.created_by_key_id, key.id);

  // Expired: the same code, its time past.
  await db
    .updateTable('kiosk_pairing')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .execute();
  const expired = await redeem(app, pairingCode);
  const wrong = await redeem(
    app,
    pairingCode.startsWith('A') ? `B${pairingCode.slice(1)}` : `A${pairingCode.slice(1)}`,
  );
  const malformed = await redeem(app, 'ABC');
  for (const [what, r] of [
    ['expired', expired],
    ['wrong', wrong],
    ['malformed', malformed],
  ] as const) {
    expectApiError(t, r, 422, 'kiosk.pairing_invalid');
    t.equal(r.body, expired.body, `${what}: says nothing of why`);
    t.notOk(r.headers['set-cookie'], `${what}: no cookie`);
  }
  for (const body of [{}, { code: 12345678 }, { code: ['ABCDEFGH'] }]) {
    const r = await app.inject({
      method: 'POST',
      url: '/kiosk/api/pair',
      payload: body,
      remoteAddress: '198.51.100.2',
    });
    t.equal(r.statusCode, 422, JSON.stringify(body));
  }
  const big = await app.inject({
    method: 'POST',
    url: '/kiosk/api/pair',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ code: pairingCode, pad: 'x'.repeat(1024) }),
  });
  t.equal(big.statusCode, 413, 'a body over 1 KiB is not read');
  t.equal((await db.selectFrom('kiosk_device').select('id').execute()).length, 0, 'no tablet paired');
});

t.test('wrong guesses are throttled per address, a valid code too once over the limit', async (t) => {
  const { app, db, key, deskCode } = await kioskSetup(t);
  const code = (await requestCode(app, key.key, deskCode)).json().pairingCode as string;
  const guesser = '203.0.113.9';
  for (let i = 0; i < 10; i++) {
    t.equal((await redeem(app, `${PAIRING_ALPHABET[i]}ZZZZZZZ`, guesser)).statusCode, 422, `guess ${i + 1}`);
  }
  const refused = await redeem(app, code, guesser);
  expectApiError(t, refused, 429, 'kiosk.pairing_throttled');
  const wait = Number(refused.headers['retry-after']);
  t.ok(wait > 0 && wait <= 600, `Retry-After ${wait}`);
  t.equal((await db.selectFrom('kiosk_device').select('id').execute()).length, 0, 'the valid code was not even tried');
  // In parallel too: 20 guesses at once from a fresh address, at most 10 are checked.
  const burst = await Promise.all(
    Array.from({ length: 20 }, (_, i) => redeem(app, `${PAIRING_ALPHABET[i]}YYYYYYY`, '203.0.113.10')),
  );
  t.equal(burst.filter((r) => r.statusCode === 429).length, 10, 'parallel guesses count each other');
  t.equal((await redeem(app, code, '198.51.100.7')).statusCode, 200, 'another address pairs with the code');
});

t.test('two nodes on one database share the count of guesses (issue 19)', async (t) => {
  const { app, db, config } = await kioskSetup(t);
  const other = await buildApp({ config, db });
  t.teardown(() => other.close());
  const guesser = '203.0.113.44';
  for (let i = 0; i < 10; i++) {
    const node = i % 2 ? other : app;
    t.equal((await redeem(node, `${PAIRING_ALPHABET[i]}XXXXXXX`, guesser)).statusCode, 422, `guess ${i + 1}`);
  }
  expectApiError(t, await redeem(other, 'QQQQQQQQ', guesser), 429, 'kiosk.pairing_throttled');
  expectApiError(t, await redeem(app, 'QQQQQQQQ', guesser), 429, 'kiosk.pairing_throttled');
  const kept = await db.selectFrom('kiosk_pair_guess').select('client_key').distinct().execute();
  t.equal(kept.length, 1, 'one client counted');
  t.notMatch(JSON.stringify(kept), '203.0.113', 'by a hash, never the address');
});

t.test('only managers of the desk’s units pair; inactive desks and too many open codes are refused', async (t) => {
  const { app, db, key, deskId, deskCode, centreCode, communeId } = await kioskSetup(t);
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: centreCode });
  t.equal((await clerk.post(`/staff/desks/${deskId}/kiosk-pairings`)).statusCode, 403, 'a counter clerk cannot pair');
  t.notMatch((await clerk.get(`/staff/desks/${deskId}`)).body, 'Ghép máy tính bảng', 'nor sees the button');
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, communeId) });
  t.equal((await official.post(`/staff/desks/${deskId}/kiosk-pairings`)).statusCode, 403);

  const other = await createCentre(db, 'Xã Khác');
  const otherCode = await unitCode(db, other.centreId);
  const outsider = await staffClient(app, db, { role: 'manager', unitCode: otherCode });
  t.equal((await outsider.post(`/staff/desks/${deskId}/kiosk-pairings`)).statusCode, 404, 'another commune: 404');
  const otherKey = (await createApiKey(db, { unitCode: otherCode, role: 'manager', label: 'khóa khác' }))!;
  expectApiError(t, await requestCode(app, otherKey.key, deskCode), 404, 'desk.unknown');
  for (const role of ['official', 'submit'] as const) {
    const k = (await createApiKey(db, { unitCode: centreCode, role, label: role, channels: ['kiosk'] }))!;
    expectApiError(t, await requestCode(app, k.key, deskCode), 403, 'auth.role_not_allowed');
  }
  expectApiError(t, await requestCode(app, key.key, 'khong-co-quay-nay'), 404, 'desk.unknown');
  t.equal((await db.selectFrom('kiosk_pairing').select('id').execute()).length, 0, 'no code made');
  const denied = await db
    .selectFrom('audit_event')
    .select('action')
    .where('action', '=', 'permission.denied')
    .execute();
  t.ok(denied.length >= 2, 'the refused clerk and official are audited');

  // At most 20 open codes a desk; a used or expired one no longer counts.
  for (let i = 0; i < 20; i++) t.equal((await requestCode(app, key.key, deskCode)).statusCode, 201);
  const over = await requestCode(app, key.key, deskCode);
  expectApiError(t, over, 429, 'kiosk.too_many_pairings');
  t.ok(Number(over.headers['retry-after']) > 0);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centreCode });
  const page = await manager.post(`/staff/desks/${deskId}/kiosk-pairings`);
  t.equal(page.statusCode, 429);
  t.match(page.body, 'mã ghép chưa dùng');
  await db
    .updateTable('kiosk_pairing')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .execute();
  t.equal((await requestCode(app, key.key, deskCode)).statusCode, 201, 'expired codes make room');

  // An inactive desk pairs nothing, and a code made before it closed no longer works.
  const code = (await requestCode(app, key.key, deskCode)).json().pairingCode;
  await db.updateTable('desk').set({ active: false }).where('id', '=', deskId).execute();
  expectApiError(t, await requestCode(app, key.key, deskCode), 404, 'desk.unknown');
  t.equal((await manager.post(`/staff/desks/${deskId}/kiosk-pairings`)).statusCode, 422);
  expectApiError(t, await redeem(app, code), 422, 'kiosk.pairing_invalid');
});

t.test('a manager sets the tablet’s pause after thanks, 3 to 120 seconds, audited', async (t) => {
  const { app, db, deskId, centreCode } = await kioskSetup(t);
  const idle = async () =>
    (await db.selectFrom('desk').select('kiosk_idle_seconds').where('id', '=', deskId).executeTakeFirstOrThrow())
      .kiosk_idle_seconds;
  t.equal(await idle(), 10, 'ten seconds by default');
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centreCode });
  t.match((await manager.get(`/staff/desks/${deskId}`)).body, /name="seconds"[^>]*value="10"/);
  const saved = await manager.post(`/staff/desks/${deskId}/kiosk-idle`, { seconds: '30' });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/staff/desks/${deskId}#kiosk`);
  t.equal(await idle(), 30);
  for (const bad of ['2', '121', 'abc', '', '7.5']) {
    const res = await manager.post(`/staff/desks/${deskId}/kiosk-idle`, { seconds: bad });
    t.equal(res.statusCode, 422, `"${bad}" refused`);
    t.match(res.body, 'Thời gian chờ cần là số giây nguyên từ 3 đến 120.');
  }
  t.equal(await idle(), 30, 'unchanged by the refusals');
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: centreCode });
  t.equal((await clerk.post(`/staff/desks/${deskId}/kiosk-idle`, { seconds: '60' })).statusCode, 403);
  t.equal(await idle(), 30);
  const audit = await db.selectFrom('audit_event').select('detail').where('action', '=', 'desk.update').execute();
  t.same(
    audit.map((e) => e.detail),
    [
      {
        deskId,
        code: (await db.selectFrom('desk').select('code').executeTakeFirstOrThrow()).code,
        change: 'kioskIdleSeconds',
        from: 10,
        to: 30,
      },
    ],
  );
});
