import { createHash, randomUUID } from 'node:crypto';
import t from 'tap';
import { forgetApiKeys } from '../server/features/access/api-auth-plugin.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL } from './helpers/harness.ts';
import { allText, form, issue, setup } from './helpers/transaction-codes.ts';

// One-time codes printed on a receipt: issued through the API with a key
// scoped to a unit, each code admits exactly one response, marked verified;
// expired, unknown and malformed codes and wrong keys are refused (one per
// dossier, the daily cap, the audit: transaction-code-issue.test.ts).

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
  t.equal(responses[0]?.channel, 'code', 'under the channel of one-time codes, not the poster’s');
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
