import type { Chart } from '../charts.ts';
import { displayCell, type ReportTable } from './report-model.ts';

// Drawing blocks of the PDF report with pdfkit: paragraphs, tables that
// continue on the next page with their header repeated, and the report's
// charts drawn from the same shapes as the dashboard's SVG (vector, so they
// print sharp). Fonts 'regular' and 'bold' must be registered on the document.

export type Doc = PDFKit.PDFDocument;

export const INK = '#1b1f24';
export const GREY = '#5b6670';
export const RED = '#a50e0e';
const RULE = '#c9d0d6';
const HEAD_FILL = '#eef1f4';

const left = (doc: Doc) => doc.page.margins.left;
const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const bottom = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** Starts a new page unless `height` still fits on this one. */
export function ensureSpace(doc: Doc, height: number) {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

export function heading(doc: Doc, text: string) {
  // A heading never ends a page: room for it and the start of what follows.
  ensureSpace(doc, 150);
  doc.moveDown(0.6);
  doc
    .font('bold')
    .fontSize(12)
    .fillColor(RED)
    .text(text, left(doc), doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

export function paragraph(doc: Doc, text: string, opts: { bold?: boolean; size?: number; colour?: string } = {}) {
  doc
    .font(opts.bold ? 'bold' : 'regular')
    .fontSize(opts.size ?? 10)
    .fillColor(opts.colour ?? INK)
    .text(text, left(doc), doc.y, { width: contentWidth(doc), lineGap: 1.5, align: 'left' });
  doc.moveDown(0.3);
}

/** Column widths: the first (the row's name) and text columns get more room than figures. */
function columnWidths(t: ReportTable, total: number): number[] {
  const weight = { text: 1.6, interval: 1.6, changeInterval: 1.6, date: 1.5 } as Partial<Record<string, number>>;
  // The row names take what their longest needs, up to 2.4 shares.
  const longest = Math.max(...t.rows.map((r) => String(r[0] ?? '').length), 8);
  const first = Math.min(2.4, Math.max(1.2, longest / 12));
  const weights = t.columns.map((c, i) => (i === 0 ? first : (weight[c.kind] ?? 1)));
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (total * w) / sum);
}

export function table(doc: Doc, t: ReportTable) {
  const x0 = left(doc);
  const widths = columnWidths(t, contentWidth(doc));
  const size = t.columns.length > 6 ? 7.5 : 9;
  const pad = 3;
  const numeric = t.columns.map((c) => c.kind !== 'text' && c.kind !== 'verdict');
  const rowHeight = (cells: string[], font: 'regular' | 'bold') => {
    doc.font(font).fontSize(size);
    return (
      Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: (widths[i] ?? 0) - 2 * pad }))) + 2 * pad
    );
  };
  const drawRow = (cells: string[], font: 'regular' | 'bold', fill?: string) => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    if (fill) doc.rect(x0, y, contentWidth(doc), h).fill(fill);
    let x = x0;
    cells.forEach((c, i) => {
      const w = widths[i] ?? 0;
      doc
        .font(font)
        .fontSize(size)
        .fillColor(INK)
        .text(c, x + pad, y + pad, { width: w - 2 * pad, align: numeric[i] && font === 'regular' ? 'right' : 'left' });
      x += w;
    });
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + contentWidth(doc), y + h)
      .lineWidth(0.5)
      .stroke(RULE);
    doc.x = x0;
    doc.y = y + h;
  };
  const header = t.columns.map((c) => c.header);
  const rows = t.rows.map((r) => t.columns.map((c, i) => displayCell(c.kind, r[i] ?? null)));
  ensureSpace(doc, rowHeight(header, 'bold') + (rows[0] ? rowHeight(rows[0], 'regular') : 0));
  drawRow(header, 'bold', HEAD_FILL);
  for (const cells of rows) {
    if (doc.y + rowHeight(cells, 'regular') > bottom(doc)) {
      doc.addPage();
      drawRow(header, 'bold', HEAD_FILL);
    }
    drawRow(cells, 'regular');
  }
  if (!rows.length) drawRow(['Không có số liệu.', ...header.slice(1).map(() => '')], 'regular');
  doc.moveDown(0.4);
  for (const note of t.notes) paragraph(doc, note, { size: 8, colour: GREY });
}

/** A chart scaled to the text width, with its title above it. */
export function chart(doc: Doc, c: Chart) {
  const s = contentWidth(doc) / c.width;
  ensureSpace(doc, c.height * s + 24);
  paragraph(doc, c.title, { bold: true, size: 9 });
  const ox = left(doc);
  const oy = doc.y;
  for (const shape of c.shapes) {
    switch (shape.kind) {
      case 'rect':
        if (shape.w > 0) doc.rect(ox + shape.x * s, oy + shape.y * s, shape.w * s, shape.h * s).fill(shape.fill);
        break;
      case 'line':
        doc
          .moveTo(ox + shape.x1 * s, oy + shape.y1 * s)
          .lineTo(ox + shape.x2 * s, oy + shape.y2 * s)
          .lineWidth(shape.width * s);
        if (shape.dash) doc.dash(shape.dash * s, { space: shape.dash * s });
        doc.stroke(shape.stroke);
        doc.undash();
        break;
      case 'polyline': {
        const [first, ...rest] = shape.points;
        if (!first) break;
        doc.moveTo(ox + first[0] * s, oy + first[1] * s);
        for (const [px, py] of rest) doc.lineTo(ox + px * s, oy + py * s);
        doc.lineWidth(shape.width * s).stroke(shape.stroke);
        break;
      }
      case 'circle':
        doc.circle(ox + shape.cx * s, oy + shape.cy * s, shape.r * s).fill(shape.fill);
        break;
      case 'text': {
        doc
          .font(shape.bold ? 'bold' : 'regular')
          .fontSize(shape.size * s)
          .fillColor(shape.fill);
        const w = doc.widthOfString(shape.text);
        const tx =
          shape.anchor === 'end' ? shape.x * s - w : shape.anchor === 'middle' ? shape.x * s - w / 2 : shape.x * s;
        doc.text(shape.text, ox + tx, oy + shape.y * s, { lineBreak: false, baseline: 'alphabetic' });
        break;
      }
    }
  }
  doc.x = ox;
  doc.y = oy + c.height * s + 8;
}
