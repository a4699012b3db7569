import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import t from 'tap';
import { csvField, reportCsv } from '../server/features/reports/exports/csv.ts';
import { reportPdf } from '../server/features/reports/exports/pdf.ts';
import { reportTables } from '../server/features/reports/exports/report-tables.ts';
import {
  responsesCsvStream,
  responsesXlsxStream,
  type XlsxValue,
} from '../server/features/reports/exports/responses.ts';
import { reportXlsx } from '../server/features/reports/exports/xlsx.ts';
import { defaultSettings } from '../server/features/reports/report-settings-rules.ts';
import { parseCsv } from './helpers/csv.ts';
import { unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { COMMENT_AT, COMMENT_FORMULA, seedReportData } from './helpers/report-data.ts';
import { sampleBundle, sampleWithoutVolumes } from './helpers/sample-report.ts';
import { staffClient } from './helpers/staff.ts';

// Exports of the satisfaction report: CSV that Excel opens with Vietnamese
// intact and that cannot smuggle a formula in, XLSX with numbers as numbers,
// the quarterly PDF for the Phòng Văn hóa – Xã hội; each audited, each for
// the official's own subtree only.

async function openXlsx(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  return wb;
}

/** A raw table fed from memory, one chunk per array. */
function rawTable<T extends XlsxValue>(columns: string[], ...chunks: T[][][]) {
  return {
    columns,
    chunks: (async function* () {
      yield* chunks;
    })(),
  };
}

t.test('CSV: BOM, CRLF, quoting, formulas neutralised, Vietnamese round-trips', async (t) => {
  t.equal(csvField('=1+1'), "'=1+1");
  t.equal(csvField('@SUM(A1:A2)'), "'@SUM(A1:A2)");
  t.equal(csvField('+84 912'), "'+84 912");
  t.equal(csvField('-2'), "'-2", 'text that looks like a formula, whatever it is');
  t.equal(csvField('\tx'), "'\tx");
  t.equal(csvField(-0.5), '-0.5', 'a number is written as a number');
  const csv = reportCsv(reportTables(sampleBundle()));
  t.ok(csv.startsWith('\uFEFF'), 'UTF-8 byte-order mark first');
  t.notMatch(csv.replace(/\r\n/g, ''), /\n/, 'every line ends with CRLF');
  const rows = parseCsv(csv.slice(1));
  t.same(
    rows.find((r) => r[0] === 'Đơn vị'),
    ['Đơn vị', 'Phường Hội An Đông và các đơn vị trực thuộc'],
  );
  t.same(
    rows.find((r) => r[0] === 'Từ ngày'),
    ['Từ ngày', '01/01/2026'],
    'the information table as the page shows it',
  );
  t.same(
    rows.find((r) => r[0] === 'Ngày xuất'),
    ['Ngày xuất', '05/04/2026'],
  );
  t.same(
    rows.find((r) => r[0] === 'Phiếu nghi vấn đã loại'),
    ['Phiếu nghi vấn đã loại', '4'],
  );
  const header = rows.find((r) => r[0] === 'Lĩnh vực' && r.length > 5)!;
  t.same(header.slice(0, 6), [
    'Lĩnh vực',
    'Số phiếu',
    'Số phiếu hài lòng',
    'Tỷ lệ hài lòng (%)',
    'Khoảng tin cậy 95%: cận dưới (%)',
    'Khoảng tin cậy 95%: cận trên (%)',
  ]);
  t.same(
    rows.find((r) => r[0] === 'Đất đai' && r.length > 5),
    ['Đất đai', '50', '45', '90', '78.6', '95.7', '4.2', '≥ 85%', 'Nhiều khả năng đạt', '83.94', '146', ''],
  );
  const injected = rows.find((r) => r[0]?.includes('HYPERLINK') && r.length > 5)!;
  t.equal(injected[0], '\'=HYPERLINK("x") <Hộ tịch> & "khai sinh"', 'neutralised, quotes round-trip');
  t.equal(injected[11], 'Cỡ mẫu nhỏ');
  const withheld = rows.find((r) => r[0] === 'Chứng thực' && r.length > 5)!;
  t.same(withheld.slice(1, 4), ['3', '', ''], 'a withheld cell keeps its count only');
  t.ok(
    rows.some((r) => r[0] === 'Quý I/2026' && r[7] === '-5'),
    'a negative change stays a number',
  );

  // Bytes, not text(): a TextDecoder would drop the BOM this checks for.
  const raw = (
    await buffer(
      responsesCsvStream(
        rawTable(
          ['Ngày', 'Đơn vị', 'comment'],
          [['05/02/2026', 'Trung tâm Phục vụ hành chính công', COMMENT_FORMULA]],
          [['06/02/2026', 'Trung tâm', `${COMMENT_AT}\nxuống dòng`]],
        ),
      ),
    )
  ).toString('utf8');
  t.ok(raw.startsWith('\uFEFFNgày,'), 'the streamed CSV starts with the BOM too');
  const back = parseCsv(raw.slice(1));
  t.equal(back[1]?.[2], `'${COMMENT_FORMULA}`);
  t.equal(back[2]?.[2], `'${COMMENT_AT}\nxuống dòng`);
});

t.test('XLSX: one sheet per table, numbers as numbers, Vietnamese intact', async (t) => {
  const wb = await openXlsx(await reportXlsx(reportTables(sampleBundle()), 'Báo cáo'));
  t.same(
    wb.worksheets.map((w) => w.name),
    [
      'Thông tin',
      'Kết quả chung',
      'Theo lĩnh vực',
      'Yếu tố theo lĩnh vực',
      'Theo đơn vị',
      'Theo yếu tố',
      'Phân bố câu trả lời',
      'Theo kênh',
      'Xu hướng',
      'Phản ánh, kiến nghị',
      'Hồ sơ TTHC',
      'Chỉ số QĐ 766',
      'Chỉ tiêu kế hoạch',
    ],
  );
  const areas = wb.getWorksheet('Theo lĩnh vực')!;
  t.equal(areas.getCell('A1').value, 'Lĩnh vực');
  t.equal(areas.getCell('E1').value, 'Khoảng tin cậy 95%: cận dưới');
  t.equal(areas.getCell('A2').value, 'Đất đai');
  t.equal(areas.getCell('B2').value, 50);
  t.equal(areas.getCell('D2').value, 0.9, 'a rate is the fraction…');
  t.equal(areas.getCell('D2').numFmt, '0.0%', '…shown as a percent');
  t.equal(areas.getCell('E2').value, 0.786);
  t.equal(areas.getCell('G2').value, 4.2);
  t.equal(areas.getCell('H2').value, 0.85, 'the target is a number too');
  t.match(areas.getCell('H2').numFmt, /≥/);
  t.equal(areas.getCell('I2').value, 'Nhiều khả năng đạt');
  t.equal(areas.getCell('J2').value, 0.83936590323246, 'the probability of meeting the target, a number…');
  t.equal(areas.getCell('J2').numFmt, '0%', '…shown as a whole percent');
  t.equal(areas.getCell('K2').value, 146, 'responses still needed');
  t.equal(areas.getCell('D4').value, null, 'a withheld rate is an empty cell');
  const infoCell = (label: string, book = wb) => {
    let found: ExcelJS.Cell | undefined;
    book.getWorksheet('Thông tin')!.eachRow((row) => {
      if (row.getCell(1).value === label) found = row.getCell(2);
    });
    return found!;
  };
  t.equal(infoCell('Phiếu nghi vấn đã loại').value, 4, 'a count among words is still a number…');
  t.equal(infoCell('Phiếu nghi vấn đã loại').numFmt, '#,##0');
  t.equal((infoCell('Từ ngày').value as Date).toISOString().slice(0, 10), '2026-01-01', '…a date a date');
  t.equal(infoCell('Từ ngày').numFmt, 'dd/mm/yyyy');
  t.equal(infoCell('Ngày xuất').numFmt, 'dd/mm/yyyy');
  const rate = infoCell('Tỷ lệ phản hồi (số phiếu / số hồ sơ)');
  t.same([rate.value, rate.numFmt], [300 / 3400, '0.0%'], 'a response rate of 300/3.400 is the number, shown as 8.8%');
  t.equal(infoCell('Tháng có số liệu hồ sơ').value, '01/2026, 02/2026, 03/2026');
  const unrated = await openXlsx(await reportXlsx(reportTables(sampleWithoutVolumes('no_volumes')), 'x'));
  t.equal(infoCell('Tỷ lệ phản hồi (số phiếu / số hồ sơ)', unrated).value, 'Chưa có số hồ sơ', 'and words stay words');

  // Every figure of every sheet is a number: no cell holds a figure as text, every percent is a number.
  const asText: string[] = [];
  for (const ws of wb.worksheets) {
    ws.eachRow((row) => {
      row.eachCell((cell) => {
        const v = cell.value;
        if (typeof v === 'string' && /^[-+]?[\d.,]+\s?%?$/.test(v.trim()))
          asText.push(`${ws.name}!${cell.address}: ${v}`);
        if (cell.numFmt?.includes('%') && typeof v !== 'number') asText.push(`${ws.name}!${cell.address}: ${v}`);
        if (cell.numFmt === '#,##0' && !Number.isInteger(v)) asText.push(`${ws.name}!${cell.address}: ${v}`);
      });
    });
  }
  t.same(asText, [], 'counts are integers, rates fractions with a percent format, nothing as text');
  const trend = wb.getWorksheet('Xu hướng')!;
  t.ok(trend.getCell('B2').value instanceof Date, 'dates are dates');
  t.equal((trend.getCell('B2').value as Date).toISOString().slice(0, 10), '2025-04-01');

  const raw = await openXlsx(
    await buffer(
      responsesXlsxStream(
        rawTable(
          ['Ngày', 'Đơn vị', 'overall', 'comment', 'note'],
          [[new Date(Date.UTC(2026, 1, 5)), 'Phường Hội An Đông', 5, COMMENT_FORMULA, '05/02/2026']],
        ),
        { notes: (rows) => [`Số phiếu: ${rows}`], dictionary: [['Mã'], ['overall']] },
      ),
    ),
  );
  t.same(
    raw.worksheets.map((w) => w.name),
    ['Phiếu khảo sát', 'Từ điển dữ liệu', 'Ghi chú'],
  );
  t.equal(raw.getWorksheet('Từ điển dữ liệu')!.getCell('A2').value, 'overall');
  t.equal(raw.getWorksheet('Ghi chú')!.getCell('A1').value, 'Số phiếu: 1', 'the notes know the row count');
  const sheet = raw.worksheets[0]!;
  t.equal(sheet.getCell('B2').value, 'Phường Hội An Đông');
  t.equal(sheet.getCell('C2').value, 5);
  t.equal(sheet.getCell('D2').value, COMMENT_FORMULA, 'text stays text (never a formula in XLSX)');
  t.equal((sheet.getCell('A2').value as Date).toISOString().slice(0, 10), '2026-02-05');
  t.equal(sheet.getCell('A2').numFmt, 'dd/mm/yyyy', 'a date shown as dd/mm/yyyy');
  t.equal(sheet.getCell('E2').value, '05/02/2026', 'an answer that only looks like a date stays the text typed');
});

t.test('PDF: the quarterly report with the unit, the verdicts in words and the date of issue', async (t) => {
  const b = sampleBundle();
  const pdf = await reportPdf(b, defaultSettings({ name: b.report.unit.name, kind: 'commune' }, []));
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const text = pdfText(pdf);
  t.notMatch(text, /\uFFFD/, 'every letter has a glyph');
  t.match(text, /Phường Hội An Đông/);
  t.match(text, /PHƯỜNG HỘI AN ĐÔNG/);
  t.match(text, /Kính gửi: Phòng Văn hóa – Xã hội/);
  t.match(text, /Quý I\/2026 \(từ 01\/01\/2026 đến 31\/03\/2026\)/);
  t.match(text, /Tỷ lệ hài lòng chung: 90,0% \(khoảng tin cậy 95%: 86,1% – 92,9%\)/);
  t.match(text, /Chưa rõ/);
  t.match(text, /Đạt/);
  t.match(text, /Wilson/, 'the method paragraph');
  t.match(text, /4 phiếu bị đánh dấu nghi vấn/);
  t.match(text, /Hội An Đông, ngày 05 tháng 4 năm 2026/, 'the date of issue, with the place');
});

// Another commune asking for these files (404, nothing in them, no export recorded): the
// cross-unit matrix (tests/cross-unit.test.ts).
t.test('export routes: files for the own subtree, audited; counter staff take no raw responses', async (t) => {
  const { app, db } = await testApp(t);
  const data = await seedReportData(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: data.communeCode });
  const query = `unitId=${data.communeId}&period=custom&from=2026-01-01&to=2026-03-31`;

  const csv = await official.get(`/staff/reports/export.csv?${query}`);
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.match(
    csv.headers['content-disposition'],
    /attachment; filename="bao-cao-hai-long-c-[0-9a-f]+-2026-01-01-2026-03-31\.csv"/,
  );
  t.ok(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'BOM bytes');
  t.match(csv.body, /Xã Báo Cáo Mẫu/);
  t.ok(parseCsv(csv.body.slice(1)).some((r) => r[0] === 'Đất đai' && r[1] === '20' && r[3] === '90'));

  const raw = await official.get(`/staff/reports/responses.csv?${query}`);
  t.equal(raw.statusCode, 200);
  const rawRows = parseCsv(raw.body.slice(1));
  t.equal(rawRows.length - 1, 34, 'one line per response, the flagged one included…');
  const suspect = rawRows[0]!.indexOf('Nghi vấn');
  t.equal(rawRows.filter((r) => r[suspect] === 'có').length, 1, '…and marked');
  t.notOk(raw.body.includes(`,${COMMENT_FORMULA.slice(0, 4)}`), 'no cell starts with =');
  t.ok(
    rawRows.some((r) => r.includes(`'${COMMENT_FORMULA}`)),
    'the comment is kept, neutralised',
  );
  t.ok(rawRows.some((r) => r.includes(`'${COMMENT_AT}`)));

  const xlsx = await official.get(`/staff/reports/export.xlsx?${query}`);
  t.equal(xlsx.statusCode, 200);
  const wb = await openXlsx(xlsx.rawPayload);
  t.equal(wb.getWorksheet('Kết quả chung')!.getCell('B2').value, 33);
  const rawXlsx = await official.get(`/staff/reports/responses.xlsx?${query}`);
  t.equal((await openXlsx(rawXlsx.rawPayload)).worksheets[0]!.rowCount, 35, 'a header and 34 responses');

  const pdf = await official.get(`/staff/reports/report.pdf?${query}`);
  t.equal(pdf.statusCode, 200);
  t.equal(pdf.headers['content-type'], 'application/pdf');
  const text = pdfText(pdf.rawPayload);
  t.match(text, /Xã Báo Cáo Mẫu/);
  t.match(text, /Chưa đạt/);

  const audits = await db
    .selectFrom('audit_event')
    .select(['action', 'unit_id', 'detail'])
    .where('action', 'like', 'export.%')
    .orderBy('id')
    .execute();
  t.same(
    audits.map((a) => [a.action, a.unit_id, (a.detail as { format: string }).format]),
    [
      ['export.report', data.communeId, 'csv'],
      ['export.responses', data.communeId, 'csv'],
      ['export.report', data.communeId, 'xlsx'],
      ['export.responses', data.communeId, 'xlsx'],
      ['export.report', data.communeId, 'pdf'],
    ],
  );

  const counter = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, data.centreId) });
  t.equal(
    (await counter.get(`/staff/reports/responses.csv?unitId=${data.centreId}`)).statusCode,
    403,
    'counter staff take no raw responses',
  );
  t.equal((await db.selectFrom('audit_event').where('action', 'like', 'export.%').select('id').execute()).length, 5);
});
