import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import type { Db } from '../server/db/connect.ts';
import { createCentre, createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { formBody, staffClient } from './helpers/staff.ts';

// One-time codes printed at the counter from a staff page: receipt slips
// whose codes each admit exactly one response, for the user's own desks only.

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, desk.centreId) });
  return { app, db, desk, staff };
}

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
  t.match(res.body, /name="count"[^>]*value="1"/);
  t.match(res.body, /name="days"[^>]*value="7"/);
  t.match(res.body, new RegExp(`<form method="post" action="/staff/desks/${desk.deskId}/codes"`));
  t.match(res.body, /name="_csrf"/);
});

t.test('printed codes each admit exactly one response', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const res = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    serviceArea: 'xay-dung',
    count: '3',
    days: '10',
  });
  t.equal(res.statusCode, 200);
  const urls = [...res.body.matchAll(/<p class="url">([^<]+)<\/p>/g)].map((m) => m[1] ?? '');
  t.equal(urls.length, 3, 'three slips');
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
  t.match(audit[0]?.detail, { deskId: desk.deskId, serviceArea: 'xay-dung', count: 3, expiresInDays: 10 });
  for (const url of urls) t.notOk(JSON.stringify(audit).includes(url.slice(-22)), 'never the codes');

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
  const res = await staff.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'dat-dai', count: '1', days: '' });
  t.equal(res.statusCode, 200);
  const row = await db.selectFrom('transaction_code').select('expires_at').executeTakeFirstOrThrow();
  const days = (row.expires_at.getTime() - Date.now()) / 86_400_000;
  t.ok(days > 6.9 && days <= 7);
});

t.test('invalid input re-renders the form with Vietnamese messages and issues nothing', async (t) => {
  const { db, desk, staff } = await setup(t);
  const cases: [Record<string, string>, RegExp][] = [
    [{ serviceArea: 'y-te', count: '1', days: '7' }, /Vui lòng chọn một lĩnh vực mà quầy này phục vụ/],
    [{ serviceArea: '', count: '1', days: '7' }, /Vui lòng chọn một lĩnh vực/],
    [{ serviceArea: 'dat-dai', count: '0', days: '7' }, /Số mã cần là số nguyên từ 1 đến 50/],
    [{ serviceArea: 'dat-dai', count: '51', days: '7' }, /Số mã cần là số nguyên từ 1 đến 50/],
    [{ serviceArea: 'dat-dai', count: '2.5', days: '7' }, /Số mã cần là số nguyên/],
    [{ serviceArea: 'dat-dai', count: 'ba', days: '7' }, /Số mã cần là số nguyên/],
    [{ serviceArea: 'dat-dai', count: '2', days: '31' }, /Thời hạn cần là số ngày nguyên từ 1 đến 30/],
    [{ serviceArea: 'dat-dai', count: '2', days: '0' }, /Thời hạn cần là số ngày nguyên/],
  ];
  for (const [fields, message] of cases) {
    const res = await staff.post(`/staff/desks/${desk.deskId}/codes`, fields);
    t.equal(res.statusCode, 422, JSON.stringify(fields));
    t.match(res.body, message);
    t.match(res.body, new RegExp(`name="count"[^>]*value="${fields.count}"`), 'keeps what was typed');
  }
  const kept = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    serviceArea: 'xay-dung',
    count: '99',
    days: '12',
  });
  t.match(kept.body, /<option value="xay-dung" selected>/);
  t.match(kept.body, /name="days"[^>]*value="12"/);
  t.equal(await codeCount(db), 0);
});

t.test('a post without the CSRF token, or by a role that does not serve, issues nothing', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const forged = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    _csrf: 'x'.repeat(staff.csrf.length),
    serviceArea: 'dat-dai',
    count: '1',
  });
  t.equal(forged.statusCode, 403);
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, desk.communeId) });
  t.equal((await official.get(`/staff/desks/${desk.deskId}/codes`)).statusCode, 403);
  t.equal(
    (await official.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'dat-dai', count: '1' })).statusCode,
    403,
  );
  t.equal(await codeCount(db), 0);
});

t.test("another commune's users get 404 and issue nothing; a deactivated desk issues nothing", async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const other = await createCentre(db, 'Phường Khác');
  for (const role of ['staff', 'manager'] as const) {
    const client = await staffClient(app, db, { role, unitCode: await unitCode(db, other.centreId) });
    const page = await client.get(`/staff/desks/${desk.deskId}/codes`);
    t.equal(page.statusCode, 404);
    t.notMatch(page.body, /Đất đai|Quầy 1/, 'nothing about the desk');
    const post = await client.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'dat-dai', count: '5' });
    t.equal(post.statusCode, 404);
    t.notMatch(post.body, /\/t\//);
    t.equal((await client.get('/staff/desks/not-a-number/codes')).statusCode, 404);
  }
  t.equal(await codeCount(db), 0);

  await db.updateTable('desk').set({ active: false }).where('id', '=', desk.deskId).execute();
  const gone = await staff.post(`/staff/desks/${desk.deskId}/codes`, { serviceArea: 'dat-dai', count: '1' });
  t.equal(gone.statusCode, 404);
  t.match(gone.body, /Quầy đã ngừng hoạt động/);
  t.equal(await codeCount(db), 0);
});
