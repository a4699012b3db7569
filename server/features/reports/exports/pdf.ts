import { formatDateVi, isoDateToVi } from '../../../../analysis/local-time.ts';
import { FACTOR_NAMES } from '../../../../surveys/factor-names.ts';
import { loadFonts, loadPdfKit } from '../../posters-codes/poster-pdf.ts';
import { chart, type Doc, GREY, heading, INK, paragraph, RED, table } from './pdf-draw.ts';
import { reportCharts } from './report-charts.ts';
import type { ReportBundle } from './report-model.ts';
import { reportTables } from './report-tables.ts';
import { formatInterval, formatRate, headline, lowestFactor, methodParagraphs, wordingNote } from './report-text.ts';

// The quarterly report to the Phòng Văn hóa – Xã hội as a print-ready A4 PDF:
// title, unit and period, the headline against the target with its verdict
// in words, the method, then each table with its chart, and the date of
// issue. Be Vietnam Pro (PDF's standard fonts have no Vietnamese).

const TITLE = 'BÁO CÁO KẾT QUẢ KHẢO SÁT SỰ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC';
const SUBTITLE = 'đối với sự phục vụ của cơ quan hành chính nhà nước';

export async function reportPdf(b: ReportBundle): Promise<Buffer> {
  const PDFDocument = await loadPdfKit();
  const { regular, bold } = loadFonts();
  const r = b.report;
  const doc: Doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 56, left: 50, right: 50 },
    bufferPages: true,
    lang: 'vi-VN',
    info: { Title: `${TITLE} – ${r.unit.name} – ${b.periodLabel}`, Creator: 'Hài Lòng – khảo sát sự hài lòng' },
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const issued = formatDateVi(b.issuedAt);
  const width = doc.page.width - 100;
  doc.font('bold').fontSize(11).fillColor(INK).text(r.unit.name.toLocaleUpperCase('vi'), 50, 50, { width });
  doc.moveDown(1.2);
  doc.font('bold').fontSize(14).fillColor(RED).text(TITLE, { width, align: 'center' });
  doc.font('regular').fontSize(11).fillColor(INK).text(SUBTITLE, { width, align: 'center' });
  doc.moveDown(0.4);
  const days = `từ ${isoDateToVi(r.from)} đến ${isoDateToVi(r.to)}`;
  // A custom range is already labelled by its days.
  const period = b.periodLabel.includes(isoDateToVi(r.from)) ? days : `${b.periodLabel} (${days})`;
  doc.text(`Kỳ báo cáo: ${period}`, { width, align: 'center' });
  doc.moveDown(0.8);
  paragraph(doc, 'Kính gửi: Phòng Văn hóa – Xã hội', { bold: true });
  paragraph(doc, `Đơn vị: ${r.unit.name} và các đơn vị trực thuộc`);
  paragraph(doc, `Lĩnh vực: ${b.serviceAreaName ?? 'tất cả lĩnh vực'}`);

  const tables = new Map(reportTables(b).map((t) => [t.key, t]));
  const charts = new Map(reportCharts(b).map((c) => [c.key, c.chart]));
  let section = 0;
  const next = (title: string) => heading(doc, `${++section}. ${title}`);
  const show = (key: string) => {
    const c = charts.get(key as never);
    if (c) chart(doc, c);
    const t = tables.get(key);
    if (t) table(doc, t);
  };

  next('Kết quả chung');
  const h = headline(r);
  paragraph(doc, `Tỷ lệ hài lòng chung: ${h.rate} (khoảng tin cậy 95%: ${h.interval}), trên ${h.n} phiếu.`, {
    bold: true,
    size: 11,
  });
  paragraph(
    doc,
    h.target
      ? `Chỉ tiêu: ${h.target}${h.source ? ` (${h.source})` : ''}. Đánh giá: ${h.verdictName}. ${h.explanation}`
      : `Đánh giá: ${h.verdictName}. ${h.explanation}`,
  );
  paragraph(
    doc,
    `Chỉ số hài lòng tổng hợp: ${formatRate(r.composite.value)} (khoảng tin cậy 95%: ${formatInterval(r.composite.ci95)}).`,
  );
  const low = lowestFactor(r.factors);
  if (low) paragraph(doc, `Yếu tố có chỉ số thấp nhất: ${FACTOR_NAMES[low.key]} (${formatRate(low.rate)}).`);
  show('summary');

  next('Phương pháp tính');
  for (const p of methodParagraphs(r)) paragraph(doc, p, { size: 9 });
  const wording = wordingNote(r.wordingChanged);
  if (wording) paragraph(doc, wording, { size: 9 });

  next('Kết quả theo lĩnh vực');
  show('serviceAreas');
  if (tables.has('factorsByArea')) show('factorsByArea');
  if (tables.has('children')) {
    next('Kết quả theo đơn vị trực thuộc');
    show('children');
  }
  next('Kết quả theo yếu tố');
  show('factors');
  if (tables.has('trend')) {
    next(tables.get('trend')!.title);
    show('trend');
  }
  next('Phân bố câu trả lời và kênh khảo sát');
  show('distribution');
  show('channels');
  if (tables.has('feedback')) {
    next('Tiếp nhận, xử lý phản ánh, kiến nghị');
    show('feedback');
  }

  doc.moveDown(1);
  paragraph(doc, `Ngày lập báo cáo: ${issued}`, { bold: true });

  // Footer on every page, written last when the page count is known; the
  // bottom margin is lifted meanwhile so that pdfkit does not add a page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(GREY)
      .text(
        `${r.unit.name} · ${b.periodLabel} · Lập ngày ${issued} · Trang ${i + 1}/${range.count}`,
        50,
        doc.page.height - 36,
        {
          width,
          align: 'center',
          lineBreak: false,
        },
      );
    doc.page.margins.bottom = margin;
  }
  doc.end();
  return done;
}
