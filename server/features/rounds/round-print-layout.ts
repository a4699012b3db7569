import QRCode from 'qrcode';
import type { PaperBox, PaperField } from '../../../surveys/paper-numbering.ts';

// The blocks of a printed questionnaire (round-print.ts): each measures its
// height once and draws itself at a given y, so a form is paginated once and
// every serial printed with the same page breaks. Black and grey only: forms
// are photocopied.

export type Doc = PDFKit.PDFDocument;

export const A4 = { width: 595.28, height: 841.89 };
export const MARGIN = 40;
export const CONTENT_WIDTH = A4.width - 2 * MARGIN;
/** Lowest y a block may reach; the footer sits below. */
export const BOTTOM = A4.height - MARGIN - 14;
export const INK = '#111111';
export const GREY = '#555555';
const RULE = '#9a9a9a';
const SHADE = '#efefef';
const BOX = 10;

export interface Block {
  height: number;
  /** Moves to the next page together with the block after it (a section title). */
  keepWithNext?: boolean;
  draw: (doc: Doc, y: number) => void;
}

type Font = 'regular' | 'bold';
const use = (doc: Doc, font: Font, pt: number) => doc.font(font).fontSize(pt);

/** An empty tick box with its printed digit on the left; returns the width used. */
function digitBox(doc: Doc, x: number, y: number, digit: number): number {
  const text = String(digit);
  const w = use(doc, 'bold', 9).widthOfString(text);
  doc.fillColor(INK).text(text, x, y + 0.5, { lineBreak: false });
  doc
    .lineWidth(0.8)
    .rect(x + w + 2.5, y, BOX, BOX)
    .stroke(INK);
  return w + 2.5 + BOX;
}

const digitBoxWidth = (doc: Doc, digit: number) => use(doc, 'bold', 9).widthOfString(String(digit)) + 2.5 + BOX;

/** A title and paragraphs in a ruled box: what the surveyor reads out. */
export function boxBlock(doc: Doc, title: string, lines: readonly string[]): Block {
  const pad = 8;
  const inner = CONTENT_WIDTH - 2 * pad;
  const opts = { width: inner, lineGap: 1.5 };
  const titleH = use(doc, 'bold', 9.5).heightOfString(title, opts);
  const heights = lines.map((l) => use(doc, 'regular', 9).heightOfString(`•  ${l}`, opts));
  const height = pad + titleH + 3 + heights.reduce((s, h) => s + h + 2, 0) + pad - 2;
  return {
    height: height + 8,
    draw(doc, y) {
      doc.lineWidth(0.8).roundedRect(MARGIN, y, CONTENT_WIDTH, height, 4).stroke(RULE);
      use(doc, 'bold', 9.5)
        .fillColor(INK)
        .text(title, MARGIN + pad, y + pad, opts);
      let at = y + pad + titleH + 3;
      lines.forEach((l, i) => {
        use(doc, 'regular', 9)
          .fillColor(INK)
          .text(`•  ${l}`, MARGIN + pad, at, opts);
        at += (heights[i] ?? 0) + 2;
      });
    },
  };
}

/** One line of text, e.g. "Ngày khảo sát: ____/____/________". */
export function lineBlock(doc: Doc, text: string, font: Font = 'regular', pt = 10, after = 6): Block {
  const height = use(doc, font, pt).heightOfString(text, { width: CONTENT_WIDTH });
  return {
    height: height + after,
    draw(doc, y) {
      use(doc, font, pt).fillColor(INK).text(text, MARGIN, y, { width: CONTENT_WIDTH });
    },
  };
}

/** A gap between two sections where the second has no title. */
export const gapBlock = (height: number): Block => ({ height, draw: () => {} });

/** A section's title over a rule; kept with its first question. */
export function sectionBlock(doc: Doc, title: string): Block {
  const height = use(doc, 'bold', 10.5).heightOfString(title, { width: CONTENT_WIDTH });
  return {
    height: 6 + height + 9,
    keepWithNext: true,
    draw(doc, y) {
      use(doc, 'bold', 10.5)
        .fillColor(INK)
        .text(title, MARGIN, y + 6, { width: CONTENT_WIDTH });
      doc
        .moveTo(MARGIN, y + 6 + height + 2)
        .lineTo(MARGIN + CONTENT_WIDTH, y + 6 + height + 2)
        .lineWidth(0.8)
        .stroke(INK);
    },
  };
}

const questionText = (f: PaperField) => (f.number === null ? `${f.label}:` : `Câu ${f.number}. ${f.label}`);

/** A scale item: the question on the left, 1–5 and 0 boxes in a column on the right, the row shaded every other time. */
export function scaleBlock(doc: Doc, field: PaperField, shaded: boolean): Block {
  const cell = 27;
  const boxesWidth = 6 * cell;
  const textWidth = CONTENT_WIDTH - boxesWidth - 14;
  const text = questionText(field);
  const textH = use(doc, 'regular', 9.5).heightOfString(text, { width: textWidth, lineGap: 1 });
  const height = Math.max(textH, BOX + 2) + 8;
  return {
    height,
    draw(doc, y) {
      if (shaded) doc.rect(MARGIN - 4, y, CONTENT_WIDTH + 8, height).fill(SHADE);
      use(doc, 'regular', 9.5)
        .fillColor(INK)
        .text(text, MARGIN, y + 4, { width: textWidth, lineGap: 1 });
      const boxY = y + 4 + Math.max(0, (Math.min(textH, 24) - BOX) / 2);
      field.boxes.forEach((b, i) => {
        // 1–5 in the first five cells; "0" always in the sixth, so the columns line up down the page.
        const slot = b.digit === 0 ? 5 : i;
        digitBox(doc, MARGIN + CONTENT_WIDTH - boxesWidth + slot * cell + 4, boxY, b.digit);
      });
    },
  };
}

/** Options laid out in as many equal columns as fit, each "digit [box] label". */
function optionGrid(doc: Doc, boxes: readonly PaperBox[], width: number) {
  const labelW = (b: PaperBox) => use(doc, 'regular', 9.5).widthOfString(b.label);
  const itemW = Math.max(...boxes.map((b) => digitBoxWidth(doc, b.digit) + 5 + labelW(b))) + 16;
  const columns = Math.max(1, Math.min(boxes.length, Math.floor(width / itemW)));
  const colW = width / columns;
  const labelWidth = colW - 16 - Math.max(...boxes.map((b) => digitBoxWidth(doc, b.digit))) - 5;
  const rows: number[] = [];
  boxes.forEach((b, i) => {
    const r = Math.floor(i / columns);
    const h = Math.max(use(doc, 'regular', 9.5).heightOfString(b.label, { width: labelWidth }), BOX + 1) + 5;
    rows[r] = Math.max(rows[r] ?? 0, h);
  });
  return {
    height: rows.reduce((s, h) => s + h, 0),
    draw(doc: Doc, x: number, y: number) {
      let rowY = y;
      rows.forEach((h, r) => {
        boxes.slice(r * columns, (r + 1) * columns).forEach((b, c) => {
          const left = x + c * colW;
          const used = digitBox(doc, left, rowY, b.digit);
          use(doc, 'regular', 9.5)
            .fillColor(INK)
            .text(b.label, left + used + 5, rowY, { width: labelWidth });
        });
        rowY += h;
      });
    },
  };
}

/** A choice item (or the service area): the question, then its numbered options below. */
export function choiceBlock(doc: Doc, field: PaperField): Block {
  const text = questionText(field);
  const font: Font = field.number === null ? 'bold' : 'regular';
  const textH = use(doc, font, field.number === null ? 10 : 9.5).heightOfString(text, {
    width: CONTENT_WIDTH,
    lineGap: 1,
  });
  const grid = optionGrid(doc, field.boxes, CONTENT_WIDTH - 14);
  return {
    height: 4 + textH + 4 + grid.height + 4,
    draw(doc, y) {
      use(doc, font, field.number === null ? 10 : 9.5)
        .fillColor(INK)
        .text(text, MARGIN, y + 4, { width: CONTENT_WIDTH, lineGap: 1 });
      grid.draw(doc, MARGIN + 14, y + 4 + textH + 4);
    },
  };
}

/** A free-text item: the question and ruled lines to write on. */
export function textBlock(doc: Doc, field: PaperField, lines = 3): Block {
  const text = questionText(field);
  const textH = use(doc, 'regular', 9.5).heightOfString(text, { width: CONTENT_WIDTH, lineGap: 1 });
  const gap = 20;
  return {
    height: 4 + textH + lines * gap + 8,
    draw(doc, y) {
      use(doc, 'regular', 9.5)
        .fillColor(INK)
        .text(text, MARGIN, y + 4, { width: CONTENT_WIDTH, lineGap: 1 });
      for (let i = 1; i <= lines; i++) {
        const ly = y + 4 + textH + i * gap;
        doc
          .moveTo(MARGIN + 14, ly)
          .lineTo(MARGIN + CONTENT_WIDTH, ly)
          .lineWidth(0.5)
          .dash(1.5, { space: 2 })
          .stroke(RULE)
          .undash();
      }
    },
  };
}

/**
 * A QR code drawn as vector squares, level M as on the posters
 * (organisation/desk-links.ts), with a quiet zone of 2 modules inside `size`.
 * Vector rather than a PNG: crisp at any printer's resolution, and some 15
 * times faster than encoding a PNG for each of 2,000 forms.
 */
export function drawQr(doc: Doc, text: string, x: number, y: number, size: number) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const m = size / (n + 4);
  for (let r = 0; r < n; r++) {
    // One rectangle per run of dark modules in a row.
    for (let c = 0; c < n; c++) {
      if (!modules.get(r, c)) continue;
      const start = c;
      while (c + 1 < n && modules.get(r, c + 1)) c++;
      doc.rect(x + (2 + start) * m, y + (2 + r) * m, (c - start + 1) * m, m);
    }
  }
  doc.fill(INK);
}

/** Splits blocks into pages: `first` is where the first page's blocks start (below the header). */
export function paginate(blocks: readonly Block[], first: number, top: number): { block: Block; y: number }[][] {
  const pages: { block: Block; y: number }[][] = [[]];
  let y = first;
  blocks.forEach((block, i) => {
    // A section title moves on with its first question.
    const next = block.keepWithNext ? (blocks[i + 1]?.height ?? 0) : 0;
    if (y + block.height + next > BOTTOM && pages.at(-1)!.length > 0) {
      pages.push([]);
      y = top;
    }
    pages.at(-1)!.push({ block, y });
    y += block.height;
  });
  return pages;
}
