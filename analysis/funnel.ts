import type { UnitComparison } from './report-types.ts';
import { Z95 } from './wilson.ts';

// Comparing child units honestly (methodology §3, after Spiegelhalter 2005,
// "Funnel plots for comparing institutional performance"): a commune with 12
// responses at 75% is not "last" if chance alone puts it there. Each child
// is held against the pooled rate of the children shown, with limits that
// widen as its sample shrinks; a bare rank is never shown without this.

/** The 99.8% two-sided normal quantile, for the outer funnel. */
export const Z998 = 3.090232;

export interface FunnelInput {
  satisfied: number | null;
  n: number;
  suppressed: boolean;
}

/** Children that take part: not suppressed (n ≥ 5), with answers. */
const compared = (c: FunnelInput) => !c.suppressed && c.satisfied !== null && c.n > 0;

/** Σs / Σn over the children compared; null when none is. */
export function pooledRate(children: readonly FunnelInput[]): number | null {
  let s = 0;
  let n = 0;
  for (const c of children.filter(compared)) {
    s += c.satisfied!;
    n += c.n;
  }
  return n > 0 ? s / n : null;
}

/** The funnel limits around p0 for a unit of n responses, clipped to [0, 1]. */
export function funnelLimits(p0: number, n: number, z = Z95): [number, number] {
  const half = z * Math.sqrt((p0 * (1 - p0)) / n);
  return [Math.max(0, p0 - half), Math.min(1, p0 + half)];
}

/** above / below when the rate is outside the 95% limits, within otherwise; null when not compared. */
export function compareToPool(child: FunnelInput, p0: number | null): UnitComparison | null {
  if (p0 === null || !compared(child)) return null;
  const rate = child.satisfied! / child.n;
  const [lo, hi] = funnelLimits(p0, child.n);
  return rate > hi ? 'above' : rate < lo ? 'below' : 'within';
}
