// Change of a rate between two periods (methodology §3): the difference of
// two independent proportions with Newcombe's hybrid score interval (method
// 10 of Newcombe 1998, "Interval estimation for the difference between
// independent proportions: comparison of eleven methods", Statistics in
// Medicine 17:873–890). Built from the two Wilson intervals, so it agrees
// with the intervals shown beside each rate and, like them, stays sensible
// near 0% and 100%.

import type { TrendPoint } from './report-types.ts';
import { wilson } from './wilson.ts';

export type Change = NonNullable<TrendPoint['change']>;

export interface Proportion {
  satisfied: number;
  n: number;
}

/**
 * `after` − `before` with its 95% interval; null when either period has no
 * answers. `improved` / `declined` when the interval excludes 0, otherwise
 * `no_significant_change`. Periods are treated as independent samples:
 * different months are answered by different visitors.
 */
export function rateChange(before: Proportion, after: Proportion): Change | null {
  const ci1 = wilson(before.satisfied, before.n);
  const ci2 = wilson(after.satisfied, after.n);
  if (!ci1 || !ci2) return null;
  const p1 = before.satisfied / before.n;
  const p2 = after.satisfied / after.n;
  const [l1, u1] = ci1;
  const [l2, u2] = ci2;
  const difference = p2 - p1;
  const lo = difference - Math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2);
  const hi = difference + Math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2);
  const direction = lo > 0 ? 'improved' : hi < 0 ? 'declined' : 'no_significant_change';
  return { difference, ci95: [lo, hi], direction };
}
