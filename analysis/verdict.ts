// A rate held against a plan target (methodology §3). The verdict reads the
// Wilson interval, not the point estimate: "met" only when even the lower
// bound clears the target, "not met" only when even the upper bound falls
// short, and "not enough evidence" in between, the honest answer for a
// small sample whose estimate happens to sit near the line.

import type { Comparison, Verdict } from './report-types.ts';

export interface TargetRule {
  comparison: Comparison;
  /** A proportion 0..1. */
  threshold: number;
}

/**
 * For "at least" targets (gte, gt) the lower bound decides "met" and the
 * upper bound "not met"; "at most" targets (lte, lt: late dossiers < 1%)
 * mirror it. Bounds are compared exactly as computed: a bound equal to the
 * threshold meets gte and lte, not gt or lt.
 */
export function verdict(ci95: readonly [number, number] | null, target: TargetRule | null | undefined): Verdict {
  if (!target) return 'no_target';
  if (!ci95) return 'inconclusive';
  const [lo, hi] = ci95;
  const t = target.threshold;
  switch (target.comparison) {
    case 'gte':
      return lo >= t ? 'met' : hi < t ? 'not_met' : 'inconclusive';
    case 'gt':
      return lo > t ? 'met' : hi <= t ? 'not_met' : 'inconclusive';
    case 'lte':
      return hi <= t ? 'met' : lo > t ? 'not_met' : 'inconclusive';
    case 'lt':
      return hi < t ? 'met' : lo >= t ? 'not_met' : 'inconclusive';
  }
}

/** The verdict as the dashboard and the PDF say it. */
export const VERDICT_VI: Record<Verdict, string> = {
  met: 'Đạt',
  not_met: 'Chưa đạt',
  inconclusive: 'Chưa đủ căn cứ',
  no_target: 'Chưa có chỉ tiêu',
};
