import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableBorders,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { ReportSettings } from '../report-settings-rules.ts';
import {
  balanceLines,
  DOCUMENT_KIND,
  keepTogether,
  MOTTO,
  NATIONAL_TITLE,
  type OfficialDocument,
  officialDocument,
  SUBJECT,
} from './official-document.ts';
import { reportBlocks } from './report-blocks.ts';
import { displayCell, type ReportBundle, type ReportTable } from './report-model.ts';

// The same report as the PDF, as a Word file an official edits and signs:
// the layout of Nghị định 30/2020/NĐ-CP in Times New Roman (what NĐ 30
// documents are typed in, on every office's machine), the header blocks and
// the Nơi nhận/signature in borderless two-column tables, then the body's
// headings, paragraphs and tables. Charts stay in the PDF: their figures
// are in the tables. Sizes are in half-points, widths in twentieths of a point.

const FONT = 'Times New Roman';
const PAGE = { width: 11906, height: 16838 };
const MARGIN = { top: 1134, bottom: 1134, left: 1701, right: 1134 };
const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const LEFT = Math.round(TEXT_WIDTH * 0.4);

interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  size?: number;
}

function para(text: string, style: RunStyle = {}, align: 'center' | 'left' | 'right' = 'left', after = 60, before = 0) {
  const alignment = { center: AlignmentType.CENTER, left: AlignmentType.LEFT, right: AlignmentType.RIGHT }[align];
  return new Paragraph({
    alignment,
    spacing: { before, after },
    children: [new TextRun({ text, bold: style.bold, italics: style.italics, size: style.size ?? 26 })],
  });
}

/** A short centred rule: an empty paragraph's bottom border between indents. */
function rule(cellWidth: number, ruleWidth: number) {
  const indent = Math.max(0, Math.round((cellWidth - ruleWidth) / 2));
  return new Paragraph({
    spacing: { before: 0, after: 160, line: 80, lineRule: LineRuleType.EXACT },
    indent: { left: indent, right: indent },
    border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
    children: [new TextRun({ text: '', size: 4 })],
  });
}

const cell = (width: number, children: Paragraph[]) =>
  new TableCell({ width: { size: width, type: WidthType.DXA }, children });

function twoColumns(left: Paragraph[][], right: Paragraph[][], leftWidth = LEFT) {
  const rightWidth = TEXT_WIDTH - leftWidth;
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [leftWidth, rightWidth],
    borders: TableBorders.NONE,
    rows: left.map(
      (l, i) => new TableRow({ cantSplit: true, children: [cell(leftWidth, l), cell(rightWidth, right[i] ?? [])] }),
    ),
  });
}

/**
 * A name in capitals broken into balanced lines ("ỦY BAN NHÂN DÂN / PHƯỜNG
 * HỘI AN ĐÔNG"), where Word would fill the first line and leave a stub.
 * Word does not tell widths: letters are counted, about 21 capitals at 12 pt
 * in the left column.
 */
function balancedName(name: string, style: RunStyle) {
  const lines = balanceLines(name.split(' '), (s) => s.length, 21);
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    children: lines.map((text, i) => new TextRun({ text, bold: style.bold, size: style.size, break: i ? 1 : 0 })),
  });
}

function header(d: OfficialDocument): (Paragraph | Table)[] {
  const rightWidth = TEXT_WIDTH - LEFT;
  const issuer = [
    ...(d.parentBody ? [balancedName(d.parentBody, { size: 24 })] : []),
    balancedName(d.issuer, { bold: true, size: 24 }),
    rule(LEFT, Math.min(LEFT / 2, 1400)),
  ];
  const nation = [
    para(NATIONAL_TITLE, { bold: true, size: 24 }, 'center', 0),
    para(MOTTO, { bold: true, size: 26 }, 'center', 0),
    rule(rightWidth, 3150),
  ];
  const lines = [
    twoColumns(
      [issuer, [para(d.numberLine, {}, 'center')]],
      [nation, [para(d.placeDate, { italics: true }, 'center')]],
    ),
    para('', {}, 'center', 120),
    para(DOCUMENT_KIND, { bold: true, size: 28 }, 'center', 0),
    // Lines break only between phrases: "tổ chức" never splits.
    para(d.subjectPhrases.map(keepTogether).join(' '), { bold: true, size: 28 }, 'center', 0),
    rule(TEXT_WIDTH, 1800),
    para(d.periodLine, { size: 24 }, 'center', 0),
  ];
  if (d.asOf) lines.push(para(d.asOf, { italics: true, size: 24 }, 'center', 0));
  const [first, ...rest] = d.recipients;
  lines.push(para(first ?? '', {}, rest.length ? 'left' : 'center', 0, 160));
  for (const r of rest) lines.push(new Paragraph({ indent: { left: 1400 }, children: [new TextRun(r)] }));
  lines.push(para('', {}, 'left', 0));
  for (const s of d.scopeLines) lines.push(para(s, { size: 24 }));
  return lines;
}

function signature(d: OfficialDocument): Table {
  const left = Math.round(TEXT_WIDTH * 0.45);
  const list = [
    para('Nơi nhận:', { bold: true, italics: true, size: 24 }, 'left', 0),
    ...d.distribution.map((l) => para(l, { size: 22 }, 'left', 0)),
  ];
  const signer = [
    ...d.signerCapacity.map((l) => para(l, { bold: true }, 'center', 0)),
    // Room to sign and stamp.
    ...[0, 1, 2, 3].map(() => para('', {}, 'center', 0)),
    para(d.signerName, { bold: true }, 'center', 0),
  ];
  return twoColumns([list], [signer], left);
}

function table(t: ReportTable): (Paragraph | Table)[] {
  const size = t.columns.length > 6 ? 16 : 18;
  const numeric = t.columns.map((c) => c.kind !== 'text' && c.kind !== 'verdict');
  // The row names, texts, intervals and dates get more room than figures, as in the PDF.
  const wide = new Set(['text', 'interval', 'changeInterval', 'date']);
  const weights = t.columns.map((c, i) => (i === 0 ? 2 : wide.has(c.kind) ? 1.6 : 1));
  const unit = TEXT_WIDTH / weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor(w * unit));
  const row = (cells: string[], head: boolean) =>
    new TableRow({
      tableHeader: head,
      cantSplit: true,
      children: cells.map(
        (c, i) =>
          new TableCell({
            width: { size: widths[i] ?? unit, type: WidthType.DXA },
            shading: head ? { fill: 'EEF1F4', type: ShadingType.CLEAR, color: 'auto' } : undefined,
            children: [para(c, { bold: head, size }, numeric[i] && !head ? 'right' : 'left', 0)],
          }),
      ),
    });
  const rows = t.rows.map((r) => t.columns.map((c, i) => displayCell(c.kind, r[i] ?? null)));
  if (!rows.length) rows.push(['Không có số liệu.', ...t.columns.slice(1).map(() => '')]);
  return [
    para(t.title, { bold: true, size: 22 }, 'left', 60),
    new Table({
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: widths,
      rows: [
        row(
          t.columns.map((c) => c.header),
          true,
        ),
        ...rows.map((r) => row(r, false)),
      ],
    }),
    ...t.notes.map((n) => para(n, { italics: true, size: 18 })),
    para('', { size: 12 }, 'left', 0),
  ];
}

export async function reportDocx(b: ReportBundle, settings: ReportSettings): Promise<Buffer> {
  const d = officialDocument(b, settings);
  const body: (Paragraph | Table)[] = [];
  for (const block of reportBlocks(b)) {
    if (block.kind === 'heading') body.push(para(block.text, { bold: true }, 'left', 80, 200));
    else if (block.kind === 'paragraph') body.push(para(block.text, { bold: block.bold, size: block.small ? 22 : 26 }));
    else if (block.kind === 'table') body.push(...table(block.table));
  }
  const doc = new Document({
    creator: 'Hài Lòng – khảo sát sự hài lòng',
    title: `Báo cáo ${SUBJECT} – ${b.report.unit.name} – ${b.periodLabel}`,
    styles: { default: { document: { run: { font: FONT, size: 26 } } } },
    sections: [
      {
        properties: { page: { size: PAGE, margin: MARGIN } },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: ['Trang ', PageNumber.CURRENT], size: 18 })],
              }),
            ],
          }),
        },
        children: [...header(d), ...body, para(''), signature(d)],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
