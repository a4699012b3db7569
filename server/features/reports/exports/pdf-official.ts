import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { balanceLines, DOCUMENT_KIND, MOTTO, NATIONAL_TITLE, type OfficialDocument } from './official-document.ts';
import { type Doc, ensureSpace, INK } from './pdf-draw.ts';

// The parts of the PDF report that Nghị định 30/2020/NĐ-CP fixes: the
// header's two blocks (issuing body left, national title and motto right),
// the Số and place-date line, title and subject, the recipients, and at the
// end the distribution list beside the signature block. Tinos, metrically
// the Times New Roman that NĐ 30 documents are typed in, with every
// Vietnamese letter; registered as 'regular', 'bold', 'italic', 'bolditalic'.

const require = createRequire(import.meta.url);
let fonts: Record<'regular' | 'bold' | 'italic' | 'bolditalic', Buffer> | undefined;

export function registerDocumentFonts(doc: Doc) {
  const file = (dir: string) => readFileSync(require.resolve(`@expo-google-fonts/tinos/${dir}/Tinos_${dir}.ttf`));
  fonts ??= {
    regular: file('400Regular'),
    bold: file('700Bold'),
    italic: file('400Regular_Italic'),
    bolditalic: file('700Bold_Italic'),
  };
  for (const [name, data] of Object.entries(fonts)) doc.registerFont(name, data);
}

type Font = 'regular' | 'bold' | 'italic' | 'bolditalic';

/** Centred lines in a column; returns the y under them. */
function column(doc: Doc, x: number, y: number, width: number, lines: [Font, number, string][]): number {
  for (const [font, size, text] of lines) {
    if (!text) continue;
    doc.font(font).fontSize(size).fillColor(INK).text(text, x, y, { width, align: 'center' });
    y = doc.y;
  }
  return y;
}

/** A rule centred under a text, as wide as `ruleWidth`. */
function rule(doc: Doc, x: number, width: number, y: number, ruleWidth: number) {
  const start = x + (width - ruleWidth) / 2;
  doc
    .moveTo(start, y)
    .lineTo(start + ruleWidth, y)
    .lineWidth(0.6)
    .stroke(INK);
}

export function drawHeader(doc: Doc, d: OfficialDocument) {
  const x0 = doc.page.margins.left;
  const top = doc.page.margins.top;
  const total = doc.page.width - x0 - doc.page.margins.right;
  const leftW = total * 0.4;
  const rightX = x0 + leftW;
  const rightW = total - leftW;

  // Long names break into balanced lines ("ỦY BAN NHÂN DÂN / XÃ HÒA AN"), not a full line and a stub.
  const balanced = (font: Font, text: string) => {
    doc.font(font).fontSize(12);
    return balanceLines(text.split(' '), (s) => doc.widthOfString(s), leftW).join('\n');
  };
  const leftBottom = column(doc, x0, top, leftW, [
    ['regular', 12, balanced('regular', d.parentBody)],
    ['bold', 12, balanced('bold', d.issuer)],
  ]);
  // NĐ 30: a rule a third to a half as long as the issuing body's name.
  doc.font('bold').fontSize(12);
  rule(doc, x0, leftW, leftBottom + 4, Math.min(leftW * 0.45, doc.widthOfString(d.issuer) * 0.4));

  doc.font('bold').fontSize(12);
  const titleSize = Math.min(12, (12 * rightW) / (doc.widthOfString(NATIONAL_TITLE) + 2));
  const rightBottom = column(doc, rightX, top, rightW, [
    ['bold', titleSize, NATIONAL_TITLE],
    ['bold', 13, MOTTO],
  ]);
  doc.font('bold').fontSize(13);
  rule(doc, rightX, rightW, rightBottom + 4, doc.widthOfString(MOTTO));

  const row = Math.max(leftBottom, rightBottom) + 10;
  column(doc, x0, row, leftW, [['regular', 13, d.numberLine]]);
  const after = column(doc, rightX, row, rightW, [['italic', 13, d.placeDate]]);

  doc.y = Math.max(after, doc.y) + 18;
  column(doc, x0, doc.y, total, [['bold', 14, DOCUMENT_KIND]]);
  doc.font('bold').fontSize(14);
  const subject = balanceLines(d.subjectPhrases, (s) => doc.widthOfString(s), total);
  let y = column(
    doc,
    x0,
    doc.y,
    total,
    subject.map((line) => ['bold', 14, line]),
  );
  rule(doc, x0, total, y + 6, Math.min(total * 0.3, 120));
  y = column(doc, x0, y + 14, total, [
    ['regular', 12, d.periodLine],
    ['italic', 12, d.asOf ?? ''],
  ]);
  doc.y = y + 8;
  doc.x = x0;
  const [first, ...rest] = d.recipients;
  if (first) {
    doc
      .font('regular')
      .fontSize(13)
      .text(first, x0, doc.y, { width: total, align: rest.length ? 'left' : 'center' });
    for (const line of rest) doc.text(line, x0 + 70, doc.y, { width: total - 70 });
  }
  doc.moveDown(0.5);
  for (const line of d.scopeLines) doc.font('regular').fontSize(11).text(line, x0, doc.y, { width: total });
  doc.moveDown(0.3);
}

/** Nơi nhận on the left, the signer's capacity, room to sign and the name on the right. */
export function drawSignature(doc: Doc, d: OfficialDocument) {
  const x0 = doc.page.margins.left;
  const total = doc.page.width - x0 - doc.page.margins.right;
  const leftW = total * 0.45;
  const rightX = x0 + leftW;
  const rightW = total - leftW;
  const signRoom = 70;
  doc.font('regular').fontSize(11);
  const listHeight = d.distribution.reduce((h, l) => h + doc.heightOfString(l, { width: leftW }), 18);
  const blockHeight = Math.max(listHeight, d.signerCapacity.length * 16 + signRoom + 20);
  doc.moveDown(1);
  // The signer and the list are never parted from each other.
  ensureSpace(doc, blockHeight);
  const y0 = doc.y;
  doc.font('bolditalic').fontSize(12).fillColor(INK).text('Nơi nhận:', x0, y0, { width: leftW });
  for (const line of d.distribution) doc.font('regular').fontSize(11).text(line, x0, doc.y, { width: leftW });
  const capacityBottom = column(
    doc,
    rightX,
    y0,
    rightW,
    d.signerCapacity.map((l) => ['bold', 13, l]),
  );
  column(doc, rightX, capacityBottom + signRoom, rightW, [['bold', 13, d.signerName]]);
  doc.x = x0;
  doc.y = y0 + blockHeight;
}
