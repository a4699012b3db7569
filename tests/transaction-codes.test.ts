import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { forgetApiKeys } from '../server/features/access/api-auth-plugin.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { createUser } from '../server/features/access/auth-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import type { Config } from '../server/platform/config.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { runScript } from './helpers/process.ts';

// One-time codes printed on a receipt: issued through the API with a key
// scoped to a unit, one per dossier (whose reference is never stored), at
// most a daily cap per key and desk, audited; each code admits exactly one
// response, marked verified.

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

/** Issues a code; a fresh dossier reference unless the body names one (or sets it undefined). */
async function issue(app: FastifyInstance, key: string, body: object) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key}` },
    payload: { dossierRef: `HS-${randomUUID()}`, ...body },
  });
}

async function setup(t: Test, overrides: Partial<Config> = {}) {
  const { app, db } = await testApp(t, overrides);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const centreCode = await unitCode(db, desk.centreId);
  const created = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'máy in quầy' }))!;
  return { app, db, desk, key: created.key, keyId: created.id, centreCode };
}

/** Every text, JSON and array column of a table, as one string, to search for what must not be there. */
async function allText(db: Db, table: string): Promise<string> {
  const { rows: columns } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = ${table}
      and data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`.execute(db);
  const parts = await Promise.all(
    columns.map(async ({ column_name }) => {
      const { rows } = await sql<{ v: string | null }>`
        select string_agg(${sql.ref(column_name)}::text, ' ') as v from ${sql.table(table)}`.execute(db);
      return rows[0]?.v ?? '';
    }),
  );
  return parts.join(' ');
}

const issueAudit = (db: Db) =>
  db.selectFrom('audit_event').selectAll().where('action', '=', 'transaction_code.issue').orderBy('id').execute();

t.test('a manager key issues a code; the code admits exactly one verified response', async (t) => {
  const { app, db, desk, key, keyId } = await setup(t);
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
  t.equal(stored[0]?.issued_by_key_id, keyId, 'the issuing key is kept');
  t.equal(stored[0]?.issued_by_user_id, null);
  const dossierHash = stored[0]?.dossier_hash ?? '';
  t.match(dossierHash, /^[A-Za-z0-9_-]{43}$/, 'a hash of the dossier is kept');
  for (const plain of ['HS-000123', 'hs-000123']) {
    const sha = createHash('sha256').update(plain);
    t.not(dossierHash, sha.copy().digest('base64url'), 'keyed: not a plain hash anyone could recompute');
    t.not(dossierHash, sha.digest('hex'));
  }
  const codeText = await allText(db, 'transaction_code');
  t.ok(codeText.includes(dossierHash), 'the search reads the hash column');
  t.notOk(codeText.toLowerCase().includes('000123'), 'the dossier reference is in no column of transaction_code');
  const auditText = await allText(db, 'audit_event');
  t.ok(auditText.includes('transaction_code.issue'), 'the search reads the audit log');
  t.notOk(auditText.toLowerCase().includes('000123'), 'nor in the audit log');
  t.notOk(auditText.includes(path.slice(3)) || auditText.includes(dossierHash), 'nor the code or the hash');

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
  // As the staff page's revoke does in its process (others see it within 10 s).
  forgetApiKeys(db);
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

t.test('a dossier reference is required', async (t) => {
  const { app, db, desk, key } = await setup(t);
  for (const dossierRef of [undefined, '', '   ', 'x'.repeat(201), 42]) {
    const res = await issue(app, key, { desk: desk.code, serviceArea: 'dat-dai', dossierRef });
    t.equal(res.statusCode, 422, `dossierRef ${JSON.stringify(dossierRef)}`);
    t.equal(res.json().errors[0].path, 'dossierRef');
  }
  t.equal((await db.selectFrom('transaction_code').selectAll().execute()).length, 0, 'nothing issued');
});

t.test('one dossier, one code: a second issue for it is a 409, however it is typed', async (t) => {
  const { app, db, desk, key, centreCode } = await setup(t);
  const first = await issue(app, key, { desk: desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-Đất-0042' });
  t.equal(first.statusCode, 201);
  // Another desk of the same centre, another area, another key of the centre: still the same dossier.
  const sameCentre = `q2-${desk.centreId}`;
  await insertDesk(db, { unitId: desk.centreId, code: sameCentre, name: 'Quầy 2', serviceAreas: ['dat-dai'] });
  const otherKey = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'khóa thứ hai' }))!.key;
  const variants: [string, string, string][] = [
    [key, desk.code, 'HS-Đất-0042'],
    [key, desk.code, '  hs-đất-0042 '],
    [key, desk.code, 'HS-ĐẤT-0042'],
    [key, desk.code, 'HS-Đất-0042'.normalize('NFD')],
    [key, sameCentre, 'HS-Đất-0042'],
    [otherKey, desk.code, 'hs-đất-0042'],
  ];
  for (const [k, d, dossierRef] of variants) {
    const res = await issue(app, k, { desk: d, serviceArea: 'dat-dai', dossierRef });
    t.equal(res.statusCode, 409, `${d} ${JSON.stringify(dossierRef)}`);
    t.equal(res.json().error, 'dossier_has_code');
    t.match(res.json().message, /already has a one-time code.*\/.*Hồ sơ này đã được cấp mã đánh giá/);
  }
  t.equal((await db.selectFrom('transaction_code').selectAll().execute()).length, 1, 'still one code');
  t.equal((await issueAudit(db)).length, 1, 'a refused issue is not counted as issued');

  // Another centre's dossier numbers are its own: the same reference there is another dossier.
  const other = await createDesk(db, ['dat-dai']);
  const otherCentre = (await createApiKey(db, {
    unitCode: await unitCode(db, other.centreId),
    role: 'manager',
    label: 'trung tâm khác',
  }))!.key;
  const elsewhere = await issue(app, otherCentre, {
    desk: other.code,
    serviceArea: 'dat-dai',
    dossierRef: 'HS-Đất-0042',
  });
  t.equal(elsewhere.statusCode, 201);
  const different = await issue(app, key, { desk: desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-Đất-0043' });
  t.equal(different.statusCode, 201, 'the next dossier gets its code');
});

t.test('every API issue is audited with the key and the count, never the code or the reference', async (t) => {
  const { app, db, desk, key, keyId } = await setup(t);
  const res = await issue(app, key, {
    desk: desk.code,
    serviceArea: 'xay-dung',
    dossierRef: 'HS-KIEM-TOAN-7',
    expiresInDays: 3,
  });
  t.equal(res.statusCode, 201);
  const audit = await issueAudit(db);
  t.equal(audit.length, 1);
  t.equal(audit[0]?.actor_key_id, keyId, 'who: the key');
  t.equal(audit[0]?.actor_user_id, null);
  t.equal(audit[0]?.unit_id, desk.centreId);
  t.same(audit[0]?.detail, { deskId: desk.deskId, serviceArea: 'xay-dung', count: 1, expiresInDays: 3, via: 'api' });
  const text = JSON.stringify(audit);
  t.notMatch(text, /KIEM-TOAN|kiem-toan/, 'no reference');
  t.notOk(text.includes(new URL(res.json().url).pathname.slice(3)), 'no code');
});

t.test('a key issues at most the daily cap of codes for a desk; the excess is a 429', async (t) => {
  const { app, db, desk, key, centreCode } = await setup(t, { codeDailyCap: 3 });
  const body = { desk: desk.code, serviceArea: 'dat-dai' };
  for (let i = 0; i < 3; i++) t.equal((await issue(app, key, body)).statusCode, 201, `code ${i + 1}`);
  const over = await issue(app, key, body);
  t.equal(over.statusCode, 429);
  t.equal(over.json().error, 'daily_cap');
  t.match(over.json().message, /issued its 3 codes for this desk today.*\/.*đã cấp đủ 3 mã cho quầy này trong hôm nay/);
  const retryAfter = Number(over.headers['retry-after']);
  t.ok(retryAfter > 0 && retryAfter <= 86_400, 'says when the day ends in Vietnam');
  t.equal((await db.selectFrom('transaction_code').selectAll().execute()).length, 3);
  t.same(
    (await issueAudit(db)).map((a) => (a.detail as { count: number }).count),
    [1, 1, 1],
    'three issues audited, the refusal not counted as one',
  );

  // The cap is per issuer and per desk: another key, or another desk, is counted apart.
  const second = (await createApiKey(db, { unitCode: centreCode, role: 'manager', label: 'khóa 2' }))!.key;
  t.equal((await issue(app, second, body)).statusCode, 201, 'another key of the centre');
  const desk2 = `q2-${desk.centreId}`;
  await insertDesk(db, { unitId: desk.centreId, code: desk2, name: 'Quầy 2', serviceAreas: ['dat-dai'] });
  t.equal((await issue(app, key, { ...body, desk: desk2 })).statusCode, 201, 'another desk');

  // Yesterday's codes (in Vietnam) do not count against today.
  await db
    .updateTable('transaction_code')
    .set({ created_at: sql`now() - interval '1 day'` } as never)
    .execute();
  t.equal((await issue(app, key, body)).statusCode, 201, 'a new day, a new allowance');
});

t.test('parallel issues cannot pass the daily cap', async (t) => {
  const { app, db, desk, key } = await setup(t, { codeDailyCap: 5 });
  const results = await Promise.all(
    Array.from({ length: 24 }, () => issue(app, key, { desk: desk.code, serviceArea: 'dat-dai' })),
  );
  const statuses = results.map((r) => r.statusCode);
  t.equal(statuses.filter((s) => s === 201).length, 5, 'exactly the cap issued');
  t.equal(statuses.filter((s) => s === 429).length, 19, 'the rest refused');
  t.equal((await db.selectFrom('transaction_code').selectAll().execute()).length, 5);
  t.equal((await issueAudit(db)).length, 5, 'audited once each');
});

t.test('parallel issues for one dossier: exactly one code', async (t) => {
  const { app, db, desk, key } = await setup(t);
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      issue(app, key, { desk: desk.code, serviceArea: 'dat-dai', dossierRef: i % 2 ? 'HS-9' : ' hs-9' }),
    ),
  );
  t.same(results.map((r) => r.statusCode).sort(), [201, ...Array(11).fill(409)]);
  t.equal((await db.selectFrom('transaction_code').selectAll().execute()).length, 1);
});

t.test('the database itself keeps one issuer per code and one code per dossier hash', async (t) => {
  const { db, desk, keyId, centreCode } = await setup(t);
  const row = (codeHash: string, extra: object) =>
    db
      .insertInto('transaction_code')
      .values({
        code_hash: codeHash,
        desk_id: desk.deskId,
        service_area_code: 'dat-dai',
        expires_at: new Date(),
        ...extra,
      })
      .execute();
  const user = await createUser(db, {
    email: 'quay@example.gov.vn',
    name: 'Cán bộ',
    password: 'mat-khau-du-dai',
    role: 'staff',
    unitCode: centreCode,
  });
  const userId = user.status === 'ok' ? user.id : 0;
  await t.rejects(row('c'.repeat(64), { issued_by_user_id: userId, issued_by_key_id: keyId }), /one_issuer/);
  await row('d'.repeat(64), { dossier_hash: 'h'.repeat(43) });
  await t.rejects(row('e'.repeat(64), { dossier_hash: 'h'.repeat(43) }), /transaction_code_dossier_idx/);
  await t.rejects(row('f'.repeat(64), { dossier_hash: 'HS-000123' }), /check/, 'a reference in clear is not a hash');
});
