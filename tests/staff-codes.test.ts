import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import type { Config } from '../server/platform/config.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { formBody, staffClient } from './helpers/staff.ts';

// One-time codes printed at the counter from a staff page: one receipt slip
// per dossier received (the reference is hashed, never stored or printed),
// at most a daily cap per account and desk, each code admitting exactly one
// response, for the user's own desks only.

async function setup(t: Test, overrides: Partial<Config> = {}) {
  const { app, db } = await testApp(t, overrides);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, desk.centreId) });
  return { app, db, desk, staff };
}

/** `n` new dossier references, one per line as the form takes them. */
const refs = (n: number, prefix = `HS-${randomUUID().slice(0, 8)}`) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`).join('\n');

const slipsIn = (html: string) => [...html.matchAll(/<p class="url">([^<]+)<\/p>/g)].map((m) => m[1] ?? '');

const codeCount = async (db: Db) => (await db.selectFrom('transaction_code').select('code_hash').execute()).length;

const dateVi = (d: Date) =>
  new Intl.DateTimeFormat('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(d);

t.test('the form offers the areas the desk serves', async (t) => {
  const { desk, staff } = await setup(t);
  const res = await staff.get(`/staff/desks/${desk.deskId}/codes`);
  t.equal(res.statusCode, 200);
  t.match(res.body, /<option value="dat-dai">Đất đai<\/option>/);
  t.match(res.body, /<option value="xay-dung">Xây dựng<\/option>/);
  t.notMatch(res.body, /value="y-te"/, 'only the desk’s own areas');
  t.match(
    res.body,
    /<textarea id="dossierRefs" name="dossierRefs"[^>]*required[^>]*><\/textarea>/,
    'dossiers, not a count',
  );
  t.notMatch(res.body, /name="count"/);
  t.match(res.body, /Hôm nay Ông\/Bà còn được cấp 200 mã cho quầy này \(tối đa 200 mã mỗi ngày\)/);
  t.match(res.body, /name="days"[^>]*value="7"/);
  t.match(res.body, new RegExp(`<form method="post" action="/staff/desks/${desk.deskId}/codes"`));
  t.match(res.body, /name="_csrf"/);
});

t.test('one slip per dossier; each code admits exactly one response', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const res = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    serviceArea: 'xay-dung',
    dossierRefs: 'HS-2026-ALPHA\r\n\r\n  HS-2026-BETA  \nhs-2026-gamma\n',
    days: '10',
  });
  t.equal(res.statusCode, 200);
  const urls = slipsIn(res.body);
  t.equal(urls.length, 3, 'three dossiers, three slips (blank lines ignored)');
  t.notMatch(res.body, /2026-(ALPHA|BETA|gamma)/i, 'the references are not printed');
  t.equal(new Set(urls).size, 3, 'three different codes');
  for (const url of urls) t.match(url, new RegExp(`^${TEST_PUBLIC_URL}/t/[A-Za-z0-9_-]{22}$`));
  t.equal((res.body.match(/<section class="slip">/g) ?? []).length, 3);
  t.equal((res.body.match(/<svg /g) ?? []).length, 3, 'a QR on each slip');
  t.ok(res.body.includes('Quét mã để đánh giá – mỗi mã chỉ dùng một lần'));
  t.ok(res.body.includes('Trung tâm Phục vụ hành chính công Xã Thử Nghiệm'));
  t.ok(res.body.includes(`Hạn dùng: <strong>${dateVi(new Date(Date.now() + 10 * 86_400_000))}</strong>`));
  t.match(res.headers['cache-control'], /no-store/, 'the codes are not kept in a cache');

  const stored = await db.selectFrom('transaction_code').selectAll().execute();
  t.equal(stored.length, 3);
  for (const row of stored) {
    t.equal(row.service_area_code, 'xay-dung');
    const days = (row.expires_at.getTime() - Date.now()) / 86_400_000;
    t.ok(days > 9.9 && days <= 10, 'valid for the days asked');
  }
  const audit = await db.selectFrom('audit_event').selectAll().where('action', '=', 'transaction_code.issue').execute();
  t.equal(audit.length, 1, 'one audit entry for the batch');
  const user = await db.selectFrom('app_user').select('id').where('email', '=', staff.email).executeTakeFirstOrThrow();
  t.equal(audit[0]?.actor_user_id, user.id, 'who issued them');
  t.same(audit[0]?.detail, { deskId: desk.deskId, serviceArea: 'xay-dung', count: 3, expiresInDays: 10, via: 'staff' });
  for (const url of urls) t.notOk(JSON.stringify(audit).includes(url.slice(-22)), 'never the codes');
  t.ok(
    stored.every((r) => r.issued_by_user_id === user.id && r.issued_by_key_id === null),
    'each code keeps its issuer',
  );
  t.equal(new Set(stored.map((r) => r.dossier_hash)).size, 3, 'a hash per dossier');
  const text = JSON.stringify(await db.selectFrom('transaction_code').selectAll().execute()).toLowerCase();
  const auditText = JSON.stringify(await db.selectFrom('audit_event').selectAll().execute()).toLowerCase();
  for (const ref of ['alpha', 'beta', 'gamma']) {
    t.notOk(text.includes(ref) || auditText.includes(ref), `the reference ${ref} is stored nowhere`);
  }

  for (const url of urls) {
    const path = new URL(url).pathname;
    const post = (submissionId: string) =>
      app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: formBody({ ...VALID_FORM_ANSWERS, submissionId }),
      });
    t.equal((await post(randomUUID())).statusCode, 200, 'the first response is taken');
    t.equal((await post(randomUUID())).statusCode, 410, 'a second one is refused');
  }
  const responses = await db.selectFrom('response').select(['verified', 'service_area_code']).execute();
  t.same(responses, Array(3).fill({ verified: true, service_area_code: 'xay-dung' }));
});

t.test('an empty validity means 7 days', async (t) => {
  const { db, desk, staff } = await setup(t);
  const res = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    serviceArea: 'dat-dai',
    dossierRefs: refs(1),
    days: '',
  });
  t.equal(res.statusCode, 200);
  const row = await db.selectFrom('transaction_code').select('expires_at').executeTakeFirstOrThrow();
  const days = (row.expires_at.getTime() - Date.now()) / 86_400_000;
  t.ok(days > 6.9 && days <= 7);
});

t.test('invalid input re-renders the form with Vietnamese messages and issues nothing', async (t) => {
  const { db, desk, staff } = await setup(t);
  const cases: [Record<string, string>, RegExp][] = [
    [{ serviceArea: 'y-te', dossierRefs: 'HS-1', days: '7' }, /Vui lòng chọn một lĩnh vực mà quầy này phục vụ/],
    [{ serviceArea: '', dossierRefs: 'HS-1', days: '7' }, /Vui lòng chọn một lĩnh vực/],
    [{ serviceArea: 'dat-dai', dossierRefs: '', days: '7' }, /Vui lòng nhập số hồ sơ, mỗi dòng một hồ sơ/],
    [{ serviceArea: 'dat-dai', dossierRefs: ' \n \n', days: '7' }, /Vui lòng nhập số hồ sơ/],
    [
      { serviceArea: 'dat-dai', dossierRefs: refs(51, 'HS'), days: '7' },
      /tối đa 50 phiếu; Ông\/Bà đã nhập 51 số hồ sơ/,
    ],
    [{ serviceArea: 'dat-dai', dossierRefs: `HS-1\n${'9'.repeat(201)}`, days: '7' }, /dài tối đa 200 ký tự/],
    [{ serviceArea: 'dat-dai', dossierRefs: 'HS-Đ1\nHS-2\n hs-đ1', days: '7' }, /Số hồ sơ được nhập hai lần: “hs-đ1”/],
    [{ serviceArea: 'dat-dai', dossierRefs: 'HS-1', days: '31' }, /Thời hạn cần là số ngày nguyên từ 1 đến 30/],
    [{ serviceArea: 'dat-dai', dossierRefs: 'HS-1', days: '0' }, /Thời hạn cần là số ngày nguyên/],
  ];
  for (const [fields, message] of cases) {
    const res = await staff.post(`/staff/desks/${desk.deskId}/codes`, fields);
    t.equal(res.statusCode, 422, JSON.stringify(fields).slice(0, 80));
    t.match(res.body, message);
    t.match(res.body, new RegExp(`name="days"[^>]*value="${fields.days}"`), 'keeps what was typed');
  }
  const kept = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    serviceArea: 'xay-dung',
    dossierRefs: 'HS-A\nHS-B',
    days: '99',
  });
  t.match(kept.body, /HS-A\nHS-B<\/textarea>/, 'the references typed are kept in the form');
  t.match(kept.body, /<option value="xay-dung" selected>/);
  t.match(kept.body, /name="days"[^>]*value="99"/);
  t.equal(await codeCount(db), 0);
});

t.test('a post without the CSRF token, or by a role that does not serve, issues nothing', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const forged = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    _csrf: 'x'.repeat(staff.csrf.length),
    serviceArea: 'dat-dai',
    dossierRefs: 'HS-1',
  });
  t.equal(forged.statusCode, 403);
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, desk.communeId) });
  t.equal((await official.get(`/staff/desks/${desk.deskId}/codes`)).statusCode, 403);
  t.equal(
    (await official.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'dat-dai', dossierRefs: 'HS-1' }))
      .statusCode,
    403,
  );
  t.equal(await codeCount(db), 0);
});

// Another commune's users asking for the desk's codes page or posting to it (404, as for no such
// desk; nothing issued): the cross-unit matrix (tests/cross-unit.test.ts).
t.test('a deactivated desk issues nothing, and says so', async (t) => {
  const { db, desk, staff } = await setup(t);
  await db.updateTable('desk').set({ active: false }).where('id', '=', desk.deskId).execute();
  const gone = await staff.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'dat-dai', dossierRefs: refs(1) });
  t.equal(gone.statusCode, 404);
  t.match(gone.body, /Quầy đã ngừng hoạt động/);
  t.equal(await codeCount(db), 0);
});

t.test('a dossier that already has a code is refused by name, and nothing of the batch is issued', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const url = `/staff/desks/${desk.deskId}/codes`;
  t.equal((await staff.post(url, { serviceArea: 'dat-dai', dossierRefs: 'HS-0001\nHS-0002' })).statusCode, 200);
  // A colleague at the same centre, typing it differently, on another area.
  const colleague = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, desk.centreId) });
  const again = await colleague.post(url, { serviceArea: 'xay-dung', dossierRefs: 'HS-0003\n hs-0002 \nHS-0004' });
  t.equal(again.statusCode, 409);
  t.match(again.body, /Hồ sơ đã được cấp mã đánh giá: “hs-0002”/, 'names the reference');
  t.match(again.body, /chưa có mã nào được tạo/);
  t.equal(slipsIn(again.body).length, 0, 'no slip');
  t.equal(await codeCount(db), 2, 'HS-0003 and HS-0004 were not issued either');
  const fixed = await colleague.post(url, { serviceArea: 'xay-dung', dossierRefs: 'HS-0003\nHS-0004' });
  t.equal(slipsIn(fixed.body).length, 2, 'without it, the others are issued');
});

t.test('an account issues at most the daily cap for a desk, and is told how many are left', async (t) => {
  const { app, db, desk, staff } = await setup(t, { codeDailyCap: 5 });
  const url = `/staff/desks/${desk.deskId}/codes`;
  t.equal(slipsIn((await staff.post(url, { serviceArea: 'dat-dai', dossierRefs: refs(3) })).body).length, 3);
  t.match((await staff.get(url)).body, /Hôm nay Ông\/Bà còn được cấp 2 mã cho quầy này \(tối đa 5 mã mỗi ngày\)/);
  const over = await staff.post(url, { serviceArea: 'dat-dai', dossierRefs: refs(3) });
  t.equal(over.statusCode, 429);
  t.match(
    over.body,
    /còn được cấp 2 mã cho quầy này \(tối đa 5 mã mỗi ngày\)\. Ông\/Bà đã nhập 3 số hồ sơ; chưa có mã nào được tạo/,
  );
  t.equal(await codeCount(db), 3, 'the batch over the cap is refused whole');
  t.equal(slipsIn((await staff.post(url, { serviceArea: 'dat-dai', dossierRefs: refs(2) })).body).length, 2);
  const full = await staff.post(url, { serviceArea: 'dat-dai', dossierRefs: refs(1) });
  t.equal(full.statusCode, 429);
  t.match(full.body, /Hôm nay Ông\/Bà đã cấp đủ 5 mã cho quầy này, mức tối đa mỗi ngày/);
  t.equal(await codeCount(db), 5);
  const audit = await db
    .selectFrom('audit_event')
    .select('detail')
    .where('action', '=', 'transaction_code.issue')
    .execute();
  t.same(audit.map((a) => (a.detail as { count: number }).count).sort(), [2, 3], 'issues audited with their counts');

  // Per account: a colleague has an allowance of their own.
  const colleague = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, desk.centreId) });
  t.equal(slipsIn((await colleague.post(url, { serviceArea: 'dat-dai', dossierRefs: refs(1) })).body).length, 1);
});

t.test('parallel batches cannot pass the daily cap', async (t) => {
  const { db, desk, staff } = await setup(t, { codeDailyCap: 10 });
  const url = `/staff/desks/${desk.deskId}/codes`;
  const results = await Promise.all(
    Array.from({ length: 8 }, () => staff.post(url, { serviceArea: 'dat-dai', dossierRefs: refs(3) })),
  );
  const statuses = results.map((r) => r.statusCode);
  t.equal(statuses.filter((s) => s === 200).length, 3, 'three batches of 3 fit under 10');
  t.equal(statuses.filter((s) => s === 429).length, 5);
  t.equal(await codeCount(db), 9);
  t.equal(
    results.reduce((n, r) => n + slipsIn(r.body).length, 0),
    9,
    'as many slips as codes',
  );
});
