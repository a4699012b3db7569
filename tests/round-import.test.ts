import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { createRound } from '../server/features/rounds/round-service.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import { parseCsv } from './helpers/csv.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';
import { upload } from './helpers/volume-upload.ts';

// A round's forms keyed in a spreadsheet elsewhere (issue 16): the template
// names every column in Vietnamese, a file with any faulty row stores
// nothing and names each row and column to fix, a good file counts every
// form at once on the day it was answered, and a serial is taken once.

const admin: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'test' };

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  await insertDesk(db, {
    unitId: mine.centreId,
    code: 'tan-hoi-1',
    name: 'Quầy 1',
    serviceAreas: ['dat-dai', 'ho-tich'],
  });
  const created = await createRound(db, admin, {
    unitId: mine.communeId,
    code: 'quy-2-2026',
    surveyCode: 'sipas-quick',
    fieldworkFrom: '2026-04-01',
    fieldworkTo: '2026-06-30',
    populationSource: 'typed',
    population: 400,
    reference: null,
    margin: 0.05,
    allocation: 'equal',
  } as never);
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  return { app, db, mine, other, official, roundId: created.id };
}

/** The template's header, and a row of it: every field from `answers` by key, digits as on paper. */
async function fileOf(official: { get(url: string): Promise<{ body: string }> }, roundId: number) {
  const header = parseCsv(
    (await official.get(`/staff/rounds/${roundId}/forms-template?format=csv`)).body.replace(/^\uFEFF/, ''),
  )[0]!;
  const keys = header.map((h) => /\[([^\]]+)\]$/.exec(h)?.[1]);
  const row = (serial: string, day: string, answers: Record<string, string>) =>
    header.map((_, i) => (i === 0 ? serial : i === 1 ? day : (answers[keys[i]!] ?? '')));
  return { header, keys, row };
}
const csv = (rows: string[][]) => rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\r\n');

const KEYS = [
  'serviceArea',
  'overall',
  'access',
  'procedure',
  'staff',
  'result',
  'feedback',
  'trips',
  'timeliness',
  'extra_payment',
  'comment',
];
/** Form 1 as ticked: area 1 (đất đai), overall 5, feedback "không áp dụng" (0), trips the first box, a comment. */
const FORM_1 = {
  serviceArea: '1',
  overall: '5',
  access: '4',
  procedure: '5',
  staff: '5',
  result: '4',
  feedback: '0',
  trips: '1',
  timeliness: '2',
  extra_payment: '1',
  comment: 'Cán bộ tận tình.',
};

t.test('the template names every column in Vietnamese, with the keys to find them by', async (t) => {
  const { official, roundId } = await setup(t);
  const { header, keys } = await fileOf(official, roundId);
  t.equal(header[0], 'Số phiếu');
  t.equal(header[1], 'Ngày khảo sát (dd/mm/yyyy)');
  t.same(keys.slice(2), KEYS, 'the area, then each question in printed order');
  t.match(header[2], /^Lĩnh vực thủ tục \(số trên phiếu\) \[serviceArea\]$/);
  t.match(header[3], /^Câu 1\. .+ \[overall\]$/);
  const xlsx = await official.get(`/staff/rounds/${roundId}/forms-template?format=xlsx`);
  t.equal(xlsx.statusCode, 200);
  t.match(String(xlsx.headers['content-disposition']), 'phieu-quy-2-2026.xlsx');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx.rawPayload as never);
  t.same(
    wb.worksheets.map((w) => w.name),
    ['Phiếu', 'Mã số', 'Hướng dẫn'],
  );
  t.equal(wb.worksheets[0]!.getRow(1).getCell(1).value, 'Số phiếu');
  const codes = wb.worksheets[1]!.getSheetValues().slice(2) as unknown[][];
  t.ok(
    codes.some((r) => String(r[1]).endsWith('[feedback]') && r[2] === 0 && r[3] === 'Không áp dụng'),
    'the codes sheet gives 0 for không áp dụng',
  );
});

t.test('a good file counts every form at once, dated on its day', async (t) => {
  const { app, db, official, roundId } = await setup(t);
  const { header, row } = await fileOf(official, roundId);
  const file = csv([
    header,
    row('1', '02/04/2026', FORM_1),
    row('2', '2026-05-15', { serviceArea: '2', overall: '3', access: '3' }),
    // The same answers as form 1: identical forms are normal on paper.
    row('3', '2/4/2026', FORM_1),
  ]);
  const res = await upload(app, official, { name: 'phieu.csv', data: file }, `/staff/rounds/${roundId}/forms-import`);
  t.equal(res.statusCode, 200, res.body.slice(0, 800));
  t.match(res.body, 'Đã nhập 3 phiếu từ tệp');
  const rows = await db
    .selectFrom('response')
    .select(['id', 'channel', 'service_area_code', 'suspect', 'round_id', 'desk_id'])
    .select(sql<string>`to_char(submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI')`.as('at'))
    .orderBy('submitted_at')
    .orderBy('service_area_code')
    .execute();
  t.same(
    rows.map((r) => [r.channel, r.service_area_code, r.suspect, r.round_id, r.desk_id, r.at]),
    [
      ['paper', 'dat-dai', false, roundId, null, '2026-04-02 12:00'],
      ['paper', 'dat-dai', false, roundId, null, '2026-04-02 12:00'],
      ['paper', 'ho-tich', false, roundId, null, '2026-05-15 12:00'],
    ],
    "paper, the round's, at noon in Vietnam on the day written, none flagged",
  );
  const answers = await db
    .selectFrom('answer')
    .select(['indicator_key as key', 'value_num', 'value_option', 'value_text'])
    .where('response_id', '=', rows[0]!.id)
    .orderBy('indicator_key')
    .execute();
  t.same(
    Object.fromEntries(answers.map((a) => [a.key, a.value_num ?? a.value_option ?? a.value_text])),
    {
      access: 4,
      comment: 'Cán bộ tận tình.',
      extra_payment: 'no',
      feedback: 'na',
      overall: 5,
      procedure: 5,
      result: 4,
      staff: 5,
      timeliness: 'on_time',
      trips: '1',
    },
    'digits read as the paper numbers its boxes; 0 is không áp dụng',
  );
  const forms = await db.selectFrom('round_form').select(['serial', 'status', 'source']).orderBy('serial').execute();
  t.same(
    forms,
    [1, 2, 3].map((serial) => ({ serial, status: 'counted', source: 'import' })),
  );
  const audit = await db
    .selectFrom('audit_event')
    .select('action')
    .where('action', '=', 'round.forms_import')
    .execute();
  t.equal(audit.length, 1, 'the import is audited');

  const again = await upload(app, official, { name: 'phieu.csv', data: file }, `/staff/rounds/${roundId}/forms-import`);
  t.equal(again.statusCode, 422, 'the same forms again are refused');
  t.match(again.body, 'Dòng 2: phiếu số 1 đã được nhập cho đợt khảo sát này.');
  t.equal((await db.selectFrom('response').select('id').execute()).length, 3, 'nothing more stored');
});

t.test('a file with faulty rows stores nothing and names each row and column', async (t) => {
  const { app, db, official, roundId } = await setup(t);
  const { header, row } = await fileOf(official, roundId);
  const file = csv([
    header,
    row('1', '02/04/2026', FORM_1),
    row('2', '02/07/2026', FORM_1),
    row('3', '31/02/2026', FORM_1),
    row('4', '03/04/2026', { ...FORM_1, access: '7' }),
    row('1', '03/04/2026', FORM_1),
    row('5', '03/04/2026', { ...FORM_1, serviceArea: '3' }),
    row('0', '03/04/2026', FORM_1),
    row('6', '03/04/2026', { ...FORM_1, serviceArea: '' }),
  ]);
  const res = await upload(app, official, { name: 'phieu.csv', data: file }, `/staff/rounds/${roundId}/forms-import`);
  t.equal(res.statusCode, 422);
  t.match(res.body, 'Chưa lưu phiếu nào.');
  t.match(res.body, 'Dòng 3, cột &quot;Ngày khảo sát&quot;: Ngày khảo sát nằm ngoài thời gian khảo sát của đợt.');
  t.match(
    res.body,
    'Dòng 4, cột &quot;Ngày khảo sát (dd/mm/yyyy)&quot;: &quot;31/02/2026&quot; không phải ngày dd/mm/yyyy.',
  );
  t.match(
    res.body,
    /Dòng 5, cột &quot;Câu 2\. [^&]+\[access\]&quot;: &quot;7&quot; không phải số của một ô trên phiếu \(1, 2, 3, 4, 5, 0\)/,
  );
  t.match(res.body, 'Dòng 6: phiếu số 1 đã có ở dòng 2; mỗi phiếu chỉ nhập một lần.');
  t.match(
    res.body,
    /Dòng 7, cột &quot;Lĩnh vực thủ tục[^&]*&quot;: &quot;3&quot; không phải số của một ô trên phiếu \(1, 2\)/,
  );
  t.notMatch(res.body, /Dòng 7[^<]*chưa ghi lĩnh vực/, 'a wrong area number is one problem, not two');
  t.match(res.body, 'Dòng 8, cột &quot;Số phiếu&quot;: Số phiếu phải là số nguyên từ 1 đến 99999.');
  t.match(res.body, /Dòng 9, cột &quot;Lĩnh vực thủ tục[^&]*&quot;: chưa ghi lĩnh vực\./);
  t.match(res.body, 'chưa nhận được: 7 lỗi');
  t.equal((await db.selectFrom('response').select('id').execute()).length, 0, 'nothing stored');
  t.equal((await db.selectFrom('round_form').select('serial').execute()).length, 0);
});

t.test('only the planners and managers of the round import; another commune sees nothing', async (t) => {
  const { app, db, mine, other, roundId } = await setup(t);
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, mine.centreId) });
  t.equal(
    (await clerk.get(`/staff/rounds/${roundId}/forms-import`)).statusCode,
    403,
    'a counter clerk enters forms twice instead',
  );
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
  t.equal((await manager.get(`/staff/rounds/${roundId}/forms-import`)).statusCode, 200);
  const stranger = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, other.communeId) });
  for (const url of ['forms-import', 'forms-template?format=csv']) {
    t.equal((await stranger.get(`/staff/rounds/${roundId}/${url}`)).statusCode, 404, url);
  }
  const res = await upload(
    app,
    stranger,
    { name: 'p.csv', data: 'Số phiếu\r\n1' },
    `/staff/rounds/${roundId}/forms-import`,
  );
  t.equal(res.statusCode, 404);
});
