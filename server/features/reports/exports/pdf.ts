import { formatDateVi } from '../../../../analysis/local-time.ts';
import { loadPdfKit } from '../../posters-codes/poster-pdf.ts';
import type { ReportSettings } from '../report-settings-rules.ts';
import { officialDocument, SUBJECT } from './official-document.ts';
import { chart, type Doc, GREY, heading, paragraph, table } from './pdf-draw.ts';
import { drawHeader, drawSignature, registerDocumentFonts } from './pdf-official.ts';
import { reportBlocks } from './report-blocks.ts';
import type { ReportBundle } from './report-model.ts';

// The quarterly report as a print-ready A4 PDF in the layout of Nghị định
// 30/2020/NĐ-CP (pdf-official.ts: header, title, recipients, signature),
// with the unit's own settings; the body: the headline against the target
// with its verdict in words, the method, then each table with its chart.

export async function reportPdf(b: ReportBundle, settings: ReportSettings): Promise<Buffer> {
  const PDFDocument = await loadPdfKit();
  const r = b.report;
  const d = officialDocument(b, settings);
  // NĐ 30's margins: 3 cm left for the binding, 2 cm elsewhere.
  const doc: Doc = new PDFDocument({
    size: 'A4',
    margins: { top: 57, bottom: 57, left: 85, right: 57 },
    bufferPages: true,
    lang: 'vi-VN',
    info: {
      Title: `Báo cáo ${SUBJECT} – ${r.unit.name} – ${b.periodLabel}`,
      Creator: 'Hài Lòng – khảo sát sự hài lòng',
    },
  });
  registerDocumentFonts(doc);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const issued = formatDateVi(b.issuedAt);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  drawHeader(doc, d);

  for (const block of reportBlocks(b)) {
    if (block.kind === 'heading') heading(doc, block.text);
    else if (block.kind === 'paragraph') {
      paragraph(doc, block.text, { bold: block.bold, size: block.small ? 10.5 : 12 });
    } else if (block.kind === 'chart') chart(doc, block.chart);
    else table(doc, block.table);
  }

  drawSignature(doc, d);

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
        left,
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
