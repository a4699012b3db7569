import ExcelJS from 'exceljs';
import t from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { RAW_COLUMNS } from '../server/features/reports/exports/responses.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { latestVersion, listVersionsOf } from '../server/features/surveys/survey-version-repository.ts';
import type { Answer } from '../surveys/answers.ts';
import { type SurveyDefinition, SurveyDefinitionSchema } from '../surveys/schema.ts';
import { answerColumns, valueLabels } from '../surveys/value-labels.ts';
import { bulkRow } from './helpers/aggregate-data.ts';
import { parseCsv } from './helpers/csv.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// The raw responses for people and for machines (issue 13): the XLSX in
// words, questions in the survey's order under their wording, a data
// dictionary of every code; the CSV unchanged, codes and keys.

const def = (keys: string[], wording = ''): SurveyDefinition =>
  SurveyDefinitionSchema.parse({
    code: 'thu',
    title: { vi: 'Thử', en: 'Test' },
    sections: [
      {
        questions: keys.map((key) =>
          key === 'trips'
            ? {
                type: 'choice',
                key,
                text: { vi: `Số lần${wording}`, en: 'Trips' },
                options: [
                  { code: '1', text: { vi: '1 lần', en: 'once' } },
                  { code: '3plus', text: { vi: '3 lần trở lên', en: '3 times or more' } },
                ],
              }
            : key === 'comment'
              ? { type: 'text', key, text: { vi: 'Góp ý', en: 'Comments' } }
              : { type: 'scale', key, text: { vi: `Câu ${key}${wording}`, en: key }, allowNa: key !== 'overall' },
        ),
      },
    ],
  });

t.test('the words of each value, and several versions merged into one list of columns', async (t) => {
  const [scale, choice, text] = def(['access', 'trips', 'comment', 'overall']).sections[0]!.questions;
  t.same(
    valueLabels(scale!).map((v) => [v.value, v.label.vi]),
    [
      ['1', 'Rất không hài lòng'],
      ['2', 'Không hài lòng'],
      ['3', 'Bình thường'],
      ['4', 'Hài lòng'],
      ['5', 'Rất hài lòng'],
      ['na', 'Không áp dụng'],
    ],
  );
  t.same(
    valueLabels(choice!).map((v) => [v.value, v.label.vi]),
    [
      ['1', '1 lần'],
      ['3plus', '3 lần trở lên'],
    ],
  );
  t.same(valueLabels(text!), [], 'free text has no values to name');

  // The newest version asks the overall item first; the older one asked the factors first, and trips.
  const columns = answerColumns([
    def(['overall', 'access', 'comment'], ' (mới)'),
    def(['access', 'overall', 'trips', 'comment']),
  ]);
  t.same(
    columns.map((c) => c.key),
    ['overall', 'trips', 'access', 'comment'],
    'each key once, the newest order kept, an older key after the question it followed',
  );
  t.equal(columns.find((c) => c.key === 'access')?.text.vi, 'Câu access (mới)', 'the newest wording heads the column');
  t.equal(columns.find((c) => c.key === 'overall')?.values.length, 5, 'no "not applicable" where no version allows it');
});

t.test('the XLSX reads in words with a data dictionary; the CSV keeps the codes', async (t) => {
  const { app, db } = await testApp(t);
  const c = await createCentre(db, 'Xã Từ Điển');
  const areas = ['lao-dong-xa-hoi', 'dat-dai'];
  const deskId = await insertDesk(db, {
    unitId: c.centreId,
    code: `ld-${c.centreId}`,
    name: 'Quầy Lao động',
    serviceAreas: areas,
  });
  const quick = (await listVersionsOf(db, 'sipas-quick')).map((v) => ({
    ...v,
    definition: SurveyDefinitionSchema.parse(v.definition),
  }));
  const full = (await latestVersion(db, 'sipas-full'))!;
  const at = new Date(Date.UTC(2026, 2, 10, 3));
  const where = (serviceArea: string) => ({ unitId: c.centreId, deskId, serviceArea });
  const receipt = bulkRow(
    quick.at(-1)!.id,
    at,
    where('lao-dong-xa-hoi'),
    [
      { key: 'overall', kind: 'scale', value: 4 },
      { key: 'access', kind: 'na' },
      { key: 'trips', kind: 'option', value: '3plus' },
      { key: 'extra_payment', kind: 'option', value: 'no' },
      { key: 'comment', kind: 'text', value: 'Cán bộ tận tình' },
    ],
    'code',
  );
  const older: Answer[] = [{ key: 'overall', kind: 'scale', value: 1 }];
  const fullAnswers: Answer[] = [
    { key: 'overall', kind: 'scale', value: 5 },
    { key: 'harassment', kind: 'option', value: 'yes' },
  ];
  await insertResponsesBulk(db, [
    { ...receipt, verified: true },
    bulkRow(quick[0]!.id, at, where('dat-dai'), older, 'qr'),
    bulkRow(full.id, at, where('dat-dai'), fullAnswers, 'kiosk'),
  ]);
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, c.communeId) });
  const query = `unitId=${c.communeId}&period=custom&from=2026-03-01&to=2026-03-31`;

  const csv = parseCsv((await official.get(`/staff/reports/responses.csv?${query}`)).body.slice(1));
  const keys = ['access', 'comment', 'extra_payment', 'harassment', 'overall', 'trips'];
  t.same(csv[0], [...RAW_COLUMNS, ...keys], 'CSV: the same fixed columns, then the keys in alphabetical order');
  const coded = csv.find((r) => r.includes('Cán bộ tận tình'))!;
  t.same(coded.slice(3, 5), ['lao-dong-xa-hoi', 'code'], 'CSV: the area and the channel as codes');
  t.same(
    coded.slice(RAW_COLUMNS.length),
    ['na', 'Cán bộ tận tình', 'no', '', '4', '3plus'],
    'CSV: the answers as codes',
  );

  const res = await official.get(`/staff/reports/responses.xlsx?${query}`);
  t.equal(res.statusCode, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as never);
  t.same(
    wb.worksheets.map((w) => w.name),
    ['Phiếu khảo sát', 'Từ điển dữ liệu', 'Ghi chú'],
  );
  const sheet = wb.getWorksheet('Phiếu khảo sát')!;
  const header = (sheet.getRow(1).values as string[]).slice(1);
  t.same(header.slice(0, RAW_COLUMNS.length), RAW_COLUMNS);
  const questions = header.slice(RAW_COLUMNS.length);
  t.equal(new Set(questions).size, questions.length, 'each question once across three versions');
  const current = quick.at(-1)!.definition.sections.flatMap((s) => s.questions.map((q) => q.text.vi));
  const positions = current.map((text) => questions.indexOf(text));
  t.notOk(positions.includes(-1), 'every question of the current quick survey, under its wording');
  t.same(
    positions,
    [...positions].sort((a, b) => a - b),
    'in the order the survey asks them',
  );
  t.ok(questions.includes('Công chức có gây phiền hà, sách nhiễu khi giải quyết công việc cho Ông/Bà không?'));
  t.notOk(
    questions.some((q) => /^[a-z_.]+$/.test(q)),
    'no column named by a key',
  );

  const rowWith = (text: string) => {
    let found: ExcelJS.Row | undefined;
    sheet.eachRow((row) => {
      if ((row.values as unknown[]).includes(text)) found = row;
    });
    return found!;
  };
  const row = rowWith('Cán bộ tận tình');
  const cell = (name: string) => row.getCell(header.indexOf(name) + 1);
  t.ok(row.getCell(1).value instanceof Date, 'the day is a date…');
  t.equal(row.getCell(1).numFmt, 'dd/mm/yyyy', '…shown dd/mm/yyyy');
  t.equal((row.getCell(1).value as Date).toISOString().slice(0, 10), '2026-03-10');
  t.equal(cell('Quầy').value, 'Quầy Lao động');
  t.equal(cell('Lĩnh vực').value, 'Lao động, người có công và xã hội', 'the service area by name');
  t.equal(cell('Kênh').value, 'Mã trên giấy hẹn', 'the channel in words');
  t.equal(cell('Phiên bản').value, quick.at(-1)!.version, 'the version a number');
  t.equal(cell('Có mã một lần').value, 'có');
  const text = (key: string) =>
    quick
      .at(-1)!
      .definition.sections.flatMap((s) => s.questions)
      .find((q) => q.key === key)!.text.vi;
  t.equal(cell(text('overall')).value, 'Hài lòng');
  t.equal(cell(text('access')).value, 'Không áp dụng');
  t.equal(cell(text('trips')).value, '3 lần trở lên');
  t.equal(cell(text('extra_payment')).value, 'Không');
  t.equal(cell(text('staff')).value, null, 'an unanswered question is an empty cell');
  t.equal(rowWith('Máy tính bảng tại quầy').getCell(header.indexOf(text('overall')) + 1).value, 'Rất hài lòng');
  t.equal(rowWith('Mã QR tại quầy').getCell(header.indexOf('Lĩnh vực') + 1).value, 'Đất đai');

  const dictionary = wb.getWorksheet('Từ điển dữ liệu')!;
  const entries: unknown[][] = [];
  dictionary.eachRow((r) => {
    entries.push(Array.from({ length: 6 }, (_, i) => r.getCell(i + 1).value ?? ''));
  });
  t.same(entries[0], [
    'Mã (cột trong tệp CSV)',
    'Câu hỏi / cột (tiếng Việt)',
    'Question / column (English)',
    'Giá trị (mã trong CSV)',
    'Nhãn (tiếng Việt)',
    'Label (English)',
  ]);
  const has = (entry: unknown[], why: string) =>
    t.ok(
      entries.some((e) => JSON.stringify(e) === JSON.stringify(entry)),
      why,
    );
  has(
    [
      'trips',
      'Ông/Bà đã phải đi lại bao nhiêu lần để giải quyết công việc này?',
      'How many trips did this matter take you?',
      '3plus',
      '3 lần trở lên',
      '3 times or more',
    ],
    'a choice code with its words in both languages',
  );
  has(
    ['access', text('access'), 'Access: reception, waiting seats, equipment', 'na', 'Không áp dụng', 'Not applicable'],
    'not applicable',
  );
  has(['Kênh', 'Kênh', 'Channel', 'code', 'Mã trên giấy hẹn', 'Code on the receipt'], 'the channels');
  has(
    [
      'Lĩnh vực',
      'Lĩnh vực',
      'Service area',
      'lao-dong-xa-hoi',
      'Lao động, người có công và xã hội',
      'Labour, war veterans and social welfare',
    ],
    'the service areas',
  );
  has(
    ['comment', 'Ý kiến góp ý (không bắt buộc)', 'Comments (optional)', '', '(câu trả lời tự do)', '(free text)'],
    'free text',
  );
  t.notOk(
    entries.some((e) => e[0] === 'overall' && e[3] === 'na'),
    'no "not applicable" for the overall item, which does not allow it',
  );
});
