import { sampleSizeNeeded } from './sample-size.ts';

// Figures from dossier volumes (methodology §6): counts of every dossier the
// one-stop software handled, not a sample, so nothing here has an interval
// except the volume-weighted survey rate. Pure: no Fastify, no pg. Each
// formula says where it comes from: [S] a source (Biểu II.06a/VPCP/KSTT,
// the plans in the seeds, SIPAS practice, QĐ 766/QĐ-TTg), [D] our design.

/** The columns every row has, in the order of Biểu II.06a/VPCP/KSTT [S]. */
export const VOLUME_FIELDS = [
  'receivedOnline',
  'receivedDirect',
  'carriedOver',
  'resolvedEarly',
  'resolvedOnTime',
  'resolvedLate',
  'pendingOnTime',
  'pendingOverdue',
] as const;
/** Columns the one-stop software may not have: null when unknown, never 0. */
export const OPTIONAL_VOLUME_FIELDS = ['dissatisfiedOrComplained', 'complaints', 'complaintsOnTime'] as const;
export const ALL_VOLUME_FIELDS = [...VOLUME_FIELDS, ...OPTIONAL_VOLUME_FIELDS] as const;

export type VolumeField = (typeof VOLUME_FIELDS)[number];
export type OptionalVolumeField = (typeof OPTIONAL_VOLUME_FIELDS)[number];
export type Volumes = Record<VolumeField, number> & Record<OptionalVolumeField, number | null>;

/** One month of one unit and service area. */
export interface MonthVolumes extends Volumes {
  /** 'YYYY-MM' */
  month: string;
}

/**
 * Whether a row adds up: what the month had to do (received + carried over)
 * is what it did (resolved) plus what is left (pending) [S: the columns of
 * Biểu II.06a]. A row that does not is kept, with a warning: the software
 * may count a dossier returned for more papers differently.
 */
export function isBalanced(v: Volumes): boolean {
  return (
    v.receivedOnline + v.receivedDirect + v.carriedOver ===
    v.resolvedEarly + v.resolvedOnTime + v.resolvedLate + v.pendingOnTime + v.pendingOverdue
  );
}

const addNullable = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

/**
 * A longer period of one unit and area from its months [D]. Flows (received,
 * resolved, the complaints) add up; stocks do not: the period starts with
 * what the first month carried over and ends with what the last month left
 * pending. Adding up three months' pending dossiers would count a dossier
 * pending all quarter three times. An optional count is known for the period
 * only when every month knows it.
 */
export function periodVolumes(months: readonly MonthVolumes[]): Volumes | null {
  if (months.length === 0) return null;
  const sorted = [...months].sort((a, b) => a.month.localeCompare(b.month));
  const first = sorted[0]!;
  const last = sorted.at(-1)!;
  const sum = (f: VolumeField) => sorted.reduce((s, m) => s + m[f], 0);
  const sumOptional = (f: OptionalVolumeField) => sorted.reduce<number | null>((s, m) => addNullable(s, m[f]), 0);
  return {
    receivedOnline: sum('receivedOnline'),
    receivedDirect: sum('receivedDirect'),
    carriedOver: first.carriedOver,
    resolvedEarly: sum('resolvedEarly'),
    resolvedOnTime: sum('resolvedOnTime'),
    resolvedLate: sum('resolvedLate'),
    pendingOnTime: last.pendingOnTime,
    pendingOverdue: last.pendingOverdue,
    dissatisfiedOrComplained: sumOptional('dissatisfiedOrComplained'),
    complaints: sumOptional('complaints'),
    complaintsOnTime: sumOptional('complaintsOnTime'),
  };
}

/** Units or areas side by side: every count adds up (each is its own dossiers). */
export function addVolumes(list: readonly Volumes[]): Volumes | null {
  if (list.length === 0) return null;
  const out = { ...list[0]! };
  for (const v of list.slice(1)) {
    for (const f of VOLUME_FIELDS) out[f] += v[f];
    for (const f of OPTIONAL_VOLUME_FIELDS) out[f] = addNullable(out[f], v[f]);
  }
  return out;
}

/** What the report shows of a unit's or an area's dossiers in a period. */
export interface DossierFigures {
  /** New this period: online + in person or by post (carried over is not received). */
  received: number;
  resolved: number;
  pending: number;
  resolvedEarly: number;
  resolvedOnTime: number;
  resolvedLate: number;
  pendingOverdue: number;
  onTimeRate: number | null;
  earlyRate: number | null;
  lateRate: number | null;
  responseRate: number | null;
  sampleNeeded: number;
  sampleShortfall: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/**
 * The figures of `v` with `responses` survey responses counted in the index
 * for the same unit, area and period.
 * - resolved = early + on time + late; pending = within deadline + overdue [S: Biểu II.06a].
 * - on-time rate = (early + on time) / resolved [S: the plans count an early return as on time, seeds 003, 004];
 *   early rate = early / resolved; late rate = late / resolved [D].
 * - response rate = responses / resolved [D]; not capped at 1: more responses than dossiers means the volumes
 *   are incomplete, and the figure should show it.
 * - sample needed = ⌈N / (1 + N·0.05²)⌉, N = resolved [S: SIPAS practice]; shortfall = max(0, needed − responses).
 */
export function dossierFigures(v: Volumes, responses: number): DossierFigures {
  const resolved = v.resolvedEarly + v.resolvedOnTime + v.resolvedLate;
  const sampleNeeded = sampleSizeNeeded(resolved);
  return {
    received: v.receivedOnline + v.receivedDirect,
    resolved,
    pending: v.pendingOnTime + v.pendingOverdue,
    resolvedEarly: v.resolvedEarly,
    resolvedOnTime: v.resolvedOnTime,
    resolvedLate: v.resolvedLate,
    pendingOverdue: v.pendingOverdue,
    onTimeRate: ratio(v.resolvedEarly + v.resolvedOnTime, resolved),
    earlyRate: ratio(v.resolvedEarly, resolved),
    lateRate: ratio(v.resolvedLate, resolved),
    responseRate: ratio(responses, resolved),
    sampleNeeded,
    sampleShortfall: Math.max(0, sampleNeeded - responses),
  };
}

/** An area's dossiers and survey answers, for the weighted rate. */
export interface AreaSample {
  resolved: number;
  satisfied: number;
  n: number;
}

export interface WeightedRate {
  rate: number;
  ci95: [number, number];
}

const Z95 = 1.959964;

/**
 * The survey rate weighted by each area's share of the resolved dossiers [D],
 * so that an area where few people answer counts as much as its share of the
 * work: Σ w_a·s_a/n_a with w_a = resolved_a / Σ resolved over the areas given,
 * which the caller limits to areas with both volumes and answers. Its 95%
 * interval is rate ± 1.959964·√(Σ w_a²·p̃_a(1 − p̃_a)/n_a) with p̃_a =
 * (s_a + 1)/(n_a + 2), so that an area where everyone agreed still adds
 * some uncertainty; clipped to [0, 1]. Null when no area qualifies.
 */
export function weightedRate(areas: readonly AreaSample[]): WeightedRate | null {
  const used = areas.filter((a) => a.resolved > 0 && a.n > 0);
  const total = used.reduce((s, a) => s + a.resolved, 0);
  if (total === 0) return null;
  let rate = 0;
  let variance = 0;
  for (const a of used) {
    const w = a.resolved / total;
    const p = (a.satisfied + 1) / (a.n + 2);
    rate += w * (a.satisfied / a.n);
    variance += (w * w * p * (1 - p)) / a.n;
  }
  const half = Z95 * Math.sqrt(variance);
  return { rate, ci95: [Math.max(0, rate - half), Math.min(1, rate + half)] };
}

export interface Qd766 {
  handlingSatisfaction: { rate: number; score: number } | null;
  complaintsOnTime: { rate: number | null; score: number } | null;
}

/**
 * The satisfaction group of QĐ 766/QĐ-TTg (2022) [S: the national portal's
 * published description of the formulas; keep the source visible]. Their
 * denominator is dossiers, not respondents: shown apart from the survey rate.
 * - 5.4: R = (D − L − X) / D, D = resolved + pending, L = late + overdue,
 *   X = dossiers rated dissatisfied or complained about; floored at 0;
 *   score = min(6, 6·R / 0.90). Null without dossiers or without X.
 * - 5.2: complaints handled on time / complaints; score 6 × that, or 6 (rate
 *   null) when there were none. Null when the software does not count them.
 */
export function qd766(v: Volumes): Qd766 {
  const d = v.resolvedEarly + v.resolvedOnTime + v.resolvedLate + v.pendingOnTime + v.pendingOverdue;
  const late = v.resolvedLate + v.pendingOverdue;
  let handlingSatisfaction: Qd766['handlingSatisfaction'] = null;
  if (d > 0 && v.dissatisfiedOrComplained !== null) {
    const rate = Math.max(0, (d - late - v.dissatisfiedOrComplained) / d);
    handlingSatisfaction = { rate, score: Math.min(6, (6 * rate) / 0.9) };
  }
  let complaintsOnTime: Qd766['complaintsOnTime'] = null;
  if (v.complaints !== null && v.complaintsOnTime !== null) {
    complaintsOnTime =
      v.complaints === 0
        ? { rate: null, score: 6 }
        : { rate: v.complaintsOnTime / v.complaints, score: (6 * v.complaintsOnTime) / v.complaints };
  }
  return { handlingSatisfaction, complaintsOnTime };
}

/** 'YYYY-MM' months from `from` to `to` ('yyyy-mm-dd'), or null when the period cuts a month. */
export function wholeMonths(from: string, to: string): string[] | null {
  if (!from.endsWith('-01')) return null;
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  if (td !== lastDay) return null;
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}
