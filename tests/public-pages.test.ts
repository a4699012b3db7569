import t, { type Test } from 'tap';
import { periodOfDate } from '../analysis/periods.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { publicCommand } from '../server/features/public/public-cli.ts';
import { presetRange } from '../server/features/reports/report-periods.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Answer } from '../surveys/answers.ts';
import { bulkRow, quickVersionId } from './helpers/aggregate-data.ts';
import { parseCsv } from './helpers/csv.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// The public results page of a unit (issue 17): off by default and then the
// same 404 as an unknown code; switched on by the unit's official or the
// CLI; figures equal to the report API's for the same unit and quarter;
// small cells withheld; open data with aggregates only; a citizen's comment
// shown only once staff marked it publishable.

const MARKED = 'Thủ tục đất đai còn chậm, mong cán bộ hướng dẫn rõ hơn.';
const UNMARKED = 'Tôi là Nguyễn Văn A, số điện thoại 0912 345 678, chờ quá lâu.';
const REPLY = 'Đơn vị đã tiếp thu và bố trí thêm cán bộ hướng dẫn tại quầy.';

const answers = (overall: number, comment?: string): Answer[] => [
  ...['access', 'procedure', 'staff', 'result'].map((key): Answer => ({ key, kind: 'scale', value: 4 })),
  { key: 'feedback', kind: 'na' },
  { key: 'overall', kind: 'scale', value: overall },
  ...(comment ? [{ key: 'comment', kind: 'text', value: comment } as const] : []),
];

/**
 * A commune with responses in the quarter that last ended and the one
 * before: land 14 (10 satisfied, two low scores with comments), civil
 * status 8 (7), certification 3 (a cell under 5); a target ≥ 80%.
 */
async function seed(t: Test) {
  const { app, db } = await testApp(t);
  const c = await createCentre(db, 'Xã Công Khai');
  const other = await createCentre(db, 'Xã Bên Cạnh');
  const deskId = await insertDesk(db, {
    unitId: c.centreId,
    code: `ck-${c.centreId}`,
    name: 'Quầy 1',
    serviceAreas: ['dat-dai', 'ho-tich', 'chung-thuc'],
  });
  const latest = presetRange('prev_quarter', new Date());
  const earlier = presetRange('prev_quarter', new Date(`${latest.from}T12:00:00+07:00`));
  const v = await quickVersionId(db);
  const at = (from: string, day: number) => new Date(Date.parse(`${from}T09:00:00+07:00`) + day * 86_400_000);
  const row = (area: string, overall: number, day: number, comment?: string, from = latest.from) =>
    bulkRow(v, at(from, day), { unitId: c.centreId, deskId, serviceArea: area }, answers(overall, comment), 'qr');
  await insertResponsesBulk(db, [
    ...Array.from({ length: 10 }, (_, i) => row('dat-dai', i % 2 ? 4 : 5, 5 + i)),
    row('dat-dai', 3, 20),
    row('dat-dai', 3, 21),
    row('dat-dai', 2, 25, MARKED),
    row('dat-dai', 1, 26, UNMARKED),
    ...Array.from({ length: 7 }, (_, i) => row('ho-tich', 5, 30 + i)),
    row('ho-tich', 2, 40),
    ...Array.from({ length: 3 }, (_, i) => row('chung-thuc', 5, 45 + i)),
    ...Array.from({ length: 6 }, (_, i) => row('ho-tich', i < 3 ? 5 : 2, 10 + i, undefined, earlier.from)),
  ]);
  await db
    .insertInto('plan_target')
    .values({
      unit_id: c.communeId,
      service_area_code: null,
      metric: 'satisfaction_rate',
      factor_key: null,
      comparison: 'gte',
      threshold: '0.8',
      valid_from: earlier.from,
      valid_to: '2099-12-31',
      source_plan: 'Kế hoạch cải cách hành chính',
      source_clause: null,
    })
    .execute();
  const code = await unitCode(db, c.communeId);
  const official = await staffClient(app, db, { role: 'official', unitCode: code });
  return { app, db, c, other, code, official, latest, quarter: periodOfDate(latest.from, 'quarter').key };
}

t.test('off by default: the same 404 as an unknown code; on by the official: open to all', async (t) => {
  const { app, db, c, code, official } = await seed(t);
  const unknown = await app.inject('/cong-khai/khong-co-don-vi-nay');
  t.equal(unknown.statusCode, 404);
  for (const path of ['', '/du-lieu.csv', '/du-lieu.json']) {
    const off = await app.inject(`/cong-khai/${code}${path}`);
    t.equal(off.statusCode, 404, `${path || 'page'}: 404 while off`);
    // The same page but for the CSP nonce, new on every response.
    const bare = (body: string) => body.replace(/nonce="[^"]*"/g, '');
    t.equal(bare(off.body), bare(unknown.body), `${path || 'page'}: the same body as an unknown code`);
  }
  t.notMatch((await app.inject('/cong-khai')).body, /Xã Công Khai/, 'not in the index');

  const settings = await official.get(`/staff/units/${c.communeId}/report-settings`);
  t.equal(settings.statusCode, 200, 'the official reaches the settings page');
  t.match(settings.body, /Công khai kết quả/);
  t.notMatch(settings.body, /name="issuerName"/, 'the print settings stay a manager’s');
  const on = await official.post(`/staff/units/${c.communeId}/public-results`, { published: '1' });
  t.equal(on.statusCode, 303);
  t.match((await official.get(on.headers.location as string)).body, /checked/);
  const page = await app.inject(`/cong-khai/${code}`);
  t.equal(page.statusCode, 200, 'no sign-in needed');
  t.match(page.body, /Kết quả khảo sát sự hài lòng – Xã Công Khai/);
  t.notMatch(page.body, /<script/i, 'no script: the page works without JavaScript');
  t.match((await app.inject('/cong-khai')).body, new RegExp(`href="/cong-khai/${code}"`), 'listed in the index');
  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'detail', 'actor_user_id'])
    .where('action', '=', 'unit.publication')
    .execute();
  t.equal(audit.length, 1, 'audited');
  t.match(audit[0]!.detail, { code, from: false, to: true });

  const off = await official.post(`/staff/units/${c.communeId}/public-results`, {});
  t.equal(off.statusCode, 303, 'an unticked box switches it off');
  t.equal((await app.inject(`/cong-khai/${code}`)).statusCode, 404, 'hidden at once, cache or not');
});

t.test('another unit’s official or a manager cannot switch it', async (t) => {
  const { app, db, c, other, code } = await seed(t);
  const url = `/staff/units/${c.communeId}/public-results`;
  const stranger = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, other.communeId) });
  t.equal((await stranger.post(url, { published: '1' })).statusCode, 404);
  t.equal((await stranger.get(`/staff/units/${c.communeId}/report-settings`)).statusCode, 404);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: code });
  t.equal((await manager.post(url, { published: '1' })).statusCode, 403);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: code });
  t.equal((await staff.post(url, { published: '1' })).statusCode, 403);
  t.equal((await app.inject(`/cong-khai/${code}`)).statusCode, 404, 'still off');
  t.notOk(await db.selectFrom('unit_publication').selectAll().executeTakeFirst(), 'nothing stored');
});

t.test('the CLI switches a unit on and off, audited as cli', async (t) => {
  const { app, db, code } = await seed(t);
  const said: string[] = [];
  const io = { out: (s: string) => said.push(s), err: (s: string) => said.push(`! ${s}`) };
  const codes = [
    await publicCommand(db, [], io),
    await publicCommand(db, [code, 'maybe'], io),
    await publicCommand(db, ['khong-co-don-vi-nay', 'on'], io),
    await publicCommand(db, [code, 'on'], io),
  ];
  t.same(codes, [2, 2, 2, 0]);
  t.equal((await app.inject(`/cong-khai/${code}`)).statusCode, 200);
  t.equal(await publicCommand(db, [code, 'off'], io), 0);
  t.match(said.join(''), /! usage: npm run cli -- unit public CODE on\|off[\s\S]*! unit public: no unit/);
  t.equal((await app.inject(`/cong-khai/${code}`)).statusCode, 404);
  const audit = await db
    .selectFrom('audit_event')
    .select(['actor_label'])
    .where('action', '=', 'unit.publication')
    .execute();
  t.same(
    audit.map((a) => a.actor_label),
    ['cli', 'cli'],
  );
});

t.test('the figures equal the report API’s; small cells withheld; open data aggregates only', async (t) => {
  const { app, db, c, code, latest, quarter } = await seed(t);
  await db.insertInto('unit_publication').values({ unit_id: c.communeId, published: true }).execute();
  const key = (await createApiKey(db, { unitCode: code, role: 'official', label: 'cổng dữ liệu' }))!.key;
  const api = async (path: string) =>
    (await app.inject({ url: `/api/v1/reports/${path}`, headers: { authorization: `Bearer ${key}` } })).json();
  const report = await api(`satisfaction?unit=${code}&from=${latest.from}&to=${latest.to}`);
  const json = (await app.inject(`/cong-khai/${code}/du-lieu.json`)).json();

  t.equal(json.quarter.key, quarter);
  for (const f of ['n', 'satisfied', 'rate', 'ci95', 'verdict', 'probabilityMet', 'moreResponsesNeeded'] as const) {
    t.same(json.headline[f], report.overall[f], `headline ${f} equals the API's`);
  }
  t.equal(json.headline.n, 25, 'hand count: 14 + 8 + 3');
  t.equal(json.headline.satisfied, 20);
  t.equal(json.headline.target.threshold, 0.8);
  const quarters = json.quarters.map((q: { quarter: string }) => q.quarter);
  t.equal(quarters.length, 8, 'eight quarters');
  t.equal(quarters.at(-1), quarter, 'ending with the latest');
  const firstMonth = (Number(json.quarters[0].quarter.slice(-1)) - 1) * 3 + 1;
  const firstDay = `${json.quarters[0].quarter.slice(0, 4)}-${String(firstMonth).padStart(2, '0')}-01`;
  const trend = await api(`satisfaction/trend?unit=${code}&from=${firstDay}&to=${latest.to}&interval=quarter`);
  t.same(
    json.quarters.map((q: { rate: number; ci95: unknown; n: number }) => [q.rate, q.ci95, q.n]),
    trend.points.map((p: { overall: { rate: number; ci95: unknown; n: number } }) => [
      p.overall.rate,
      p.overall.ci95,
      p.overall.n,
    ]),
    'each quarter equals the trend API',
  );
  t.equal(json.quarters.at(-2).n, 6, 'the quarter before: 3 of 6');
  t.equal(json.quarters.at(-3).n, 0);

  const areas = Object.fromEntries(json.serviceAreas.map((a: { code: string }) => [a.code, a]));
  const apiAreas = Object.fromEntries(report.serviceAreas.map((a: { code: string }) => [a.code, a]));
  for (const a of ['dat-dai', 'ho-tich', 'chung-thuc']) {
    t.same([areas[a].rate, areas[a].ci95, areas[a].n], [apiAreas[a].rate, apiAreas[a].ci95, apiAreas[a].n], a);
  }
  t.equal(areas['chung-thuc'].rate, null, 'n = 3: no rate');
  t.equal(areas['chung-thuc'].suppressed, true);
  t.equal(json.licence.name, 'CC BY 4.0');
  t.ok(json.method.length > 2, 'the method travels with the data');

  const text = JSON.stringify(json);
  t.notMatch(text, /"(id|responseId|unitId|deskId)"/, 'no ids');
  t.notMatch(text, /\d{4}-\d{2}-\d{2}/, 'no day, let alone a time');
  t.notMatch(text, /Nguyễn Văn A|Thủ tục đất đai còn chậm/, 'no comment');
  t.notOk('replies' in json, 'no reply either: aggregates only');

  const page = (await app.inject(`/cong-khai/${code}`)).body;
  const certRow = /<th scope="row">Chứng thực<\/th>([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? '';
  t.match(certRow, /Ẩn số liệu \(dưới 5 phiếu\)/, 'the page withholds the small cell');
  t.notMatch(certRow, /%/, 'with no rate');
  t.match(page, /80%/, 'the headline 20 of 25: 80%');
  t.match(page, /quý [IV]+\/\d{4}/);

  const csv = await app.inject(`/cong-khai/${code}/du-lieu.csv`);
  t.equal(csv.statusCode, 200);
  t.match(String(csv.headers.link), /rel="license"/, 'the licence is linked from the CSV');
  const rows = parseCsv(csv.body.replace(/^\uFEFF/, ''));
  t.same(rows[0], [
    'quarter',
    'metric',
    'service_area',
    'denominator',
    'numerator',
    'rate',
    'ci95_low',
    'ci95_high',
    'note',
  ]);
  const cert = rows.find((r) => r[2] === 'chung-thuc');
  t.same(cert?.slice(3, 6), ['3', '', ''], 'the CSV withholds it too');
  const head = rows.find((r) => r[0] === quarter && r[1] === 'satisfaction_rate' && r[2] === '');
  t.equal(Number(head?.[5]), report.overall.rate);
});

t.test('a comment appears only once staff marked it publishable; dates by month only', async (t) => {
  const { app, db, c, code } = await seed(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: code });
  const items = await db
    .selectFrom('feedback_item as f')
    .innerJoin('answer as a', (j) =>
      j.onRef('a.response_id', '=', 'f.response_id').on('a.indicator_key', '=', 'comment'),
    )
    .select(['f.id', 'a.value_text'])
    .execute();
  const idOf = (text: string) => items.find((i) => i.value_text === text)!.id;
  const form = await manager.get(`/staff/feedback/${idOf(MARKED)}`);
  t.match(form.body, /Cho phép công khai ý kiến của người dân/);
  const marked = await manager.post(`/staff/feedback/${idOf(MARKED)}`, {
    status: 'answered',
    publicAnswer: REPLY,
    commentPublishable: '1',
  });
  t.equal(marked.statusCode, 303);
  const unmarked = await manager.post(`/staff/feedback/${idOf(UNMARKED)}`, {
    status: 'answered',
    publicAnswer: `${REPLY} (2)`,
  });
  t.equal(unmarked.statusCode, 303);
  const audit = await db.selectFrom('audit_event').select('detail').where('action', '=', 'feedback.update').execute();
  t.ok(
    audit.some((a) => (a.detail as { commentPublishable?: boolean }).commentPublishable === true),
    'the mark is audited',
  );

  await db.insertInto('unit_publication').values({ unit_id: c.provinceId, published: true }).execute();
  const province = await unitCode(db, c.provinceId);
  let page = (await app.inject(`/cong-khai/${province}`)).body;
  t.match(page, /Thủ tục đất đai còn chậm/, 'the marked comment, on the page of a unit above');
  t.notMatch(page, /Nguyễn Văn A|0912/, 'the unmarked comment never');
  t.match(page, /Đơn vị đã tiếp thu và bố trí thêm cán bộ/, 'both replies');
  t.match(page, /\(2\)/);
  t.notMatch(page, /\d{1,2}\/\d{1,2}\/\d{4}/, 'no day on the page');
  t.match(page, /trả lời tháng \d{1,2}\/\d{4}/, 'months only');

  // Taken back: gone at once, though the page was cached a moment ago.
  const back = await manager.post(`/staff/feedback/${idOf(MARKED)}`, { status: 'answered', publicAnswer: REPLY });
  t.equal(back.statusCode, 303, 'unticking alone is a change');
  page = (await app.inject(`/cong-khai/${province}`)).body;
  t.notMatch(page, /Thủ tục đất đai còn chậm/);
});
