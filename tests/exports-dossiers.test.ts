import ExcelJS from 'exceljs';
import t from 'tap';
import { reportCsv } from '../server/features/reports/exports/csv.ts';
import { reportPdf } from '../server/features/reports/exports/pdf.ts';
import { reportTables } from '../server/features/reports/exports/report-tables.ts';
import { reportXlsx } from '../server/features/reports/exports/xlsx.ts';
import { defaultSettings } from '../server/features/reports/report-settings-rules.ts';
import { parseCsv } from './helpers/csv.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { sampleBundle, sampleWithoutVolumes } from './helpers/sample-report.ts';

// The dossier figures in the report downloads (issue 14): the unit's, each
// area's and each child's dossiers, the weighted rate, QĐ 766 apart with its
// source, every plan target with its value and verdict; and, without volumes,
// the reason in their place. Figures by hand in tests/helpers/sample-report.ts.

async function openXlsx(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  return wb;
}

t.test('CSV: dossiers, the weighted rate, QĐ 766 and every plan target', async (t) => {
  const rows = parseCsv(reportCsv(reportTables(sampleBundle())).slice(1));
  t.same(
    rows.find((r) => r[0]?.startsWith('Tỷ lệ hài lòng có trọng số')),
    [
      'Tỷ lệ hài lòng có trọng số theo số hồ sơ đã giải quyết',
      '',
      '',
      '90',
      '79.58',
      '100',
      '',
      '',
      '',
      '',
      '',
      'Trọng số: số hồ sơ đã giải quyết của từng lĩnh vực',
    ],
    'the weighted rate beside the pooled one, with its interval',
  );

  // Dossiers: counts of every dossier, the unit, each area, each child unit.
  t.same(
    rows.find((r) => r[0] === 'Phạm vi'),
    [
      'Phạm vi',
      'Đơn vị, lĩnh vực',
      'Số hồ sơ tiếp nhận',
      'Số hồ sơ đã giải quyết',
      'Tỷ lệ trước hạn (%)',
      'Tỷ lệ đúng hạn (%)',
      'Tỷ lệ trễ hạn (%)',
      'Đang giải quyết quá hạn',
      'Tỷ lệ phản hồi (%)',
      'Cỡ mẫu cần thiết',
      'Số phiếu còn thiếu',
    ],
  );
  // 3.230/3.400 on time, 1.200 early, 170 late; 300/3.400 answered; ⌈3.400/9,5⌉ = 358, 58 short.
  t.same(
    rows.find((r) => r[0] === 'Toàn đơn vị'),
    ['Toàn đơn vị', 'Phường Hội An Đông', '3500', '3400', '35.29', '95', '5', '25', '8.82', '358', '58'],
  );
  t.same(
    rows.find((r) => r[0] === 'Lĩnh vực' && r[1] === 'Đất đai'),
    ['Lĩnh vực', 'Đất đai', '800', '760', '13.16', '86.84', '13.16', '12', '6.58', '263', '213'],
  );
  t.equal(
    rows.find((r) => r[0] === 'Lĩnh vực' && r[1]?.includes('HYPERLINK'))?.[1],
    '\'=HYPERLINK("x") <Hộ tịch> & "khai sinh"',
    'an area name is neutralised in the dossier table too',
  );
  t.same(
    rows.find((r) => r[0] === 'Lĩnh vực' && r[1] === 'Chứng thực'),
    ['Lĩnh vực', 'Chứng thực', '', '', '', '', '', '', '', '', ''],
    'an area without volumes keeps its row, empty',
  );
  t.same(rows.find((r) => r[0] === 'Đơn vị trực thuộc')?.slice(2), [
    '3100',
    '3000',
    '36.67',
    '96.67',
    '3.33',
    '20',
    '3.33',
    '353',
    '253',
  ]);
  t.ok(rows.some((r) => r[0] === 'Số liệu hồ sơ của tháng 01/2026, 02/2026, 03/2026 (Biểu II.06a/VPCP/KSTT).'));

  // QĐ 766, apart, with its source: 3.305/3.700 = 89,32%, 6 × 0,8932/0,9 = 5,95; 9/12 complaints on time.
  t.same(rows.find((r) => r[0]?.startsWith('5.4.'))?.slice(0, 3), [
    '5.4. Mức độ hài lòng trong tiếp nhận, giải quyết TTHC',
    '89.32',
    '5.95',
  ]);
  t.same(rows.find((r) => r[0]?.startsWith('5.2.'))?.slice(1, 3), ['75', '4.5']);
  t.ok(rows.some((r) => r[0]?.startsWith('Nguồn: Bộ chỉ số 766 (Quyết định số 766/QĐ-TTg')));
  t.ok(rows.some((r) => r[0]?.startsWith('Mẫu số của các chỉ số này là số hồ sơ')));

  // Every plan target, any metric, with its value, its verdict and its source.
  const targets = rows.filter((r) => r[6]?.startsWith('Kế hoạch CCHC năm 2026'));
  t.same(
    targets.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5]]),
    [
      ['Tỷ lệ hài lòng chung (câu hỏi «Nhìn chung»)', 'Tất cả lĩnh vực', '≥ 90%', '90', 'Chưa rõ', 'Phiếu khảo sát'],
      ['Tỷ lệ hài lòng chung (câu hỏi «Nhìn chung»)', 'Đất đai', '≥ 85%', '90', 'Nhiều khả năng đạt', 'Phiếu khảo sát'],
      ['Tỷ lệ hồ sơ trả kết quả đúng hạn', 'Tất cả lĩnh vực', '≥ 90%', '95', 'Đạt', 'Số hồ sơ TTHC'],
      ['Tỷ lệ hồ sơ giải quyết trễ hạn', 'Tất cả lĩnh vực', '≤ 2%', '5', 'Chưa đạt', 'Số hồ sơ TTHC'],
      ['Tỷ lệ hồ sơ trả kết quả đúng hạn', 'Xây dựng', '≥ 95%', '', 'Chưa có số liệu', 'Số hồ sơ TTHC'],
      [
        'Tỷ lệ công chức Bộ phận Một cửa được tập huấn trong năm',
        'Tất cả lĩnh vực',
        '≥ 100%',
        '',
        'Chưa có số liệu',
        'Tập huấn (chưa ghi nhận)',
      ],
    ],
  );
  t.equal(targets[0]?.[6], 'Kế hoạch CCHC năm 2026, Mục II.2', 'the plan and its clause');
  t.ok(
    rows.some((r) => r[0]?.startsWith('Số liệu hồ sơ TTHC và phản ánh, kiến nghị đếm đủ mọi trường hợp')),
    'why the dossier verdicts are exact',
  );
});

t.test('XLSX: a sheet each for dossiers, QĐ 766 and plan targets, figures as numbers', async (t) => {
  const wb = await openXlsx(await reportXlsx(reportTables(sampleBundle()), 'Báo cáo'));
  const dossiers = wb.getWorksheet('Hồ sơ TTHC')!;
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((c) => dossiers.getCell(2, c).value),
    ['Toàn đơn vị', 'Phường Hội An Đông', 3500, 3400, 1200 / 3400, 3230 / 3400, 170 / 3400, 25, 300 / 3400, 358, 58],
    'the unit’s dossiers: counts as counts, rates as fractions',
  );
  t.equal(dossiers.getCell('F2').numFmt, '0.0%');
  t.equal(dossiers.getCell('J2').numFmt, '#,##0');
  t.equal(
    dossiers.getCell('B4').value,
    '=HYPERLINK("x") <Hộ tịch> & "khai sinh"',
    'a name stays text, never a formula',
  );
  t.equal(dossiers.getCell('C5').value, null, 'an area without volumes: empty cells');
  const qd = wb.getWorksheet('Chỉ số QĐ 766')!;
  t.equal(qd.getCell('B2').value, 3305 / 3700);
  t.equal(qd.getCell('C2').value, (6 * (3305 / 3700)) / 0.9, 'the score, out of 6');
  t.equal(qd.getCell('C2').numFmt, '0.00');
  let source = false;
  qd.eachRow((row) => {
    if (String(row.getCell(1).value).startsWith('Nguồn: Bộ chỉ số 766')) source = true;
  });
  t.ok(source, 'the QĐ 766 sheet cites its source');
  const plan = wb.getWorksheet('Chỉ tiêu kế hoạch')!;
  t.same(
    [2, 3, 4, 5, 6, 7].map((r) => plan.getCell(r, 5).value),
    ['Chưa rõ', 'Nhiều khả năng đạt', 'Đạt', 'Chưa đạt', 'Chưa có số liệu', 'Chưa có số liệu'],
  );
  t.same([plan.getCell('C5').value, plan.getCell('D5').value], [0.02, 0.05], 'a late-rate target and its value');
  t.match(plan.getCell('C5').numFmt, /≤/);
  t.equal(plan.getCell('D6').value, null, 'nothing measured: an empty cell');
});

t.test('PDF: the dossier section, QĐ 766 apart, the targets with their verdicts', async (t) => {
  const b = sampleBundle();
  const text = pdfText(await reportPdf(b, defaultSettings({ name: b.report.unit.name, kind: 'commune' }, [])));
  t.match(
    text,
    /Tỷ lệ hài lòng có trọng số theo số hồ sơ đã giải quyết của từng lĩnh vực: 90,0% \(khoảng tin cậy 95%: 79,6% – 100,0%\)/,
  );
  t.match(text, /Kết quả giải quyết hồ sơ TTHC/);
  t.match(text, /Tiếp nhận 3\.500 hồ sơ; đã giải quyết 3\.400 hồ sơ, tỷ lệ đúng hạn \(kể cả trước hạn\) 95,0%/);
  t.match(text, /Cỡ mẫu cần thiết: 358 phiếu; còn thiếu 58 phiếu\./);
  t.match(text, /Toàn đơn vị Phường Hội An Đông 3\.500 3\.400 35,3% 95,0% 5,0% 25 8,8% 358 58/, 'the dossier table');
  t.match(text, /Chỉ số theo Bộ chỉ số 766 \(QĐ 766\/QĐ-TTg\)/);
  t.match(text, /89,3% 5,95/, 'indicator 5.4 and its score');
  t.match(text, /Nguồn: Bộ chỉ số 766/);
  t.match(text, /Thực hiện chỉ tiêu kế hoạch/);
  t.match(text, /Tỷ lệ hồ sơ giải quyết trễ hạn Tất cả lĩnh vực ≤ 2% 5,0% Chưa đạt/);
  t.match(text, /Chưa có số liệu/);
  t.match(text, /đếm đủ mọi trường hợp, không phải mẫu/, 'why dossier verdicts are exact');
});

t.test('without volumes: the files say why, with no dossier figure, no QĐ 766, no weighted rate', async (t) => {
  const rows = parseCsv(reportCsv(reportTables(sampleWithoutVolumes('partial_month'))).slice(1));
  const at = rows.findIndex((r) => r[0] === 'Kết quả giải quyết hồ sơ TTHC');
  t.equal(rows[at + 1]?.[0], 'Phạm vi', 'the header…');
  t.match(rows[at + 2]?.[0], /^Kỳ báo cáo không trọn tháng: số hồ sơ được nhập theo tháng/, '…then the reason, no row');
  t.notOk(
    rows.some((r) => r[0]?.startsWith('5.4.')),
    'no QĐ 766 indicator',
  );
  t.notOk(
    rows.some((r) => r[0]?.startsWith('Tỷ lệ hài lòng có trọng số')),
    'no weighted rate',
  );
  t.same(
    rows.find((r) => r[0] === 'Tỷ lệ phản hồi (số phiếu / số hồ sơ)'),
    ['Tỷ lệ phản hồi (số phiếu / số hồ sơ)', 'Chưa tính: kỳ không trọn tháng'],
  );
  const none = parseCsv(reportCsv(reportTables(sampleWithoutVolumes('no_volumes'))).slice(1));
  t.ok(none.some((r) => r[0]?.startsWith('Chưa nhập số hồ sơ từ phần mềm một cửa cho kỳ này')));
  t.equal(
    none.filter((r) => r[4] === 'Chưa có số liệu').length,
    4,
    'the dossier targets have no data; the survey ones keep theirs',
  );
  const wb = await openXlsx(await reportXlsx(reportTables(sampleWithoutVolumes('no_volumes')), 'x'));
  t.notOk(wb.getWorksheet('Chỉ số QĐ 766'), 'no QĐ 766 sheet');
  const sheet = wb.getWorksheet('Hồ sơ TTHC')!;
  const texts: string[] = [];
  sheet.eachRow((row) => texts.push(String(row.getCell(1).value)));
  t.equal(texts[0], 'Phạm vi', 'the header…');
  t.match(texts.slice(1), [/^Chưa nhập số hồ sơ từ phần mềm một cửa/], '…then only the reason');
  const b = sampleWithoutVolumes('partial_month');
  const text = pdfText(await reportPdf(b, defaultSettings({ name: b.report.unit.name, kind: 'commune' }, [])));
  t.match(text, /Kỳ báo cáo không trọn tháng/);
  t.notMatch(text, /Bộ chỉ số 766/);
});
