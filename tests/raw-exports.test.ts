import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import t from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import {
  RAW_COLUMNS,
  type RawTable,
  responsesCsvStream,
  responsesXlsxStream,
} from '../server/features/reports/exports/responses.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { Answer } from '../surveys/answers.ts';
import { bulkRow, quickVersionId } from './helpers/aggregate-data.ts';
import { parseCsv } from './helpers/csv.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { type StaffClient, staffClient } from './helpers/staff.ts';

// Run time (for tests/run.ts): about 15 s.

// The anonymous responses export (issue 11): no id and no time of day in the
// file, an order inside a day that follows fixed rules and a per-export
// shuffle, never arrival; every response exactly once with its values; and
// a file of any size written chunk by chunk, read only as fast as the client
// takes it, stopped when the client goes away.

const TIME_OF_DAY = /\b\d{1,2}:\d{2}\b|T\d{2}:\d{2}/;

async function openXlsx(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  return wb;
}

/** A commune with one centre and two desks, desk "a-…" sorting before desk "b-…". */
async function commune(db: Db) {
  const c = await createCentre(db, 'Xã Xuất Phiếu');
  const areas = ['dat-dai', 'ho-tich'];
  const deskA = await insertDesk(db, {
    unitId: c.centreId,
    code: `a-${c.centreId}`,
    name: 'Quầy A',
    serviceAreas: areas,
  });
  const deskB = await insertDesk(db, {
    unitId: c.centreId,
    code: `b-${c.centreId}`,
    name: 'Quầy B',
    serviceAreas: areas,
  });
  return { ...c, deskA, deskB, communeCode: await unitCode(db, c.communeId) };
}

/** The rows the export must hold, straight from the database, as the CSV writes them. */
async function expectedLines(db: Db, centreId: number, keys: string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('response as r')
    .leftJoin('desk as d', 'd.id', 'r.desk_id')
    .innerJoin('unit as u', 'u.id', 'r.unit_id')
    .innerJoin('survey_version as v', 'v.id', 'r.survey_version_id')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select(['r.id', 'r.submitted_at', 'd.code', 'r.service_area_code', 'r.channel', 'r.verified', 'r.suspect'])
    .select(['u.name', 's.code as survey', 'v.version'])
    .where('r.unit_id', '=', centreId)
    .execute();
  const answers = await db
    .selectFrom('answer')
    .select(['response_id', 'indicator_key', 'value_num', 'value_option', 'value_text'])
    .where(
      'response_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const byResponse = new Map<string, Record<string, string>>();
  for (const a of answers) {
    const m = byResponse.get(a.response_id) ?? {};
    m[a.indicator_key] = String(a.value_num ?? a.value_option ?? a.value_text);
    byResponse.set(a.response_id, m);
  }
  return rows.map((r) => {
    // Vietnam is UTC+7 all year.
    const day = new Date(r.submitted_at.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
    const a = byResponse.get(r.id) ?? {};
    return [
      day.split('-').reverse().join('/'),
      r.name,
      r.code ?? '',
      r.service_area_code,
      r.channel,
      r.survey,
      String(r.version),
      r.verified ? 'có' : 'không',
      r.suspect ? 'có' : 'không',
      ...keys.map((k) => a[k] ?? ''),
    ].join('|');
  });
}

const SCALE_WORDS = ['', 'Rất không hài lòng', 'Không hài lòng', 'Bình thường', 'Hài lòng', 'Rất hài lòng'];
const AREA_WORDS: Record<string, string> = { 'dat-dai': 'Đất đai', 'ho-tich': 'Hộ tịch' };

/** The current quick survey's questions in its own order: the XLSX's answer columns. */
async function quickQuestions(db: Db): Promise<{ key: string; vi: string }[]> {
  const v = (await latestVersion(db, 'sipas-quick'))!;
  return v.definition.sections.flatMap((s) => s.questions.map((q) => ({ key: q.key, vi: q.text.vi })));
}

/** The same rows in words, as the XLSX must hold them (these responses answer overall and comment only). */
async function expectedWords(db: Db, centreId: number): Promise<string[]> {
  const questions = await quickQuestions(db);
  const lines = await expectedLines(db, centreId, ['comment', 'overall']);
  const desks = await db.selectFrom('desk').select(['code', 'name']).execute();
  return lines.map((line) => {
    const [day, unit, desk, area, channel, , version, verified, suspect, comment, overall] = line.split('|');
    const answers: Record<string, string> = { overall: SCALE_WORDS[Number(overall)]!, comment: comment! };
    return [
      day,
      unit,
      desks.find((d) => d.code === desk)?.name,
      AREA_WORDS[area!],
      channel === 'qr' ? 'Mã QR tại quầy' : channel,
      'Phiếu khảo sát mức độ hài lòng',
      version,
      verified,
      suspect,
      ...questions.map((q) => answers[q.key] ?? ''),
    ].join('|');
  });
}

async function csvRows(official: StaffClient, query: string) {
  const res = await official.get(`/staff/reports/responses.csv?${query}`);
  if (res.statusCode !== 200) throw new Error(`CSV export: ${res.statusCode}`);
  return { text: res.body, rows: parseCsv(res.body.slice(1)) };
}

const scale = (key: string, value: number): Answer => ({ key, kind: 'scale', value });

t.test('no id, no time, an order that is not arrival, every response once with its values', async (t) => {
  const { app, db } = await testApp(t);
  const c = await commune(db);
  const version = await quickVersionId(db);
  const local = (day: number, h: number, m: number) => new Date(Date.UTC(2026, 1, day, h - 7, m));
  const row = (at: Date, deskId: number, area: string, overall: number, comment: string) =>
    bulkRow(
      version,
      at,
      { unitId: c.centreId, deskId, serviceArea: area },
      [scale('overall', overall), { key: 'comment', kind: 'text', value: comment }],
      'qr',
    );
  // Inserted (ids) and submitted (times) in an order the export must not follow:
  // the 12th first, desk B's Hộ tịch before desk A's Đất đai, 60 at one desk a minute apart.
  const arrivals = Array.from({ length: 60 }, (_, i) =>
    row(local(10, 8, i), c.deskA, 'dat-dai', 1 + (i % 5), `Lượt ${i + 1}`),
  );
  await insertResponsesBulk(db, [
    row(local(12, 0, 30), c.deskA, 'dat-dai', 5, 'Ngày 12, nửa đêm'),
    row(local(11, 23, 30), c.deskA, 'dat-dai', 4, 'Ngày 11, gần nửa đêm'),
    row(local(10, 7, 0), c.deskB, 'ho-tich', 3, 'Hộ tịch, sớm nhất'),
    ...arrivals,
  ]);
  const official = await staffClient(app, db, { role: 'official', unitCode: c.communeCode });
  const query = `unitId=${c.communeId}&period=custom&from=2026-02-01&to=2026-02-28`;
  const keys = ['comment', 'overall'];

  const first = await csvRows(official, query);
  t.same(first.rows[0], [...RAW_COLUMNS, ...keys], 'the columns of today, with a date and no id column');
  const ids = await db.selectFrom('response').select(['id', 'submission_id']).execute();
  t.notOk(
    ids.some((r) => first.text.includes(r.submission_id)),
    'no submission id anywhere',
  );
  t.notMatch(first.text, TIME_OF_DAY, 'no time of day anywhere in the CSV');
  const body = first.rows.slice(1);
  t.same(
    body.map((r) => r.join('|')).sort(),
    (await expectedLines(db, c.centreId, keys)).sort(),
    'every response once, with the values stored',
  );
  t.equal(body.find((r) => r[9] === 'Ngày 11, gần nửa đêm')?.[0], '11/02/2026', '23:30 in Vietnam is still that day');
  t.equal(body.find((r) => r[9] === 'Ngày 12, nửa đêm')?.[0], '12/02/2026', '00:30 in Vietnam is the next day');

  // The rule: day, unit, service area, desk; never the time or the id.
  const sortKey = (r: string[]) => [r[0]!.split('/').reverse().join('-'), r[1], r[3], r[2]].join('|');
  const keysInOrder = body.map(sortKey);
  t.same(keysInOrder, [...keysInOrder].sort(), 'rows ordered by day, unit, service area, desk');
  t.same(
    body.slice(0, 61).map((r) => r[3]),
    [...Array(60).fill('dat-dai'), 'ho-tich'],
    'the earliest response (Hộ tịch, 07:00) comes after the Đất đai ones: the order is not arrival',
  );
  const arrivalOrder = arrivals.map((a) => (a.answers[1] as { value: string }).value);
  const exported = body.filter((r) => r[9]?.startsWith('Lượt ')).map((r) => r[9]);
  t.equal(exported.length, 60);
  t.not(exported.join(), arrivalOrder.join(), 'inside a desk and day, not in the order of arrival…');
  t.not(exported.join(), [...arrivalOrder].reverse().join(), '…nor its reverse');
  const again = (await csvRows(official, query)).rows.filter((r) => r[9]?.startsWith('Lượt ')).map((r) => r[9]);
  t.not(again.join(), exported.join(), 'and shuffled afresh for each export, so two files cannot be lined up');

  const head = await app.inject({
    method: 'HEAD',
    url: `/staff/reports/responses.csv?${query}`,
    cookies: official.cookies,
  });
  t.equal(head.statusCode, 404, 'no HEAD: it would run the whole export for nothing');

  const res = await official.get(`/staff/reports/responses.xlsx?${query}`);
  t.equal(res.statusCode, 200);
  const wb = await openXlsx(res.rawPayload);
  t.same(
    wb.worksheets.map((w) => w.name),
    ['Phiếu khảo sát', 'Từ điển dữ liệu', 'Ghi chú'],
  );
  const sheet = wb.getWorksheet('Phiếu khảo sát')!;
  t.equal(sheet.rowCount, 64, 'a header and 63 responses');
  const questions = await quickQuestions(db);
  const lines: string[] = [];
  let timed = 0;
  sheet.eachRow((row, n) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1);
    for (const v of values) {
      if (v instanceof Date && v.getTime() % 86_400_000 !== 0) timed += 1;
      if (typeof v === 'string' && TIME_OF_DAY.test(v)) timed += 1;
    }
    if (n === 1)
      t.same(values, [...RAW_COLUMNS, ...questions.map((q) => q.vi)], 'the questions in the survey order, in words');
    else {
      const [day, ...rest] = values;
      t.ok(day instanceof Date, 'the date is a date cell');
      lines.push(
        [
          (day as Date).toISOString().slice(0, 10).split('-').reverse().join('/'),
          ...rest.map((v) => String(v ?? '')),
        ].join('|'),
      );
    }
  });
  t.equal(timed, 0, 'no time of day in any cell of the XLSX');
  t.same(lines.sort(), (await expectedWords(db, c.centreId)).sort(), 'the XLSX holds the same responses, in words');
  const notes = wb.getWorksheet('Ghi chú')!.getColumn(1).values.join(' ');
  t.match(notes, /không có mã phiếu và không có giờ nộp/);
  t.match(notes, /Số phiếu: 63/);
});

t.test('8,000 responses made in SQL: all of them, once each, in both formats', async (t) => {
  const { app, db } = await testApp(t);
  const c = await commune(db);
  const version = await quickVersionId(db);
  // Four days of March 2026 with gaps, 2,000 a day (two chunks each), spread over both desks and areas.
  // (The fault suite exports 150,000; here the chunk boundaries are what matter.)
  await sql`insert into response (submission_id, payload_hash, survey_version_id, unit_id, desk_id, service_area_code, channel, submitted_at)
    select gen_random_uuid(), 'x', ${version}, ${c.centreId},
      case when g % 2 = 0 then ${c.deskA}::int else ${c.deskB}::int end,
      case when g % 3 = 0 then 'ho-tich' else 'dat-dai' end, 'qr',
      (date '2026-03-02' + (g % 4) * 2)::timestamp at time zone 'Asia/Ho_Chi_Minh' + (g % 600) * interval '1 minute'
    from generate_series(1, 8000) g`.execute(db);
  await sql`insert into answer (response_id, submitted_at, indicator_key, value_num, value_text)
    select r.id, r.submitted_at, k.key, case when k.key = 'overall' then 1 + r.id % 5 end,
      case when k.key = 'comment' then md5(r.id::text) end
    from response r cross join (values ('overall'), ('comment')) k(key) where r.unit_id = ${c.centreId}`.execute(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: c.communeCode });
  const query = `unitId=${c.communeId}&period=custom&from=2026-03-01&to=2026-03-31`;
  const expected = (await expectedLines(db, c.centreId, ['comment', 'overall'])).sort();
  t.equal(expected.length, 8_000);

  const csv = await csvRows(official, query);
  const body = csv.rows.slice(1);
  t.equal(body.length, 8_000, 'one line per response');
  t.same(body.map((r) => r.join('|')).sort(), expected, 'each response exactly once, across chunk boundaries');
  t.same(
    [...new Set(body.map((r) => r[0]))],
    ['02/03/2026', '04/03/2026', '06/03/2026', '08/03/2026'],
    'days in order, the empty days skipped',
  );
  const keysInOrder = body.map((r) => [r[0]!.split('/').reverse().join('-'), r[3], r[2]].join('|'));
  t.same(keysInOrder, [...keysInOrder].sort(), 'ordered by day, service area, desk throughout');

  const res = await official.get(`/staff/reports/responses.xlsx?${query}`);
  t.equal(res.statusCode, 200);
  const sheet = (await openXlsx(res.rawPayload)).getWorksheet('Phiếu khảo sát')!;
  t.equal(sheet.rowCount, 8_001, 'a header and 8,000 responses');
  const commentColumn = RAW_COLUMNS.length + (await quickQuestions(db)).findIndex((q) => q.key === 'comment') + 1;
  const comments = new Set<string>();
  sheet.eachRow((row, n) => {
    if (n > 1) comments.add(String(row.getCell(commentColumn).value));
  });
  t.equal(comments.size, 8_000, 'no response twice in the XLSX either');
});

/** A table that makes 2 MB chunks on demand and says how many it made and whether it was stopped. */
function countingTable(): { table: RawTable; made: () => number; stopped: () => boolean } {
  let made = 0;
  let stopped = false;
  async function* chunks() {
    try {
      for (let i = 0; i < 1000; i++) {
        made += 1;
        // Random text: repeated text would shrink in the zip to nothing and never fill a buffer.
        yield Array.from({ length: 1000 }, (_, j) => [
          '01/02/2026',
          `Đơn vị ${i}`,
          j,
          randomBytes(1500).toString('base64'),
        ]);
      }
    } finally {
      stopped = true;
    }
  }
  return {
    table: { columns: ['Ngày', 'Đơn vị', 'n', 'comment'], chunks: chunks() },
    made: () => made,
    stopped: () => stopped,
  };
}

t.test('a client that does not read holds the reads; one that goes away stops them', async (t) => {
  for (const format of ['csv', 'xlsx'] as const) {
    const { table, made, stopped } = countingTable();
    const stream = format === 'csv' ? responsesCsvStream(table) : responsesXlsxStream(table, { notes: () => [] });
    stream.once('data', () => stream.pause());
    await sleep(500);
    t.ok(made() <= 3, `${format}: a paused client lets at most a few chunks be read (${made()} of 1000)`);
    stream.destroy();
    await sleep(300);
    t.ok(stopped(), `${format}: the rows' iterator is returned when the client goes away`);
    t.ok(made() <= 4, `${format}: and no read follows (${made()})`);
  }
});
