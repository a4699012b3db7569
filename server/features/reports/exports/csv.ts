import { isoDateToVi } from '../../../../analysis/local-time.ts';
import {
  displayCell,
  flatColumns,
  isValueCell,
  type ReportTable,
  type ScalarKind,
  type TableCell,
  type TargetCell,
} from './report-model.ts';
import { formatTarget, TARGET_VERDICT_NAMES } from './report-text.ts';

// CSV that Excel opens with Vietnamese intact: UTF-8 with a byte-order mark,
// CRLF line ends, fields quoted when they hold a comma, a quote or a line
// break. Text that a spreadsheet would run as a formula (= + - @, or a tab or
// CR in front) gets a leading apostrophe: comments come from the public.
// Numbers keep a dot as the decimal mark so any tool reads them back; rates
// are written as percent (90.5 for 90,5%), as their headers say. Pure.

const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;

export type CsvValue = string | number | null;

export function csvField(v: CsvValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: CsvValue[][]): string {
  return `${BOM}${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

// Two decimals of a percent: as precise as any figure the report states.
const percent = (p: number) => Math.round(p * 10_000) / 100;

function csvValue(kind: ScalarKind, v: TableCell): CsvValue {
  if (v === null) return null;
  // As the page shows it: a column of words stays words for a CSV reader.
  if (isValueCell(v)) return displayCell(v.as, v.value);
  switch (kind) {
    case 'rate':
    case 'probability':
    case 'change':
      return percent(v as number);
    case 'mean':
      return Math.round((v as number) * 100) / 100;
    case 'count':
      return v as number;
    case 'target':
      return formatTarget(v as TargetCell);
    case 'verdict':
      return TARGET_VERDICT_NAMES[v as keyof typeof TARGET_VERDICT_NAMES] ?? String(v);
    case 'date':
      return isoDateToVi(v as string);
    case 'text':
      return String(v);
  }
}

function unit(kind: ScalarKind): string {
  return kind === 'rate' || kind === 'probability' ? ' (%)' : kind === 'change' ? ' (điểm %)' : '';
}

/** Every table of the report, one after another: title, header, rows, notes, a blank line. */
export function reportCsv(tables: ReportTable[]): string {
  const lines: CsvValue[][] = [];
  for (const t of tables) {
    const cols = flatColumns(t.columns);
    lines.push([t.title]);
    lines.push(cols.map((c) => c.header + unit(c.kind)));
    for (const row of t.rows) lines.push(cols.map((c) => csvValue(c.kind, c.pick(row))));
    for (const note of t.notes) lines.push([note]);
    lines.push([]);
  }
  return toCsv(lines);
}
