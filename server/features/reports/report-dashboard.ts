import { isoDateToVi } from '../../../analysis/local-time.ts';
import type { Verdict } from '../../../analysis/report-types.ts';
import { formatCountVi } from '../../../analysis/vi-number.ts';
import { FACTOR_NAMES } from '../../../surveys/factor-names.ts';
import { chartSvg } from './charts.ts';
import { reportCharts } from './exports/report-charts.ts';
import { displayCell, type ReportBundle, type ReportTable } from './exports/report-model.ts';
import { reportTables } from './exports/report-tables.ts';
import {
  formatInterval,
  formatRate,
  headline,
  lowestFactor,
  methodParagraphs,
  SMALL_SAMPLE_NOTE,
  SUPPRESSED_NOTE,
  wordingNote,
} from './exports/report-text.ts';

// What the dashboard template shows, from the same tables and charts as the
// exports: every figure formatted once, here, so the page and the files agree.
// Pure.

export interface DisplayCell {
  text: string;
  /** Right-aligned figure. */
  num: boolean;
  /** A verdict shown as a badge. */
  verdict?: Verdict;
  /** A withheld figure ("—"). */
  hidden?: boolean;
  /** A mark shown as a badge: small sample, withheld. */
  badge?: boolean;
}

export interface DisplayTable {
  key: string;
  title: string;
  headers: { text: string; num: boolean }[];
  rows: DisplayCell[][];
  notes: string[];
}

function displayTable(t: ReportTable): DisplayTable {
  const num = t.columns.map((c) => c.kind !== 'text' && c.kind !== 'verdict');
  return {
    key: t.key,
    title: t.title,
    headers: t.columns.map((c, i) => ({ text: c.header, num: num[i] ?? false })),
    rows: t.rows.map((row) => {
      const suppressed = row.includes(SUPPRESSED_NOTE);
      return t.columns.map((c, i) => {
        const v = row[i] ?? null;
        const cell: DisplayCell = { text: displayCell(c.kind, v), num: num[i] ?? false };
        if (c.kind === 'verdict' && typeof v === 'string') cell.verdict = v as Verdict;
        if (suppressed && v === null && c.kind !== 'text') cell.hidden = true;
        if (v === SMALL_SAMPLE_NOTE || v === SUPPRESSED_NOTE) cell.badge = true;
        return cell;
      });
    }),
    notes: t.notes,
  };
}

export function dashboardView(b: ReportBundle) {
  const r = b.report;
  const tables = Object.fromEntries(
    reportTables(b)
      .filter((t) => t.key !== 'info')
      .map((t) => [t.key, displayTable(t)]),
  );
  const charts = Object.fromEntries(
    reportCharts(b).map(({ key, chart }) => [
      key,
      { svg: chartSvg(chart, `chart-${key}`), title: chart.title, lines: chart.lines },
    ]),
  );
  const low = lowestFactor(r.factors);
  return {
    unitName: r.unit.name,
    periodLabel: b.periodLabel,
    rangeText: `${isoDateToVi(r.from)} – ${isoDateToVi(r.to)}`,
    serviceAreaName: b.serviceAreaName,
    headline: headline(r),
    composite: { rate: formatRate(r.composite.value), interval: formatInterval(r.composite.ci95) },
    lowestFactor: low ? { name: FACTOR_NAMES[low.key], rate: formatRate(low.rate) } : null,
    flaggedExcluded: r.flaggedExcluded ? formatCountVi(r.flaggedExcluded) : null,
    responseRate: r.responseRate === null ? null : formatRate(r.responseRate),
    wordingNote: wordingNote(r.wordingChanged),
    method: methodParagraphs(r),
    tables,
    charts,
    trendInterval: b.trend?.interval ?? null,
  };
}

export type DashboardView = ReturnType<typeof dashboardView>;
