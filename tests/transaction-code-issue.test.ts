import { sql } from 'kysely';
import t from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { createUser } from '../server/features/access/auth-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { createDesk, unitCode } from './helpers/fixtures.ts';
import { issue, issueAudit, setup } from './helpers/transaction-codes.ts';

// Issuing one-time codes: one per dossier (whose reference is never
// stored), at most a daily cap per key and desk, even in parallel, audited
// without the code or the reference; the database keeps these rules too.

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
    t.equal(res.json().code, 'dossier.has_code');
    t.match(res.json().message, { en: /already has a one-time code/, vi: /Hồ sơ này đã được cấp mã đánh giá/ });
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
  t.equal(over.json().code, 'transaction_code.daily_cap');
  t.match(over.json().message, { en: /issued its 3 codes for this desk/, vi: /đã cấp đủ 3 mã cho quầy này/ });
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
