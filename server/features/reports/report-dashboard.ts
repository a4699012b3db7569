import { formatDateVi, isoDateToVi } from '../../../analysis/local-time.ts';
import type { SatisfactionReport, TargetVerdict } from '../../../analysis/report-types.ts';
import { formatCountVi } from '../../../analysis/vi-number.ts';
import { FACTOR_NAMES } from '../../../surveys/factor-names.ts';
import type { KioskDeviceCount } from '../kiosk/kiosk-count-repository.ts';
import { chartSvg } from './charts.ts';
import { dossierAbsentNote, EXACT_VERDICT_NOTE, weightedRateSentence } from './exports/dossier-text.ts';
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
  verdict?: TargetVerdict;
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
        if (c.kind === 'verdict' && typeof v === 'string') cell.verdict = v as TargetVerdict;
        if (suppressed && v === null && c.kind !== 'text') cell.hidden = true;
        if (v === SMALL_SAMPLE_NOTE || v === SUPPRESSED_NOTE) cell.badge = true;
        return cell;
      });
    }),
    notes: t.notes,
  };
}

/** How the child-unit table may be ordered: the league table's keys. */
export const CHILD_SORTS = ['name', 'rate', 'n', 'lower'] as const;
export type ChildSort = (typeof CHILD_SORTS)[number];
export const CHILD_SORT_NAMES: Record<ChildSort, string> = {
  name: 'Tên đơn vị',
  rate: 'Tỷ lệ hài lòng',
  n: 'Số phiếu',
  lower: 'Cận dưới khoảng tin cậy',
};

type Child = ReportBundle['report']['children'][number];
const byName = (a: Child, b: Child) => a.unit.name.localeCompare(b.unit.name, 'vi');
/** Highest first; a unit without figures (suppressed, no answers) always last. */
const highestFirst = (f: (c: Child) => number | null) => (a: Child, b: Child) => {
  const x = f(a);
  const y = f(b);
  if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
  return y - x || byName(a, b);
};
const SORTERS: Record<ChildSort, (a: Child, b: Child) => number> = {
  name: byName,
  rate: highestFirst((c) => (c.suppressed ? null : c.rate)),
  n: (a, b) => b.n - a.n || byName(a, b),
  lower: highestFirst((c) => (c.suppressed ? null : (c.ci95?.[0] ?? null))),
};

/** How far the responses reach: "còn thiếu 23 phiếu", or enough. */
function shortfallText(shortfall: number): string {
  return shortfall > 0 ? `còn thiếu ${formatCountVi(shortfall)} phiếu` : 'đủ cỡ mẫu';
}

/**
 * The area table with each area's response rate and shortfall beside its
 * survey rate, where an official decides whether to trust it. Added here
 * unless the shared table already carries them.
 */
function withAreaSample(table: DisplayTable | undefined, r: SatisfactionReport): DisplayTable | undefined {
  if (!table || !r.dossiers || table.headers.some((h) => h.text === 'Tỷ lệ phản hồi')) return table;
  const dash = (): DisplayCell => ({ text: '—', num: true });
  return {
    ...table,
    headers: [...table.headers, { text: 'Tỷ lệ phản hồi', num: true }, { text: 'Số phiếu còn thiếu', num: true }],
    rows: table.rows.map((row, i) => {
      const d = r.serviceAreas[i]?.dossiers;
      if (!d) return [...row, dash(), dash()];
      return [
        ...row,
        { text: formatRate(d.responseRate), num: true },
        { text: shortfallText(d.sampleShortfall), num: true },
      ];
    }),
    notes: [
      ...table.notes,
      'Tỷ lệ phản hồi: số phiếu / số hồ sơ đã giải quyết của lĩnh vực. Số phiếu còn thiếu: so với cỡ mẫu cần thiết ' +
        '⌈N / (1 + N × 0,05²)⌉, N là số hồ sơ đã giải quyết; «—»: chưa có số hồ sơ của lĩnh vực.',
    ],
  };
}

/** The dossier block: the unit's key figures, or why there are none. Counts of every dossier: no interval. */
function dossierView(r: SatisfactionReport) {
  const d = r.dossiers;
  return {
    absent: dossierAbsentNote(r),
    figures: d
      ? [
          { label: 'Hồ sơ tiếp nhận trong kỳ', value: formatCountVi(d.received) },
          { label: 'Hồ sơ đã giải quyết', value: formatCountVi(d.resolved) },
          { label: 'Tỷ lệ đúng hạn (kể cả trước hạn)', value: formatRate(d.onTimeRate) },
          { label: 'Tỷ lệ trước hạn', value: formatRate(d.earlyRate) },
          { label: 'Tỷ lệ trễ hạn', value: formatRate(d.lateRate) },
          { label: 'Đang giải quyết, đã quá hạn', value: formatCountVi(d.pendingOverdue) },
        ]
      : [],
    sample: d
      ? `Cỡ mẫu cần thiết: ${formatCountVi(d.sampleNeeded)} phiếu; đã có ${formatCountVi(r.overall.n)} phiếu, ${shortfallText(d.sampleShortfall)}.`
      : null,
    exactNote: EXACT_VERDICT_NOTE,
  };
}

const deviceName = (d: KioskDeviceCount) =>
  `Máy số ${d.deviceId}, ghép ngày ${formatDateVi(d.pairedAt)}${d.revokedAt ? ' (đã thu hồi)' : ''}`;

/**
 * "Máy tính bảng tại quầy": the kiosk channel's responses by desk and by
 * tablet, a desk's total under its tablets when it has several, and what
 * came on the channel from no paired tablet (kiosk apps posting through the
 * API), so the table adds up to the channel's count. Null without any.
 */
export function kioskTable(devices: readonly KioskDeviceCount[], channelTotal: number): DisplayTable | null {
  if (!channelTotal) return null;
  const count = (n: number): DisplayCell => ({ text: formatCountVi(n), num: true });
  const text = (t: string): DisplayCell => ({ text: t, num: false });
  const rows: DisplayCell[][] = [];
  const byDesk = new Map<number, KioskDeviceCount[]>();
  for (const d of devices) byDesk.set(d.deskId, [...(byDesk.get(d.deskId) ?? []), d]);
  for (const desk of byDesk.values()) {
    const first = desk[0]!;
    const deskName = `${first.deskName} (${first.unitName})`;
    for (const d of desk) rows.push([text(deskName), text(deviceName(d)), count(d.n)]);
    if (desk.length > 1) rows.push([text(deskName), text('Cả quầy'), count(desk.reduce((s, d) => s + d.n, 0))]);
  }
  const other = channelTotal - devices.reduce((s, d) => s + d.n, 0);
  if (other > 0) rows.push([text('Ứng dụng ki-ốt khác'), text('Gửi qua API, không qua máy đã ghép'), count(other)]);
  rows.push([text('Tổng'), text(''), count(channelTotal)]);
  return {
    key: 'kiosk',
    title: 'Số phiếu qua máy tính bảng tại quầy, theo quầy và theo máy',
    headers: [
      { text: 'Quầy', num: false },
      { text: 'Máy tính bảng', num: false },
      { text: 'Số phiếu', num: true },
    ],
    rows,
    notes: ['Như bảng số phiếu theo kênh: không tính các phiếu bị đánh dấu nghi vấn.'],
  };
}

export function dashboardView(
  bundle: ReportBundle & { kioskDevices?: KioskDeviceCount[] },
  childSort: ChildSort = 'name',
) {
  const b = { ...bundle, report: { ...bundle.report, children: [...bundle.report.children].sort(SORTERS[childSort]) } };
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
    weightedRate: weightedRateSentence(r),
    dossiers: dossierView(r),
    wordingNote: wordingNote(r.wordingChanged),
    method: methodParagraphs(r),
    tables: { ...tables, serviceAreas: withAreaSample(tables.serviceAreas, r) },
    kiosk: kioskTable(bundle.kioskDevices ?? [], r.channels.kiosk ?? 0),
    charts,
    trendInterval: b.trend?.interval ?? null,
    childSort,
    childSorts: CHILD_SORTS.map((key) => ({ key, name: CHILD_SORT_NAMES[key] })),
  };
}

export type DashboardView = ReturnType<typeof dashboardView>;
