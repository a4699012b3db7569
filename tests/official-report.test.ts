import JSZip from 'jszip';
import t from 'tap';
import { reportDocx } from '../server/features/reports/exports/docx.ts';
import { balanceLines, placeDateLine } from '../server/features/reports/exports/official-document.ts';
import { reportPdf } from '../server/features/reports/exports/pdf.ts';
import type { ReportBundle } from '../server/features/reports/exports/report-model.ts';
import {
  defaultSettings,
  EMPTY_SETTINGS,
  effectiveSettings,
  type ReportSettings,
} from '../server/features/reports/report-settings-rules.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { sampleBundle } from './helpers/sample-report.ts';

// The written report in the layout of Nghị định 30/2020/NĐ-CP, as PDF and
// as DOCX: the header blocks, the Số line, place and date, the recipients
// and the signer from the unit's settings, "Số liệu tính đến ngày" while the
// period runs, and a subject that never breaks inside "tổ chức". The
// settings form and its scope: report-settings.test.ts.

const SETTINGS: ReportSettings = effectiveSettings(
  {
    ...EMPTY_SETTINGS,
    recipients: 'Sở Nội vụ thành phố Đà Nẵng\nVăn phòng Ủy ban nhân dân thành phố',
    signerName: 'Nguyễn Thị Hồng Nhung',
    distribution: 'Như trên;\n- Thường trực Đảng ủy phường\nLưu: VT, VHXH.',
  },
  defaultSettings({ name: 'Phường Hội An Đông', kind: 'commune' }, [{ name: 'Thành phố Đà Nẵng', kind: 'province' }]),
);

/** The sample quarter (01/01–31/03/2026), issued on `issued` (a Vietnam day, 10:00 there). */
function bundle(issued: string): ReportBundle {
  const b = sampleBundle();
  b.issuedAt = new Date(`${issued}T03:00:00Z`);
  // The child units' chart is not what these tests read.
  b.report.children = [];
  return b;
}

/** Paragraph texts of a DOCX body, tags stripped. */
async function docxParagraphs(bytes: Buffer): Promise<string[]> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')!.async('string');
  return xml.split('</w:p>').map((p) =>
    p
      .replace(/<[^>]+>/g, '')
      .replace(/&amp;/g, '&')
      .replace(/\u00a0/g, ' '),
  );
}

t.test('the place and date line follows NĐ 30: day padded, months 1 and 2 padded, in Vietnam', async (t) => {
  t.equal(placeDateLine('Hội An Đông', new Date('2026-04-05T03:00:00Z')), 'Hội An Đông, ngày 05 tháng 4 năm 2026');
  t.equal(placeDateLine('Đà Nẵng', new Date('2026-02-09T03:00:00Z')), 'Đà Nẵng, ngày 09 tháng 02 năm 2026');
  // 31/12 at 20:00 UTC is already 1 January in Vietnam.
  t.equal(placeDateLine('Huế', new Date('2026-12-31T20:00:00Z')), 'Huế, ngày 01 tháng 01 năm 2027');
  t.equal(placeDateLine('Huế', new Date('2026-11-23T03:00:00Z')), 'Huế, ngày 23 tháng 11 năm 2026');
});

t.test('the subject breaks only between phrases, in balanced lines', async (t) => {
  const phrases = ['Kết quả khảo sát', 'sự hài lòng', 'của người dân, tổ chức', 'đối với sự phục vụ'];
  const measure = (s: string) => s.length;
  t.same(balanceLines(phrases, measure, 100), [phrases.join(' ')], 'one line when it fits');
  const two = balanceLines(phrases, measure, 50);
  t.same(two, ['Kết quả khảo sát sự hài lòng', 'của người dân, tổ chức đối với sự phục vụ']);
  for (const width of [20, 25, 30, 40]) {
    const lines = balanceLines(phrases, measure, width);
    t.equal(lines.join(' '), phrases.join(' '), `width ${width}: nothing lost`);
    t.ok(
      lines.every((l) => phrases.some((p) => l.startsWith(p)) && phrases.some((p) => l.endsWith(p))),
      `width ${width}: each line starts and ends on a phrase (${lines.join(' / ')})`,
    );
  }
});

t.test('PDF: the NĐ 30 header, recipients and signer from the settings; a finished period', async (t) => {
  const pdf = await reportPdf(bundle('2026-04-05'), SETTINGS);
  const text = pdfText(pdf);
  const lines = pdfText(pdf, '\n')
    .split('\n')
    .map((l) => l.trim());
  t.notMatch(text, /\uFFFD/, 'every letter has a glyph');
  t.ok(lines.includes('THÀNH PHỐ ĐÀ NẴNG'), 'the parent body, in capitals');
  t.ok(lines.includes('PHƯỜNG HỘI AN ĐÔNG'), 'the issuing body, in capitals');
  t.ok(lines.includes('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'));
  t.ok(lines.includes('Độc lập - Tự do - Hạnh phúc'));
  t.ok(
    lines.some((l) => /^Số: +\/BC-UBND$/.test(l)),
    'the Số line, the number left blank',
  );
  t.ok(lines.includes('Hội An Đông, ngày 05 tháng 4 năm 2026'));
  t.ok(lines.includes('BÁO CÁO'));
  const subject = lines.filter((l) => /Kết quả khảo sát|hành chính nhà nước/.test(l) && !l.startsWith('Báo cáo'));
  t.ok(subject.length >= 1, `the subject: ${subject.join(' / ')}`);
  t.ok(
    subject.some((l) => l.includes('người dân, tổ chức')),
    '"tổ chức" is on one line',
  );
  t.notOk(
    lines.some((l) => /(^|\s)(tổ|TỔ)$/.test(l) || /^(chức|CHỨC)(\s|$)/.test(l)),
    'no line ends in "tổ" or starts with "chức"',
  );
  t.ok(lines.includes('Kính gửi:'));
  t.ok(lines.includes('- Sở Nội vụ thành phố Đà Nẵng;'));
  t.ok(lines.includes('- Văn phòng Ủy ban nhân dân thành phố.'));
  t.notMatch(text, /Phòng Văn hóa – Xã hội/, 'the default recipient is replaced by the settings');
  t.ok(lines.includes('Nơi nhận:'));
  t.ok(lines.includes('- Như trên;'));
  t.ok(lines.includes('- Thường trực Đảng ủy phường;'));
  t.ok(lines.includes('- Lưu: VT, VHXH.'));
  t.ok(lines.includes('KT. CHỦ TỊCH') && lines.includes('PHÓ CHỦ TỊCH'), 'the signer’s capacity');
  t.ok(lines.includes('Nguyễn Thị Hồng Nhung'), 'the signer’s name');
  t.ok(
    lines.indexOf('Nơi nhận:') > lines.findIndex((l) => l.includes('Phương pháp tính')),
    'Nơi nhận comes after the body',
  );
  t.notMatch(text, /Số liệu tính đến ngày/, 'a finished period has its figures complete');
});

t.test('PDF and DOCX: a period still under way says how far its figures go', async (t) => {
  const b = bundle('2026-03-05');
  t.match(pdfText(await reportPdf(b, SETTINGS)), /Số liệu tính đến ngày 05\/03\/2026/);
  const paragraphs = await docxParagraphs(await reportDocx(b, SETTINGS));
  t.ok(paragraphs.includes('Số liệu tính đến ngày 05/03/2026'));
  // Under way means ending after today (in Vietnam): on its last day the report is of the whole period.
  t.notMatch(pdfText(await reportPdf(bundle('2026-03-31'), SETTINGS)), /Số liệu tính đến ngày/);
  t.match(pdfText(await reportPdf(bundle('2026-03-30'), SETTINGS)), /Số liệu tính đến ngày 30\/03\/2026/);
});

t.test('DOCX: the same texts, Vietnamese intact, the subject kept in phrases', async (t) => {
  const bytes = await reportDocx(bundle('2026-04-05'), SETTINGS);
  t.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'a zip');
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')!.async('string');
  t.match(xml, /người\u00a0dân,\u00a0tổ\u00a0chức/, 'the words of "tổ chức" joined by no-break spaces');
  t.match(await zip.file('word/styles.xml')!.async('string'), /Times New Roman/, 'typed in Times New Roman');
  const p = await docxParagraphs(bytes);
  for (const line of [
    'THÀNH PHỐ ĐÀ NẴNG',
    'PHƯỜNG HỘI AN ĐÔNG',
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập - Tự do - Hạnh phúc',
    'Hội An Đông, ngày 05 tháng 4 năm 2026',
    'BÁO CÁO',
    'Kết quả khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước Quý I/2026',
    'Kỳ báo cáo: Quý I/2026 (từ 01/01/2026 đến 31/03/2026)',
    'Kính gửi:',
    '- Sở Nội vụ thành phố Đà Nẵng;',
    'Nơi nhận:',
    '- Như trên;',
    '- Lưu: VT, VHXH.',
    'KT. CHỦ TỊCH',
    'PHÓ CHỦ TỊCH',
    'Nguyễn Thị Hồng Nhung',
    '1. Kết quả chung',
    'Tỷ lệ hài lòng chung: 90,0% (khoảng tin cậy 95%: 86,1% – 92,9%), trên 300 phiếu.',
  ]) {
    t.ok(p.includes(line), line);
  }
  t.ok(
    p.some((l) => /^Số: +\/BC-UBND$/.test(l)),
    'the Số line',
  );
  t.ok(p.includes('Đất đai'), 'the tables, cell by cell');
  t.notOk(p.some((l) => l.includes('Số liệu tính đến ngày')));
  t.ok(p.indexOf('Nơi nhận:') > p.indexOf('Đất đai'), 'the signature block closes the report');
});

t.test('PDF and DOCX: dossiers, the weighted rate, QĐ 766 apart with its source, every plan target', async (t) => {
  const b = bundle('2026-04-05');
  const p = await docxParagraphs(await reportDocx(b, SETTINGS));
  for (const line of [
    'Tỷ lệ hài lòng có trọng số theo số hồ sơ đã giải quyết của từng lĩnh vực: 90,0% (khoảng tin cậy 95%: 79,6% – 100,0%).',
    'Tiếp nhận 3.500 hồ sơ; đã giải quyết 3.400 hồ sơ, tỷ lệ đúng hạn (kể cả trước hạn) 95,0%, trước hạn 35,3%, ' +
      'trễ hạn 5,0%; đang giải quyết 300 hồ sơ, trong đó 25 hồ sơ quá hạn.',
    'Tỷ lệ phản hồi (số phiếu / số hồ sơ đã giải quyết): 8,8%. Cỡ mẫu cần thiết: 358 phiếu; còn thiếu 58 phiếu.',
    'Kết quả giải quyết hồ sơ TTHC',
    'Toàn đơn vị',
    '3.500',
    '5.4. Mức độ hài lòng trong tiếp nhận, giải quyết TTHC',
    '89,3%',
    '5,95',
    'Tỷ lệ hồ sơ giải quyết trễ hạn',
    '≤ 2%',
    'Chưa đạt',
    'Chưa có số liệu',
    'Kế hoạch CCHC năm 2026, Mục II.3',
  ]) {
    t.ok(p.includes(line), line);
  }
  const row = p.indexOf('Toàn đơn vị');
  t.same(
    p.slice(row, row + 11),
    ['Toàn đơn vị', 'Phường Hội An Đông', '3.500', '3.400', '35,3%', '95,0%', '5,0%', '25', '8,8%', '358', '58'],
    'the unit’s dossier row, cell by cell',
  );
  t.ok(
    p.some((l) => l.startsWith('Nguồn: Bộ chỉ số 766 (Quyết định số 766/QĐ-TTg')),
    'QĐ 766 cites its source',
  );
  t.ok(p.some((l) => l.startsWith('Mẫu số của các chỉ số này là số hồ sơ, không phải số phiếu khảo sát')));
  t.ok(
    p.some((l) => l.startsWith('Số liệu hồ sơ TTHC và phản ánh, kiến nghị đếm đủ mọi trường hợp, không phải mẫu')),
    'why dossier verdicts are exact',
  );
  // Numbered after the sections before them (here no child units): the last three.
  t.same(
    p.filter((l) => /^\d+\. /.test(l)).slice(-3),
    [
      '8. Kết quả giải quyết hồ sơ TTHC',
      '9. Chỉ số theo Bộ chỉ số 766 (QĐ 766/QĐ-TTg)',
      '10. Thực hiện chỉ tiêu kế hoạch',
    ],
    'QĐ 766 in a section of its own, the plan targets last',
  );

  // A period that cuts a month: no dossier figure, and the report says why.
  const partial = bundle('2026-04-05');
  partial.report = {
    ...partial.report,
    to: '2026-03-15',
    dossiers: null,
    dossierMonths: [],
    dossierNote: 'partial_month',
    weightedRate: null,
    qd766: null,
    serviceAreas: partial.report.serviceAreas.map((a) => ({ ...a, dossiers: null })),
  };
  const reason = /Kỳ báo cáo không trọn tháng: số hồ sơ được nhập theo tháng/;
  const q = await docxParagraphs(await reportDocx(partial, SETTINGS));
  t.ok(
    q.some((l) => reason.test(l)),
    'DOCX: the reason',
  );
  t.notOk(q.includes('Toàn đơn vị'), 'DOCX: no dossier table');
  t.notOk(
    q.some((l) => l.includes('Bộ chỉ số 766')),
    'DOCX: no QĐ 766',
  );
  const text = pdfText(await reportPdf(partial, SETTINGS));
  t.match(text, reason, 'PDF: the reason');
  t.notMatch(text, /Toàn đơn vị|Bộ chỉ số 766|có trọng số theo số hồ sơ/);
});

t.test(
  'defaults: a centre is dated at its commune and signed by its director; a province reports to the ministry',
  async (t) => {
    const centre = defaultSettings({ name: 'Trung tâm Phục vụ hành chính công phường Hội An Đông', kind: 'centre' }, [
      { name: 'Thành phố Đà Nẵng', kind: 'province' },
      { name: 'Phường Hội An Đông', kind: 'commune' },
    ]);
    t.equal(centre.parentName, 'Phường Hội An Đông');
    t.equal(centre.placeName, 'Hội An Đông');
    t.equal(centre.abbreviation, 'TTPVHCC');
    t.same(centre.signerCapacity, ['GIÁM ĐỐC']);
    t.same(centre.recipients, ['Phòng Văn hóa – Xã hội']);
    const province = defaultSettings({ name: 'Thành phố Đà Nẵng', kind: 'province' }, []);
    t.equal(province.parentName, '');
    t.equal(province.placeName, 'Đà Nẵng');
    t.same(province.recipients, ['Bộ Nội vụ']);
    const stored = effectiveSettings({ ...EMPTY_SETTINGS, signerCapacity: 'kt. chủ tịch\nphó chủ tịch' }, province);
    t.same(stored.signerCapacity, ['KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH'], 'the capacity is printed in capitals');
    t.equal(stored.placeName, 'Đà Nẵng', 'an empty setting keeps the default');
  },
);
