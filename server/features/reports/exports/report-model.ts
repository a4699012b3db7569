import { isoDateToVi } from '../../../../analysis/local-time.ts';
import type { SatisfactionReport, TargetRef, TargetVerdict, TrendReport } from '../../../../analysis/report-types.ts';
import { formatCountVi } from '../../../../analysis/vi-number.ts';
import {
  formatChange,
  formatChangeInterval,
  formatInterval,
  formatMean,
  formatProbability,
  formatRate,
  formatTarget,
  TARGET_VERDICT_NAMES,
} from './report-text.ts';

// The satisfaction report as tables: one list of tables, with typed cells,
// that the dashboard, the CSV, the XLSX and the PDF all render, so that each
// shows the same figures under the same Vietnamese headings. Pure.

export type ColumnKind =
  | 'text'
  | 'count'
  | 'rate'
  | 'interval'
  | 'mean'
  | 'target'
  | 'verdict'
  | 'probability'
  | 'change'
  | 'changeInterval'
  | 'date';
export interface TableColumn {
  header: string;
  kind: ColumnKind;
}
export type TargetCell = Pick<TargetRef, 'comparison' | 'threshold'>;
/**
 * By column kind: text or verdict (a target verdict) string, count/rate/probability/mean/change
 * number, interval pair, target, date 'yyyy-mm-dd'.
 */
export type TableCell = string | number | [number, number] | TargetCell | ValueCell | null;

/**
 * A figure in a column of words (the information table): shown as its kind
 * on the page and in the CSV, kept as a number or a date in the XLSX.
 */
export interface ValueCell {
  as: 'count' | 'rate' | 'date';
  /** A number; a date as 'yyyy-mm-dd'. */
  value: number | string;
}

export function isValueCell(v: TableCell): v is ValueCell {
  return typeof v === 'object' && v !== null && 'as' in v;
}

export interface ReportTable {
  key: string;
  title: string;
  /** Worksheet name: at most 31 characters. */
  sheet: string;
  columns: TableColumn[];
  rows: TableCell[][];
  notes: string[];
}

/** Feedback of the period: items opened from responses sent in it, and what became of them by the day of issue. */
export interface FeedbackFigures {
  opened: number;
  handled: number;
  handledOnTime: number;
  /** Praise and suggestions (overall 4–5): listed apart, with no deadline. */
  praise: number;
  handledRate: number | null;
  onTimeRate: number | null;
  /** Second ratings of the handling (issue 18): how many, how many satisfied; absent or 0: none shown. */
  handlingRated?: number;
  handlingSatisfied?: number;
}

/** Everything one report shows: the dashboard, the exports and the PDF read this. */
export interface ReportBundle {
  report: SatisfactionReport;
  trend: TrendReport | null;
  /** "Quý I/2026" */
  periodLabel: string;
  /** Null: every service area. */
  serviceAreaName: string | null;
  /** The unit subtree's feedback of the period, from the feedback service. */
  feedback: FeedbackFigures | null;
  issuedAt: Date;
  /** Service area names by code, for plan targets of an area with no response in the period (else its code shows). */
  serviceAreaNames?: Record<string, string>;
}

/** A cell as text, the way the dashboard and the PDF show it. */
export function displayCell(kind: ColumnKind, v: TableCell): string {
  if (isValueCell(v)) return displayCell(v.as, v.value);
  if (v === null || v === '') return kind === 'text' ? '' : '—';
  switch (kind) {
    case 'count':
      return formatCountVi(v as number);
    case 'rate':
      return formatRate(v as number);
    case 'interval':
      return formatInterval(v as [number, number]);
    case 'changeInterval':
      return formatChangeInterval(v as [number, number]);
    case 'mean':
      return formatMean(v as number);
    case 'target':
      return formatTarget(v as TargetCell);
    case 'verdict':
      return TARGET_VERDICT_NAMES[v as TargetVerdict] ?? String(v);
    case 'probability':
      return formatProbability(v as number);
    case 'change':
      return formatChange(v as number);
    case 'date':
      return isoDateToVi(v as string);
    case 'text':
      return String(v);
  }
}

export type ScalarKind = Exclude<ColumnKind, 'interval' | 'changeInterval'>;

/** A column as a spreadsheet holds it: an interval becomes its lower and upper bound. */
export interface FlatColumn {
  header: string;
  kind: ScalarKind;
  pick(row: TableCell[]): TableCell;
}

export function flatColumns(columns: TableColumn[]): FlatColumn[] {
  return columns.flatMap((c, i): FlatColumn[] => {
    if (c.kind !== 'interval' && c.kind !== 'changeInterval')
      return [{ header: c.header, kind: c.kind, pick: (r) => r[i] ?? null }];
    const kind = c.kind === 'interval' ? 'rate' : 'change';
    const bound = (j: 0 | 1) => (r: TableCell[]) => (r[i] as [number, number] | null)?.[j] ?? null;
    return [
      { header: `${c.header}: cận dưới`, kind, pick: bound(0) },
      { header: `${c.header}: cận trên`, kind, pick: bound(1) },
    ];
  });
}
