import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type PDFKitDocument from 'pdfkit';
import type { PosterContent, PosterSize } from './poster-content.ts';

// Draws QR posters as PDF, one page per desk. Pure apart from reading the
// fonts: no Fastify, no database. The whole Be Vietnam Pro TTFs are embedded
// (pdfkit subsets them): split webfont files lose either the Latin or the
// Vietnamese letters, and PDF's standard fonts have no Vietnamese at all.

const require = createRequire(import.meta.url);
let fonts: { regular: Buffer; bold: Buffer } | undefined;

/**
 * pdfkit (and exceljs, report-export/xlsx.ts) are loaded on the first
 * document, not at start: together they are about 45 MB of a server's
 * memory that citizens' pages and submissions never use.
 */
export async function loadPdfKit(): Promise<typeof PDFKitDocument> {
  return (await import('pdfkit')).default;
}

/** The Be Vietnam Pro regular and bold TTFs, read once (the report PDF uses them too). */
export function loadFonts() {
  fonts ??= {
    regular: readFileSync(require.resolve('@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf')),
    bold: readFileSync(require.resolve('@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf')),
  };
  return fonts;
}

export interface PosterPage {
  content: PosterContent;
  /** The QR of content.url as PNG (desk-links qrPng). */
  qrPng: Buffer;
}

const RED = '#a50e0e';
const INK = '#1b1f24';
const GREY = '#4a545e';
// Page widths in points; everything else scales from A4.
const A4_WIDTH = 595.28;

/** Largest font size (down to `min`) at which `width(size)` fits `max`. */
export function fitFontSize(width: (size: number) => number, max: number, start: number, min: number): number {
  let size = start;
  while (size > min && width(size) > max) size -= 0.5;
  return Math.max(size, min);
}

/**
 * A portrait document in Vietnamese with the fonts 'regular' and 'bold', no
 * page yet and no margins (callers lay out their own), and the PDF's bytes
 * once the caller ends it.
 */
export async function openPdf(
  size: string,
  title: string,
): Promise<{ doc: PDFKit.PDFDocument; done: Promise<Buffer> }> {
  const PDFDocument = await loadPdfKit();
  const { regular, bold } = loadFonts();
  const doc = new PDFDocument({
    size,
    layout: 'portrait',
    margin: 0,
    autoFirstPage: false,
    lang: 'vi-VN',
    info: { Title: title, Creator: 'Hài Lòng – khảo sát sự hài lòng' },
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

export async function renderPostersPdf(pages: PosterPage[], size: PosterSize, title: string): Promise<Buffer> {
  const { doc, done } = await openPdf(size.toUpperCase(), title);
  for (const page of pages) {
    doc.addPage();
    drawPoster(doc, page);
  }
  doc.end();
  return done;
}

function drawPoster(doc: PDFKit.PDFDocument, { content: c, qrPng }: PosterPage) {
  const W = doc.page.width;
  const H = doc.page.height;
  const s = W / A4_WIDTH;
  const m = 44 * s;
  const cw = W - 2 * m;
  const centred = { width: cw, align: 'center' as const };

  // Text blocks above and below the QR, measured first so that the QR takes
  // whatever height is left (long unit names wrap onto more lines).
  const use = (font: 'regular' | 'bold', pt: number) => doc.font(font).fontSize(pt * s);
  const heightOf = (font: 'regular' | 'bold', pt: number, text: string, width = cw) =>
    use(font, pt).heightOfString(text, { width, align: 'center', lineGap: 2 * s });
  const parent = c.parentName?.toLocaleUpperCase('vi') ?? '';
  const unit = c.unitName.toLocaleUpperCase('vi');
  const stepWidth = cw - 34 * s;
  const above =
    (parent ? heightOf('regular', 12, parent) + 2 * s : 0) +
    heightOf('bold', 17, unit) +
    24 * s +
    heightOf('bold', 25, c.callToAction) +
    14 * s;
  const below =
    10 * s +
    heightOf('regular', 11, c.typeHint) +
    20 * s +
    16 * s +
    c.steps.reduce((sum, step) => sum + Math.max(heightOf('regular', 12.5, step, stepWidth), 20 * s) + 8 * s, 0) +
    10 * s +
    heightOf('bold', 14, c.deskName) +
    (c.areasLine ? heightOf('regular', 11.5, c.areasLine) : 0) +
    16 * s +
    heightOf('regular', 10.5, c.privacy);
  const qr = Math.max(110 * s, Math.min(340 * s, H - 2 * m - above - below));

  doc
    .lineWidth(2 * s)
    .roundedRect(20 * s, 20 * s, W - 40 * s, H - 40 * s, 10 * s)
    .stroke(RED);

  let y = m;
  const write = (font: 'regular' | 'bold', pt: number, colour: string, text: string, gap = 0) => {
    use(font, pt)
      .fillColor(colour)
      .text(text, m, y, { ...centred, lineGap: 2 * s });
    y = doc.y + gap;
  };
  if (parent) write('regular', 12, GREY, parent, 2 * s);
  write('bold', 17, RED, unit, 10 * s);
  doc
    .moveTo(W / 2 - 60 * s, y)
    .lineTo(W / 2 + 60 * s, y)
    .lineWidth(1.5 * s)
    .stroke(RED);
  y += 14 * s;
  write('bold', 25, INK, c.callToAction, 14 * s);

  doc.image(qrPng, (W - qr) / 2, y, { width: qr, height: qr });
  y += qr + 10 * s;

  write('regular', 11, GREY, c.typeHint);
  // The address stays on one line, so a citizen types it as printed.
  const urlSize = fitFontSize((pt) => use('bold', pt).widthOfString(c.url), cw, 15 * s, 7 * s);
  doc
    .font('bold')
    .fontSize(urlSize)
    .fillColor(INK)
    .text(c.url, m, y, { ...centred, lineBreak: false });
  y += 20 * s + 16 * s;

  c.steps.forEach((step, i) => {
    const r = 10 * s;
    doc
      .circle(m + r, y + r, r)
      .fill(RED)
      .font('bold')
      .fontSize(11 * s)
      .fillColor('#ffffff')
      .text(String(i + 1), m, y + r - 6.5 * s, { width: 2 * r, align: 'center', lineBreak: false });
    use('regular', 12.5)
      .fillColor(INK)
      .text(step, m + 34 * s, y + 1 * s, { width: stepWidth, lineGap: 2 * s });
    y = Math.max(doc.y, y + 2 * r) + 8 * s;
  });
  y += 10 * s;

  write('bold', 14, INK, c.deskName);
  if (c.areasLine) write('regular', 11.5, GREY, c.areasLine);
  use('regular', 10.5);
  const privacyHeight = doc.heightOfString(c.privacy, { width: cw });
  doc.fillColor(GREY).text(c.privacy, m, Math.max(y + 16 * s, H - m - privacyHeight), centred);
  if (c.trialMark) drawTrialMark(doc, c.trialMark, s);
}

/** A trial poster says so across the page, faint enough to leave the layout readable. */
function drawTrialMark(doc: PDFKit.PDFDocument, mark: string, s: number) {
  const W = doc.page.width;
  const H = doc.page.height;
  const text = mark.toLocaleUpperCase('vi');
  doc.save();
  doc.rotate(-Math.atan(H / W) * (180 / Math.PI), { origin: [W / 2, H / 2] });
  const size = fitFontSize(
    (pt) => doc.font('bold').fontSize(pt).widthOfString(text),
    Math.hypot(W, H) * 0.8,
    40 * s,
    10,
  );
  doc
    .font('bold')
    .fontSize(size)
    .fillColor(RED)
    .fillOpacity(0.25)
    .text(text, W / 2 - Math.hypot(W, H) * 0.45, H / 2 - size / 2, {
      width: Math.hypot(W, H) * 0.9,
      align: 'center',
      lineBreak: false,
    });
  doc.restore();
}
