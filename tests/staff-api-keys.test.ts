import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { secretHash } from '../server/platform/secrets.ts';
import { expectApiError } from './helpers/api.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { formBody, staffClient } from './helpers/staff.ts';

// API keys from the staff pages: made by a manager for a unit of their
// subtree, shown once, stored as a hash, revocable, and audited.

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const deskCode = `tan-hoi-q1-${mine.centreId}`;
  await insertDesk(db, { unitId: mine.centreId, code: deskCode, name: 'Quầy 1', serviceAreas: ['dat-dai'] });
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  return { app, db, mine, other, deskCode, manager };
}

function issueCode(app: FastifyInstance, key: string, desk: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key}` },
    // A new dossier each time: one dossier gets one code.
    payload: { desk, serviceArea: 'dat-dai', dossierRef: `HS-${Math.random()}` },
  });
}

const keyIn = (html: string) => /<code class="secret">(hl_[A-Za-z0-9_-]+)<\/code>/.exec(html)?.[1];

async function keys(db: Db) {
  return db.selectFrom('api_key').selectAll().orderBy('id').execute();
}

t.test('a manager creates a key: shown once, stored as a hash, works until revoked', async (t) => {
  const { app, db, mine, deskCode, manager } = await setup(t);
  const page = await manager.post(`/staff/units/${mine.centreId}/api-keys`, {
    label: 'Phần mềm Một cửa',
    role: 'manager',
  });
  t.equal(page.statusCode, 201, 'the key is on the page that answers the POST, not behind a redirect');
  t.equal(page.headers['cache-control'], 'no-store');
  t.match(page.body, 'sẽ không hiển thị lại');
  const key = keyIn(page.body);
  if (!key) throw new Error('no key on the page');

  const [row] = await keys(db);
  t.equal(row?.unit_id, mine.centreId);
  t.equal(row?.role, 'manager');
  t.equal(row?.label, 'Phần mềm Một cửa');
  t.equal(row?.key_hash, secretHash(key), 'only the hash is stored');
  t.notMatch(JSON.stringify(await db.selectFrom('api_key').selectAll().execute()), key);
  t.notMatch(JSON.stringify(await db.selectFrom('audit_event').selectAll().execute()), key, 'nor in the audit log');

  const list = await manager.get(`/staff/units/${mine.centreId}/api-keys`);
  t.equal(list.statusCode, 200);
  t.notMatch(list.body, key, 'never shown again');
  t.match(list.body, row!.key_prefix, 'the prefix identifies it');
  t.match(list.body, 'Phần mềm Một cửa');
  t.match(list.body, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, 'dates as dd/mm/yyyy');

  t.equal((await issueCode(app, key, deskCode)).statusCode, 201, 'the key issues one-time codes');

  const revoke = await manager.post(`/staff/units/${mine.centreId}/api-keys/${row!.id}/revoke`);
  t.equal(revoke.statusCode, 303);
  t.equal(revoke.headers.location, `/staff/units/${mine.centreId}/api-keys`);
  expectApiError(t, await issueCode(app, key, deskCode), 401, 'auth.key_required'); // a revoked key is refused
  t.match((await manager.get(`/staff/units/${mine.centreId}/api-keys`)).body, 'Đã thu hồi');
  t.equal((await manager.post(`/staff/units/${mine.centreId}/api-keys/${row!.id}/revoke`)).statusCode, 303);

  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'unit_id', 'actor_user_id', 'detail'])
    .where('action', 'like', 'apikey.%')
    .orderBy('id')
    .execute();
  t.same(
    audit.map((a) => a.action),
    ['apikey.create', 'apikey.revoke'],
    'created and revoked once each',
  );
  t.ok(audit.every((a) => a.unit_id === mine.centreId && a.actor_user_id));
});

t.test('a key made at the commune reaches the centre below; an official key cannot issue codes', async (t) => {
  const { app, db, mine, deskCode } = await setup(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
  const commune = await manager.post(`/staff/units/${mine.communeId}/api-keys`, { label: 'Xã', role: 'manager' });
  t.equal((await issueCode(app, keyIn(commune.body)!, deskCode)).statusCode, 201);
  const official = await manager.post(`/staff/units/${mine.communeId}/api-keys`, {
    label: 'Báo cáo',
    role: 'official',
  });
  t.equal(official.statusCode, 201);
  expectApiError(t, await issueCode(app, keyIn(official.body)!, deskCode), 403, 'auth.role_not_allowed');
});

t.test('invalid input is a 422 in Vietnamese; no admin keys', async (t) => {
  const { db, mine, manager } = await setup(t);
  const noLabel = await manager.post(`/staff/units/${mine.centreId}/api-keys`, { label: ' ', role: 'manager' });
  t.equal(noLabel.statusCode, 422);
  t.match(noLabel.body, 'Vui lòng nhập tên gợi nhớ');
  const admin = await manager.post(`/staff/units/${mine.centreId}/api-keys`, { label: 'Quản trị', role: 'admin' });
  t.equal(admin.statusCode, 422);
  t.match(admin.body, 'value="Quản trị"', 'what was typed is kept');
  t.notOk(keyIn(admin.body));
  t.same(await keys(db), []);
});

t.test('staff and officials get 403; another commune gets 404; no CSRF is 403; nothing changes', async (t) => {
  const { app, db, mine, other, manager } = await setup(t);
  const made = await createApiKey(db, {
    unitCode: await unitCode(db, mine.centreId),
    role: 'manager',
    label: 'máy in',
  });
  const centreKey = await createApiKey(db, {
    unitCode: await unitCode(db, mine.centreId),
    role: 'official',
    label: 'báo cáo',
  });
  const before = await keys(db);
  const routes = (unitId: number, keyId: number): [string, string, Record<string, string>][] => [
    ['GET', `/staff/units/${unitId}/api-keys`, {}],
    ['POST', `/staff/units/${unitId}/api-keys`, { label: 'Xâm nhập', role: 'manager' }],
    ['POST', `/staff/units/${unitId}/api-keys/${keyId}/revoke`, {}],
  ];

  for (const role of ['staff', 'official'] as const) {
    const user = await staffClient(app, db, { role, unitCode: await unitCode(db, mine.centreId) });
    for (const [method, url, fields] of routes(mine.centreId, made!.id)) {
      const res = method === 'GET' ? await user.get(url) : await user.post(url, fields);
      t.equal(res.statusCode, 403, `${role} ${method} ${url}`);
    }
  }

  const outsider = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.communeId) });
  for (const unitId of [mine.provinceId, mine.communeId, mine.centreId]) {
    for (const [method, url, fields] of routes(unitId, made!.id)) {
      const res = method === 'GET' ? await outsider.get(url) : await outsider.post(url, fields);
      t.equal(res.statusCode, 404, `outsider ${method} ${url}`);
      t.notMatch(res.body, /hl_/, 'no key shown');
    }
  }
  // A key is reached through its own unit only, even within one's subtree.
  const owner = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
  t.equal((await owner.post(`/staff/units/${mine.communeId}/api-keys/${centreKey!.id}/revoke`)).statusCode, 404);
  t.equal((await owner.post(`/staff/units/${mine.centreId}/api-keys/abc/revoke`)).statusCode, 404);

  for (const [method, url, fields] of routes(mine.centreId, made!.id)) {
    if (method === 'GET') continue;
    const res = await app.inject({
      method: 'POST',
      url,
      cookies: manager.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody(fields),
    });
    t.equal(res.statusCode, 403, `no CSRF token: ${url}`);
  }
  t.same(await keys(db), before, 'no key created or revoked');
  t.notOk(
    (await db.selectFrom('audit_event').select('action').execute()).some((a) => a.action === 'apikey.revoke'),
    'no revocation audited',
  );
});
