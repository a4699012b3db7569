import t from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { recordAudit } from '../server/platform/auth/audit-repository.ts';
import { createCentre, createDesk, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// Small things a user trips over (issue 13, item 9): each one as the user
// meets it, through the app.

t.test('a tab icon is served and named by the staff layout', async (t) => {
  const { app, db } = await testApp(t);
  for (const url of ['/favicon.ico', '/favicon.svg']) {
    const res = await app.inject(url);
    t.equal(res.statusCode, 200, url);
    t.match(res.headers['content-type'], /^image\/svg\+xml/, `${url} is an image`);
    t.match(res.body, /^<svg[\s\S]*<\/svg>\s*$/, `${url} is an SVG`);
  }
  const { centreId } = await createCentre(db);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, centreId) });
  t.match((await staff.get('/staff')).body, /<link rel="icon" href="\/favicon\.svg"/, 'the staff layout links it');
});

t.test('/staff/reports?unit=CODE opens that unit, or says plainly it is not in scope', async (t) => {
  const { app, db } = await testApp(t);
  const a = await createCentre(db, 'Xã An Bình');
  const b = await createCentre(db, 'Xã Bình Minh');
  const admin = await staffClient(app, db, { role: 'admin' });
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, a.provinceId) });

  const centreA = await unitCode(db, a.centreId);
  const res = await official.get(`/staff/reports?unit=${centreA}&period=year`);
  t.equal(res.statusCode, 200);
  t.match(
    res.body,
    new RegExp(`<option value="${a.centreId}" selected`),
    'the unit named by its code is the one shown',
  );

  const upper = await official.get(`/staff/reports?unit=${centreA.toUpperCase()}`);
  t.match(upper.body, new RegExp(`<option value="${a.centreId}" selected`), 'the code in capitals too');

  const communeB = await unitCode(db, b.communeId);
  for (const code of [communeB, 'khong-co-don-vi-nay']) {
    const refused = await official.get(`/staff/reports?unit=${code}`);
    t.equal(refused.statusCode, 404, `${code}: not found`);
    t.match(refused.body, `Không có đơn vị mã “${code}” trong phạm vi của Ông/Bà`, `${code}: said plainly`);
    t.notMatch(refused.body, /Tỷ lệ hài lòng|Xã An Bình/, `${code}: no other unit's report instead`);
  }
  // The admin reaches B, and a download takes the same parameter.
  t.equal((await admin.get(`/staff/reports?unit=${communeB}`)).statusCode, 200);
  const csv = await official.get(`/staff/reports/export.csv?unit=${communeB}`);
  t.equal(csv.statusCode, 404, 'an export of an out-of-scope code is refused too');
  // A code and an id that disagree name no one unit.
  const mixed = await official.get(`/staff/reports?unit=${centreA}&unitId=${a.communeId}`);
  t.equal(mixed.statusCode, 404);
});

t.test('a desk code typed in capitals reaches the desk', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich'], 'tan-hoi-q1');
  const res = await app.inject('/q/TAN-HOI-Q1?lang=en');
  t.equal(res.statusCode, 301);
  t.equal(res.headers.location, '/q/tan-hoi-q1?lang=en', 'to the lower-case address, query kept');
  t.equal((await app.inject(res.headers.location as string)).statusCode, 200, 'which is the survey');
  t.equal((await app.inject(`/q/${desk.code}`)).statusCode, 200);
  t.equal((await app.inject('/q/KHONG-CO-QUAY/')).statusCode, 301, 'an unknown code is redirected too');
  t.equal((await app.inject('/q/khong-co-quay')).statusCode, 404, '…and then not found');
  t.equal((await app.inject('/q/A%20B')).statusCode, 404, 'a code that is no code in any case: not found');
});

t.test('an over-long /t/… address answers the HTML not-found page', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject(`/t/${'x'.repeat(500)}`);
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(res.body, /<html lang="vi"[\s\S]*Không tìm thấy trang/, 'the citizen not-found page');
  t.ok(res.headers['content-security-policy'], 'with the security headers');
  const api = await app.inject(`/api/v1/surveys/${'a'.repeat(201)}`);
  t.equal(api.statusCode, 414, 'the API keeps its own error body');
  t.match(api.headers['content-type'], /json/);
});

t.test("a centre's manager finds the all-posters PDF on the unit page", async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const code = await unitCode(db, desk.centreId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: code });
  const page = await manager.get(`/staff/units/${desk.centreId}`);
  const links = [...page.body.matchAll(/href="(\/staff\/units\/\d+\/posters\.pdf\?size=a[45])"/g)].map((m) => m[1]!);
  t.same(links, [
    `/staff/units/${desk.centreId}/posters.pdf?size=a4`,
    `/staff/units/${desk.centreId}/posters.pdf?size=a5`,
  ]);
  for (const link of links) {
    const pdf = await manager.get(link);
    t.equal(pdf.statusCode, 200, `${link} opens`);
    t.equal(pdf.headers['content-type'], 'application/pdf');
  }
  const staff = await staffClient(app, db, { role: 'staff', unitCode: code });
  t.notMatch((await staff.get(`/staff/units/${desk.centreId}`)).body, /posters\.pdf/, 'not shown to whom it refuses');
});

t.test('audit details name their fields in Vietnamese', async (t) => {
  const { app, db } = await testApp(t);
  const { provinceId } = await createCentre(db);
  await recordAudit(db, {
    actorLabel: 'cli',
    unitId: provinceId,
    action: 'target.update',
    detail: {
      targetId: 7,
      metric: 'satisfaction_rate',
      threshold: 90,
      validFrom: '2026-01-01',
      before: { threshold: 85 },
      publicAnswerChanged: true,
      role: 'manager',
    },
  });
  const admin = await staffClient(app, db, { role: 'admin' });
  const body = (await admin.get('/staff/audit?action=target.')).body;
  const row = /<td>([^<]*mã số chỉ tiêu[^<]*)<\/td>/.exec(body)?.[1] ?? '';
  for (const text of [
    'mã số chỉ tiêu: 7',
    'mức chỉ tiêu (%): 90',
    'áp dụng từ: 01/01/2026',
    'trước khi sửa: (mức chỉ tiêu (%): 85)',
    'đổi câu trả lời công khai: có',
    'vai trò: Quản lý Trung tâm/Bộ phận Một cửa',
  ]) {
    t.ok(row.includes(text), `shows “${text}”`);
  }
  t.notMatch(row, /targetId|validFrom|publicAnswerChanged|before:/, 'no field under its code');
});

t.test('the units table counts the desks under a province and a commune', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const second = await insertDesk(db, {
    unitId: desk.centreId,
    code: `q2-${desk.code}`,
    name: 'Quầy 2',
    serviceAreas: ['ho-tich'],
  });
  await db.updateTable('desk').set({ active: false }).where('id', '=', second).execute();
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, desk.provinceId) });
  const body = (await official.get('/staff/units')).body;
  /** The desk cell of a unit's row, tags removed. */
  const countOf = (id: number) =>
    new RegExp(`href="/staff/units/${id}">[\\s\\S]*?<td class="num">(.*?)</td>`)
      .exec(body)?.[1]
      ?.replace(/<[^>]+>/g, '');
  for (const id of [desk.provinceId, desk.communeId, desk.centreId]) {
    t.equal(countOf(id), '1 (1 ngừng hoạt động)', `unit ${id}: one active desk, one stopped, in its subtree`);
  }
  t.match(body, /kể cả các đơn vị trực thuộc/, 'the heading says what is counted');
});

t.test('date fields take and show dd/mm/yyyy as the page says', async (t) => {
  const { app, db } = await testApp(t);
  const { centreId, communeId } = await createCentre(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, communeId) });
  const usage = await official.get(`/staff/codes/usage?unitId=${centreId}&from=01/02/2026&to=28/02/2026`);
  t.equal(usage.statusCode, 200);
  t.match(usage.body, /<input type="text" inputmode="numeric"[^>]*id="from"[^>]*value="01\/02\/2026"/);
  t.match(usage.body, /id="to"[^>]*value="28\/02\/2026"/);
  t.notMatch(usage.body, /type="date"/, 'no browser date field that would show mm/dd/yyyy');
  // The report filter: the API's ISO days and dd/mm/yyyy both accepted, dd/mm/yyyy shown.
  const report = await official.get(`/staff/reports?unitId=${communeId}&period=custom&from=01/02/2026&to=2026-02-28`);
  t.equal(report.statusCode, 200);
  t.match(report.body, /id="from"[^>]*value="01\/02\/2026"/);
  t.match(report.body, /id="to"[^>]*value="28\/02\/2026"/);
  t.match(report.body, /01\/02\/2026 – 28\/02\/2026/, 'the period read as asked');
  t.notMatch(report.body, /type="date"/);
  const form = await official.get('/staff/targets/new');
  t.match(form.body, /id="validFrom" type="text"[^>]*placeholder="dd\/mm\/yyyy"[^>]*value="\d{2}\/\d{2}\/\d{4}"/);
  t.notMatch(form.body, /type="date"/);
  const saved = await official.post('/staff/targets', {
    unitId: String(communeId),
    serviceArea: '',
    metric: 'satisfaction_rate',
    factorKey: '',
    comparison: 'gte',
    threshold: '90',
    validFrom: '01/01/2026',
    validTo: '31/12/2026',
    sourcePlan: 'Kế hoạch số 1/KH-UBND',
  });
  t.equal(saved.statusCode, 303, 'a target with dd/mm/yyyy dates is saved');
  const stored = await db.selectFrom('plan_target').select(['valid_from', 'valid_to']).executeTakeFirstOrThrow();
  t.same(
    [stored.valid_from, stored.valid_to].map((d) => new Date(d as unknown as string).getDate()),
    [1, 31],
  );
});
