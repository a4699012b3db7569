import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { createApiKey } from '../server/services/api-key-service.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { runScript } from './helpers/process.ts';

// One-time codes printed on a receipt: issued through the API with a key
// scoped to a unit, each admitting exactly one response, marked verified.

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

async function issue(app: FastifyInstance, key: string, body: object) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key}` },
    payload: body,
  });
}

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const centreCode = await unitCode(db, desk.centreId);
  const key = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'máy in quầy' }))!.key;
  return { app, db, desk, key };
}

t.test('a manager key issues a code; the code admits exactly one verified response', async (t) => {
  const { app, db, desk, key } = await setup(t);
  const res = await issue(app, key, { desk: desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-000123' });
  t.equal(res.statusCode, 201);
  const body = res.json();
  const path = new URL(body.url).pathname;
  t.match(body.url, new RegExp(`^${TEST_PUBLIC_URL}/t/[A-Za-z0-9_-]{22}$`), '128 random bits in the link');
  t.match(body.qrSvg, /<svg/);
  t.match(body.qrPng, /^data:image\/png;base64,/);
  const days = (Date.parse(body.expiresAt) - Date.now()) / 86_400_000;
  t.ok(days > 6.9 && days <= 7, 'expires in 7 days by default');

  const stored = await db.selectFrom('transaction_code').selectAll().execute();
  t.equal(stored.length, 1);
  t.not(stored[0]?.code_hash, path.slice(3), 'only a hash of the code is stored');
  t.notMatch(JSON.stringify(stored), /HS-000123/, 'the dossier reference is not kept');

  const page = await app.inject({ method: 'GET', url: path });
  t.equal(page.statusCode, 200);
  t.match(page.body, /<input type="hidden" name="serviceArea" value="dat-dai">/, 'the area comes from the code');
  t.match(page.body, new RegExp(`action="${path}"`));

  const submissionId = randomUUID();
  const ok = await app.inject({ method: 'POST', url: path, ...form({ ...VALID_FORM_ANSWERS, submissionId }) });
  t.equal(ok.statusCode, 200);
  t.match(ok.body, /Cảm ơn Ông\/Bà/);
  const responses = await db.selectFrom('response').selectAll().execute();
  t.equal(responses.length, 1);
  t.equal(responses[0]?.verified, true);
  t.equal(responses[0]?.service_area_code, 'dat-dai');

  const replay = await app.inject({ method: 'POST', url: path, ...form({ ...VALID_FORM_ANSWERS, submissionId }) });
  t.equal(replay.statusCode, 200, 'a double tap is thanked again');
  const second = await app.inject({
    method: 'POST',
    url: path,
    ...form({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }),
  });
  t.equal(second.statusCode, 410);
  t.match(second.body, /Mã đánh giá đã được sử dụng/);
  const reopen = await app.inject({ method: 'GET', url: path });
  t.equal(reopen.statusCode, 410);
  t.equal((await db.selectFrom('response').selectAll().execute()).length, 1);
});

t.test('50 concurrent responses with one code: exactly one is stored', async (t) => {
  const { app, db, desk, key } = await setup(t);
  const path = new URL((await issue(app, key, { desk: desk.code, serviceArea: 'xay-dung' })).json().url).pathname;
  const results = await Promise.all(
    Array.from({ length: 50 }, () =>
      app.inject({ method: 'POST', url: path, ...form({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }) }),
    ),
  );
  const statuses = results.map((r) => r.statusCode);
  t.equal(statuses.filter((s) => s === 200).length, 1, 'one accepted');
  t.equal(statuses.filter((s) => s === 410).length, 49, 'the rest refused');
  const rows = await db.selectFrom('response').select('verified').execute();
  t.same(rows, [{ verified: true }]);
});

t.test('expired, unknown and malformed codes are refused', async (t) => {
  const { app, db, desk, key } = await setup(t);
  const path = new URL((await issue(app, key, { desk: desk.code, serviceArea: 'dat-dai' })).json().url).pathname;
  await db
    .updateTable('transaction_code')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .execute();
  t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 410);
  const late = await app.inject({
    method: 'POST',
    url: path,
    ...form({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }),
  });
  t.equal(late.statusCode, 410);
  for (const url of ['/t/AAAAAAAAAAAAAAAAAAAAAA', '/t/short', '/t/%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.match(res.body, /Không tìm thấy mã đánh giá này/);
  }
  t.equal((await db.selectFrom('response').selectAll().execute()).length, 0);
});

t.test('keys: none or revoked is 401, another unit is 404, an official key is 403', async (t) => {
  const { app, db, desk, key } = await setup(t);
  const other = await createDesk(db, ['ho-tich']);
  const body = { desk: desk.code, serviceArea: 'dat-dai' };

  const none = await app.inject({ method: 'POST', url: '/api/v1/transaction-codes', payload: body });
  t.equal(none.statusCode, 401);
  t.equal((await issue(app, 'hl_not-a-real-key-at-all', body)).statusCode, 401);

  const foreign = await issue(app, key, { desk: other.code, serviceArea: 'ho-tich' });
  t.equal(foreign.statusCode, 404, "another commune's desk does not exist for this key");

  const province = await unitCode(db, desk.provinceId);
  const official = (await createApiKey(db, { unitCode: province, role: 'official', label: 'sở' }))!.key;
  t.equal((await issue(app, official, body)).statusCode, 403);
  const provinceManager = (await createApiKey(db, { unitCode: province, role: 'manager', label: 'tỉnh' }))!.key;
  t.equal((await issue(app, provinceManager, body)).statusCode, 201, 'a key reaches the subtree below its unit');

  const wrongArea = await issue(app, key, { desk: desk.code, serviceArea: 'y-te' });
  t.equal(wrongArea.statusCode, 422);
  t.equal(wrongArea.json().errors[0].path, 'serviceArea');

  await db.updateTable('api_key').set({ revoked_at: new Date() }).execute();
  t.equal((await issue(app, key, body)).statusCode, 401, 'a revoked key is refused');
  t.equal((await db.selectFrom('transaction_code').selectAll().execute()).length, 1);
});

t.test('npm run cli -- apikey create prints a key once and stores only its hash', async (t) => {
  const { app, db, desk, url } = await (async () => {
    const { app, db, config } = await testApp(t);
    return { app, db, desk: await createDesk(db, ['dat-dai']), url: config.databaseUrl! };
  })();
  const centre = await unitCode(db, desk.centreId);
  const run = await runScript('server/cli.ts', ['apikey', 'create', '--unit', centre, '--role', 'manager'], {
    DATABASE_URL: url,
  });
  t.equal(run.code, 0, run.stderr);
  const key = /^(hl_\S+)$/m.exec(run.stdout)?.[1];
  t.ok(key, 'the key is printed');
  const rows = await db.selectFrom('api_key').selectAll().execute();
  t.equal(rows.length, 1);
  t.notMatch(JSON.stringify(rows), new RegExp(key!.slice(10)), 'the key itself is not stored');
  t.equal((await issue(app, key!, { desk: desk.code, serviceArea: 'dat-dai' })).statusCode, 201);

  const bad = await runScript('server/cli.ts', ['apikey', 'create', '--unit', 'khong-co', '--role', 'manager'], {
    DATABASE_URL: url,
  });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /No unit with code khong-co/);
});
