// The satisfaction report: the JSON the report API returns, and what the
// dashboard and the exports render. Rates are fractions 0..1; dates are
// inclusive calendar days in Asia/Ho_Chi_Minh. One source of truth for the
// shape: the service builds it, the API sends it, views and exports read it.

export type Verdict = 'met' | 'not_met' | 'inconclusive' | 'no_target';
export type Comparison = 'gte' | 'gt' | 'lte' | 'lt';

export interface TargetRef {
  id: number;
  comparison: Comparison;
  /** A proportion 0..1. */
  threshold: number;
  sourcePlan: string;
  sourceClause: string | null;
}

/** Answers 1..5 of an item; the keys are always "1".."5". */
export type Distribution = Record<'1' | '2' | '3' | '4' | '5', number>;

/** A rate with everything shown beside it. Suppressed cells carry no figures. */
export interface RateCell {
  n: number;
  /** null when suppressed: with n < 5 it could tell how two or three people answered. */
  satisfied: number | null;
  rate: number | null;
  ci95: [number, number] | null;
  mean: number | null;
  distribution: Distribution | null;
  /** n < 30 */
  smallSample: boolean;
  /** n < 5 in a breakdown cell: figures withheld for privacy (still counted in parents). */
  suppressed: boolean;
}

export interface FactorCell {
  key: 'access' | 'procedure' | 'staff' | 'result' | 'feedback';
  /** Factor index: mean of its item rates. */
  rate: number | null;
  /** Valid answers summed over its items. */
  n: number;
  suppressed: boolean;
}

export interface ServiceAreaCell extends RateCell {
  code: string;
  name: string;
  target: TargetRef | null;
  verdict: Verdict;
  factors: FactorCell[];
}

export interface ChildCell extends RateCell {
  unit: { id: number; code: string; name: string };
  target: TargetRef | null;
  verdict: Verdict;
}

export interface SatisfactionReport {
  unit: { id: number; code: string; name: string };
  /** yyyy-mm-dd, inclusive */
  from: string;
  to: string;
  timezone: 'Asia/Ho_Chi_Minh';
  serviceArea: string | null;
  /** The headline: the `overall` item. */
  overall: RateCell & { target: TargetRef | null; verdict: Verdict };
  composite: { value: number | null; ci95: [number, number] | null };
  factors: FactorCell[];
  serviceAreas: ServiceAreaCell[];
  children: ChildCell[];
  /** Responses flagged as suspect in the period, left out of every figure. */
  flaggedExcluded: number;
  /** Responses by channel (qr, kiosk, paper, link, api). */
  channels: Record<string, number>;
  /** responses / transactions when volumes are known, else null. */
  responseRate: number | null;
  /** Indicator keys whose wording changed between survey versions used in the period. */
  wordingChanged: string[];
}

export interface TrendPoint {
  /** '2026-03' or '2026-Q1' */
  period: string;
  from: string;
  to: string;
  overall: RateCell;
  /** Against the previous point: difference of rates with its Newcombe 95% interval. */
  change: {
    difference: number;
    ci95: [number, number];
    direction: 'improved' | 'declined' | 'no_significant_change';
  } | null;
}

export interface TrendReport {
  unit: { id: number; code: string; name: string };
  from: string;
  to: string;
  interval: 'month' | 'quarter';
  timezone: 'Asia/Ho_Chi_Minh';
  serviceArea: string | null;
  points: TrendPoint[];
}
