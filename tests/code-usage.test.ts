import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { secretHash } from '../server/platform/secrets.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { formBody, staffClient } from './helpers/staff.ts';

// The reviewers' page of one-time codes issued but never used, per desk and
// per issuer: hand-counted figures, the period, and who may see it.

/** The table rows of a page as their cells' text, tags stripped. */
function rows(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
    [...(m[1] ?? '').matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => (c[1] ?? '').replace(/<[^>]+>/g, '').trim()),
  );
}

const rowOf = (html: string, ...first: string[]) =>
  rows(html)
    .find((r) => first.every((f, i) => r[i]?.includes(f)))
    ?.slice(first.length);

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const desk2 = `q2-${desk.centreId}`;
  const desk2Id = await insertDesk(db, {
    unitId: desk.centreId,
    code: desk2,
    name: 'Quầy Hai',
    serviceAreas: ['dat-dai'],
  });
  const centre = await unitCode(db, desk.centreId);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: centre });
  const key = (await createApiKey(db, { unitCode: centre, role: 'manager', label: 'Phần mềm Một cửa tỉnh' }))!.key;

  const use = (url: string) =>
    app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ ...VALID_FORM_ANSWERS, submissionId: randomUUID() }),
    });
  const expire = (urls: string[]) =>
    db
      .updateTable('transaction_code')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where(
        'code_hash',
        'in',
        urls.map((u) => secretHash(new URL(u).pathname.slice(3))),
      )
      .execute();

  // The staff account at desk 1: 4 codes, 1 used, 2 expired unused, 1 still valid.
  const slips = await staff.post(`/staff/desks/${desk.deskId}/codes`, {
    serviceArea: 'dat-dai',
    dossierRefs: 'A1\nA2\nA3\nA4',
  });
  const urls = [...slips.body.matchAll(/<p class="url">([^<]+)<\/p>/g)].map((m) => m[1]!);
  t.equal(urls.length, 4);
  t.equal((await use(urls[0]!)).statusCode, 200);
  await expire([urls[1]!, urls[2]!]);
  // The key at desk 2: 2 codes, both used.
  for (const dossierRef of ['K1', 'K2']) {
    const issued = await app.inject({
      method: 'POST',
      url: '/api/v1/transaction-codes',
      headers: { authorization: `Bearer ${key}` },
      payload: { desk: desk2, serviceArea: 'dat-dai', dossierRef },
    });
    t.equal((await use(issued.json().url)).statusCode, 200);
  }
  // A code from before issuers were kept, expired unused; and one of the staff's from 40 days ago.
  const old = (hash: string) => ({
    code_hash: hash,
    desk_id: desk.deskId,
    service_area_code: 'dat-dai',
    expires_at: new Date(Date.now() - 86_400_000),
  });
  await db
    .insertInto('transaction_code')
    .values(old('a'.repeat(64)))
    .execute();
  const user = await db.selectFrom('app_user').select('id').where('email', '=', staff.email).executeTakeFirstOrThrow();
  await db
    .insertInto('transaction_code')
    .values({
      ...old('b'.repeat(64)),
      issued_by_user_id: user.id,
      created_at: sql`now() - interval '40 days'`,
    } as never)
    .execute();
  return { app, db, desk, desk2Id, staff };
}

t.test('the unused share per desk and per issuer, over the last 30 days by default', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, desk.communeId) });
  const page = await official.get('/staff/codes/usage');
  t.equal(page.statusCode, 200);
  t.match(page.headers['cache-control'], /no-store/);
  // Columns: issued (used or expired), used, unused, unused share, still valid.
  t.same(rowOf(page.body, 'Quầy 1'), ['Trung tâm Phục vụ hành chính công Xã Thử Nghiệm', '4', '1', '3', '75%', '1']);
  t.same(rowOf(page.body, 'Quầy Hai'), ['Trung tâm Phục vụ hành chính công Xã Thử Nghiệm', '2', '2', '0', '0%', '0']);
  t.same(rowOf(page.body, `Cán bộ Thử Nghiệm (${staff.email})`, 'Quầy 1'), [
    'Trung tâm Phục vụ hành chính công Xã Thử Nghiệm',
    '3',
    '1',
    '2',
    '66,7%',
    '1',
  ]);
  t.same(rowOf(page.body, 'Khóa API “Phần mềm Một cửa tỉnh”', 'Quầy Hai')?.slice(1), ['2', '2', '0', '0%', '0']);
  t.same(rowOf(page.body, 'Không rõ', 'Quầy 1')?.slice(1), ['1', '0', '1', '100%', '0']);
  t.match(page.body, /tỷ lệ không dùng <strong>50%<\/strong> \(3\/6 mã; 1 mã còn hạn\)/);
  // (The session's CSRF token is random letters and digits: left out, it could spell "K1".)
  const text = page.body.replace(/"X-CSRF-Token": "[^"]*"|name="_csrf" value="[^"]*"/g, '');
  t.notMatch(text, /\/t\/|A1|K1/, 'no code, no dossier');

  // A period reaching back 45 days takes in the code of 40 days ago.
  const from = todayIso(new Date(Date.now() - 45 * 86_400_000));
  const longer = await official.get(`/staff/codes/usage?from=${from}&to=${todayIso(new Date())}`);
  t.same(rowOf(longer.body, 'Quầy 1')?.slice(1), ['5', '1', '4', '80%', '1']);
  const bad = await official.get('/staff/codes/usage?from=2026-02-30');
  t.equal(bad.statusCode, 422);
  t.match(bad.body, /Vui lòng nhập ngày bắt đầu theo dạng dd\/mm\/yyyy/);
});

// Another commune's users see none of it, and asking for this commune by id is a 404 as for a unit
// that does not exist: the cross-unit matrix (tests/cross-unit.test.ts).
t.test('reviewers and the centre manager see it; counter staff do not', async (t) => {
  const { app, db, desk, staff } = await setup(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, desk.centreId) });
  const mine = await manager.get('/staff/codes/usage');
  t.equal(mine.statusCode, 200);
  t.ok(rowOf(mine.body, 'Quầy 1'), 'the manager sees the centre');

  const refused = await staff.get('/staff/codes/usage');
  t.equal(refused.statusCode, 403, 'the counter staff whose printing it measures');
  t.notMatch(refused.body, /Quầy 1|75%/);
  const denied = await db
    .selectFrom('audit_event')
    .select('detail')
    .where('action', '=', 'permission.denied')
    .execute();
  t.match(denied, [{ detail: { route: '/staff/codes/usage' } }], 'the refusal is audited');

  const admin = await staffClient(app, db, { role: 'admin' });
  const all = await admin.get(`/staff/codes/usage?unitId=${desk.provinceId}`);
  t.same(rowOf(all.body, 'Quầy 1')?.slice(1), ['4', '1', '3', '75%', '1'], 'an administrator sees every unit');
});
