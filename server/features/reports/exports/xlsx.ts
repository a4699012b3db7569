import type ExcelJS from 'exceljs';
import { COMPARISON_SYMBOLS } from '../../targets/target-rules.ts';
import {
  flatColumns,
  isValueCell,
  type ReportTable,
  type ScalarKind,
  type TableCell,
  type TargetCell,
} from './report-model.ts';
import { TARGET_VERDICT_NAMES } from './report-text.ts';

// XLSX with exceljs: one sheet per table, Vietnamese headers, numbers kept as
// numbers (rates as fractions shown with a percent format, dates as dates),
// so that an official can sort, sum and chart them again. Pure apart from
// building the file in memory.

const FORMATS: Partial<Record<ScalarKind, string>> = {
  count: '#,##0',
  rate: '0.0%',
  probability: '0%',
  change: '+0.0%;-0.0%;0.0%',
  mean: '0.00',
  date: 'dd/mm/yyyy',
};

function isoToDate(iso: string): Date {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d));
}

/** The value and number format of one cell. */
function xlsxCell(kind: ScalarKind, v: TableCell): { value: ExcelJS.CellValue; numFmt?: string } {
  if (v === null) return { value: null };
  if (isValueCell(v)) return xlsxCell(v.as, v.value);
  switch (kind) {
    case 'target': {
      // The threshold stays a number; the comparison is part of its format: "≥ 90.0%".
      const t = v as TargetCell;
      return { value: t.threshold, numFmt: `"${COMPARISON_SYMBOLS[t.comparison]} "0.0%` };
    }
    case 'verdict':
      return { value: TARGET_VERDICT_NAMES[v as keyof typeof TARGET_VERDICT_NAMES] ?? String(v) };
    case 'date':
      return { value: isoToDate(v as string), numFmt: FORMATS.date };
    case 'text':
      return { value: String(v) };
    default:
      return { value: v as number, numFmt: FORMATS[kind] };
  }
}

async function newWorkbook(title: string): Promise<ExcelJS.Workbook> {
  // Loaded on the first export, not at start (see loadPdfKit in poster-pdf.ts).
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'Hài Lòng – khảo sát sự hài lòng';
  wb.title = title;
  wb.created = new Date();
  return wb;
}

/** Header row styling and sensible widths: the sheet reads without resizing columns. */
function finishSheet(ws: ExcelJS.Worksheet, widths: number[]) {
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'top', wrapText: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF1F4' } };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = Math.min(60, Math.max(10, w + 2));
  });
}

async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function reportXlsx(tables: ReportTable[], title: string): Promise<Buffer> {
  const wb = await newWorkbook(title);
  for (const t of tables) {
    const ws = wb.addWorksheet(t.sheet.slice(0, 31));
    const cols = flatColumns(t.columns);
    ws.addRow(cols.map((c) => c.header));
    const widths = cols.map((c) => Math.min(c.header.length, 24));
    for (const row of t.rows) {
      const added = ws.addRow([]);
      cols.forEach((c, i) => {
        const { value, numFmt } = xlsxCell(c.kind, c.pick(row));
        const cell = added.getCell(i + 1);
        cell.value = value;
        if (numFmt) cell.numFmt = numFmt;
        widths[i] = Math.max(widths[i] ?? 0, typeof value === 'string' ? value.length : 12);
      });
    }
    if (t.notes.length) ws.addRow([]);
    for (const note of t.notes) ws.addRow([note]).font = { italic: true };
    finishSheet(ws, widths);
  }
  return toBuffer(wb);
}
