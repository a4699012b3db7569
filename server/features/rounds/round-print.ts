import { isoDateToVi } from '../../../analysis/local-time.ts';
import type { PaperField } from '../../../surveys/paper-numbering.ts';
import { SCALE_LABELS, SCALE_VALUES } from '../../../surveys/scale.ts';
import type { SurveyDefinition } from '../../../surveys/schema.ts';
import type { Db } from '../../platform/db/connect.ts';
import { openPdf } from '../posters-codes/poster-pdf.ts';
import { entryContext } from './round-form-service.ts';
import {
  A4,
  type Block,
  BOTTOM,
  boxBlock,
  CONTENT_WIDTH,
  choiceBlock,
  type Doc,
  drawQr,
  GREY,
  gapBlock,
  INK,
  lineBlock,
  MARGIN,
  paginate,
  scaleBlock,
  sectionBlock,
  textBlock,
} from './round-print-layout.ts';
import type { RoundRecord } from './round-repository.ts';

// Printed questionnaires of a survey round (issue 16): one numbered form per
// serial, its QR the link the clerk opens to enter it, the tick boxes
// numbered as the entry screen numbers them (surveys/paper-numbering.ts);
// and a blank form without serial or QR for photocopying. Pure apart from
// the fonts, and roundPaper() which reads what a form shows.

export interface RoundPrintInput {
  round: Pick<RoundRecord, 'id' | 'code' | 'unitName' | 'fieldworkFrom' | 'fieldworkTo'>;
  definition: SurveyDefinition;
  /** The form's fields as numbered for entry (entryContext, surveys/paper-numbering.ts). */
  fields: readonly PaperField[];
  /** The public address, without a trailing slash (config.publicUrl). */
  baseUrl: string;
}

export interface RoundFormsInput extends RoundPrintInput {
  /** First and last serial, inclusive. */
  from: number;
  to: number;
}

/** At most this many forms in one PDF (the route refuses a larger range). */
export const MAX_FORMS_PER_PDF = 2000;

/** The link a form's QR holds: the entry screen of the round, at this form. */
export function roundEntryUrl(baseUrl: string, roundId: number, serial: number): string {
  return `${baseUrl}/staff/rounds/${roundId}/entry?serial=${serial}`;
}

/** "0007": four digits, more when the serial needs them. */
export const serialText = (serial: number) => String(serial).padStart(4, '0');

/** What the forms of a round show: its survey, its fields as the entry screen numbers them, and n. */
export async function roundPaper(db: Db, round: RoundRecord) {
  const { definition, fields, n } = await entryContext(db, round);
  return { definition, fields, n };
}

const QR = 71; // 25 mm

function formBlocks(doc: Doc, input: RoundPrintInput): Block[] {
  const { definition: def, round } = input;
  const { fields } = input;
  // The unit (on a round of several) and the service area, before the questions.
  const heads = fields.filter((f) => f.number === null);
  const scale = SCALE_VALUES.map((v) => `${v} = ${SCALE_LABELS[v].vi}`).join('; ');
  const blocks: Block[] = [
    boxBlock(doc, 'Điều tra viên đọc cho người trả lời:', [
      `${def.intro?.vi ?? ''} Cuộc khảo sát nhằm đánh giá mức độ hài lòng của người dân, tổ chức về việc giải quyết thủ tục hành chính tại ${round.unitName}, để cải thiện chất lượng phục vụ.`.trim(),
      'Phiếu không ghi họ tên, không thu thập thông tin cá nhân; ý kiến của Ông/Bà chỉ được tổng hợp chung.',
      'Với mỗi câu, đánh dấu × vào một ô; 0 / Không áp dụng: nội dung được hỏi không liên quan đến Ông/Bà.',
      `Thang điểm: ${scale}.`,
    ]),
    lineBlock(
      doc,
      'Ngày khảo sát: ____/____/________      Điều tra viên: ______________________________',
      'bold',
      10,
      4,
    ),
    ...heads.map((f) => choiceBlock(doc, f)),
  ];
  let section = -1;
  let row = 0;
  for (const field of fields.slice(heads.length)) {
    if (field.section !== section) {
      section = field.section!;
      row = 0;
      const title = def.sections[section]?.title?.vi ?? (blocks.length === 2 + heads.length ? 'Câu hỏi' : undefined);
      blocks.push(title ? sectionBlock(doc, title) : gapBlock(8));
    }
    blocks.push(questionBlock(doc, field, row++ % 2 === 1));
  }
  blocks.push(gapBlock(6), lineBlock(doc, 'Xin trân trọng cảm ơn Ông/Bà!', 'bold', 10, 0));
  return blocks;
}

function questionBlock(doc: Doc, field: PaperField, shaded: boolean): Block {
  if (field.kind === 'scale') return scaleBlock(doc, field, shaded);
  if (field.kind === 'text') return textBlock(doc, field);
  return choiceBlock(doc, field);
}

/** The first page's header; returns where the questions start. */
function drawHeader(doc: Doc, input: RoundPrintInput, serial: number | null, draw = true): number {
  const { round, definition } = input;
  const width = CONTENT_WIDTH - QR - 14;
  let y = MARGIN;
  const write = (font: 'regular' | 'bold', pt: number, colour: string, text: string, gap: number) => {
    doc.font(font).fontSize(pt);
    const height = doc.heightOfString(text, { width });
    if (draw) doc.fillColor(colour).text(text, MARGIN, y, { width });
    y += height + gap;
  };
  write('bold', 9.5, GREY, round.unitName.toLocaleUpperCase('vi'), 4);
  write('bold', 15, INK, definition.title.vi.toLocaleUpperCase('vi'), 5);
  write(
    'bold',
    12,
    INK,
    `${round.code} · ${serial === null ? 'Phiếu số: ________' : `Phiếu số ${serialText(serial)}`}`,
    3,
  );
  write(
    'regular',
    9.5,
    GREY,
    `Thời gian khảo sát: ${isoDateToVi(round.fieldworkFrom)} – ${isoDateToVi(round.fieldworkTo)}`,
    0,
  );
  const bottom = Math.max(y, MARGIN + QR + 6);
  if (!draw) return bottom + 14;
  if (serial !== null) {
    const url = roundEntryUrl(input.baseUrl, round.id, serial);
    drawQr(doc, url, MARGIN + CONTENT_WIDTH - QR, MARGIN - 6, QR);
    doc
      .font('regular')
      .fontSize(6.5)
      .fillColor(GREY)
      .text(`Nhập phiếu: ${url}`, MARGIN, MARGIN + QR - 3, { width: CONTENT_WIDTH, align: 'right', lineBreak: false });
  } else {
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(GREY)
      .text('Mẫu phiếu để in sao', MARGIN, MARGIN, { width: CONTENT_WIDTH, align: 'right', lineBreak: false });
  }
  doc
    .moveTo(MARGIN, bottom + 4)
    .lineTo(MARGIN + CONTENT_WIDTH, bottom + 4)
    .lineWidth(1.2)
    .stroke(INK);
  return bottom + 14;
}

function drawFooter(doc: Doc, code: string, serial: number | null, page: number, pages: number) {
  const which = serial === null ? 'Phiếu số: ________' : `Phiếu số ${serialText(serial)}`;
  doc
    .font('regular')
    .fontSize(8)
    .fillColor(GREY)
    .text(`${code} · ${which} – trang ${page}/${pages}`, MARGIN, BOTTOM + 10, {
      width: CONTENT_WIDTH,
      align: 'center',
      lineBreak: false,
    });
}

async function renderForms(input: RoundPrintInput, serials: readonly (number | null)[], title: string) {
  const { doc, done } = await openPdf('A4', title);
  // Measured once: every form has the same page breaks, its header as tall
  // with or without a serial (the QR's height at least).
  doc.addPage();
  const plan = paginate(formBlocks(doc, input), drawHeader(doc, input, serials[0] ?? null, false), MARGIN);
  let first = true;
  for (const [i, serial] of serials.entries()) {
    // About 13 ms a page: let other requests through now and then during a long print.
    if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
    plan.forEach((page, p) => {
      if (!first) doc.addPage();
      first = false;
      if (p === 0) drawHeader(doc, input, serial);
      for (const { block, y } of page) block.draw(doc, y);
      drawFooter(doc, input.round.code, serial, p + 1, plan.length);
    });
    // Printed on both sides, a form of 3 pages would share its last sheet with the next form.
    if (plan.length > 1 && plan.length % 2 === 1) {
      doc.addPage();
      doc
        .font('regular')
        .fontSize(9)
        .fillColor(GREY)
        .text('(Trang này để trống)', MARGIN, A4.height / 2, { width: CONTENT_WIDTH, align: 'center' });
    }
  }
  doc.end();
  return done;
}

/**
 * One numbered form per serial from input.from to input.to, each on its own
 * pages; a form of an odd number of pages over 1 gets a blank page after it,
 * so that printed on both sides each form is its own sheets.
 */
export function roundFormsPdf(input: RoundFormsInput): Promise<Buffer> {
  const serials = Array.from({ length: Math.max(0, input.to - input.from + 1) }, (_, i) => input.from + i);
  return renderForms(input, serials, `Phiếu khảo sát ${input.round.code}, số ${input.from}–${input.to}`);
}

/** The form without serial or QR, for photocopying. */
export function blankRoundFormPdf(input: RoundPrintInput): Promise<Buffer> {
  return renderForms(input, [null], `Phiếu khảo sát ${input.round.code} (mẫu in sao)`);
}
