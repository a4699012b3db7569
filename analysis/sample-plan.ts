import { SAMPLE_MARGIN, sampleSizeNeeded } from './sample-size.ts';

// The sample plan of a survey round (issue 16, methodology §3 and §6): the
// size from Yamane's formula, split into quotas per service area. Pure.

export type Allocation = 'proportional' | 'equal';

export interface PlanArea {
  code: string;
  /** Resolved dossiers of the reference period (0 when unknown). */
  resolved: number;
}

export interface SamplePlan {
  n: number;
  quotas: { code: string; quota: number }[];
}

/**
 * Hamilton's largest remainder: each weight's exact share of `total`, rounded
 * down, then the units left over go one each to the largest remainders, so
 * the parts always sum to `total` (plain rounding can miss it by a few). Ties
 * go to the larger weight, then to the earlier entry, so the result does not
 * depend on anything but the input.
 */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum === 0) return weights.map(() => 0);
  // Integer arithmetic where possible: total·w / sum exactly, as quotient and remainder.
  const parts = weights.map((w, i) => {
    const scaled = total * w;
    const floor = Math.floor(scaled / sum);
    return { i, w, floor, rest: scaled - floor * sum };
  });
  let left = total - parts.reduce((s, p) => s + p.floor, 0);
  const order = [...parts].sort((a, b) => b.rest - a.rest || b.w - a.w || a.i - b.i);
  for (const p of order) {
    if (left === 0) break;
    p.floor += 1;
    left -= 1;
  }
  return parts.map((p) => p.floor);
}

/**
 * n = ⌈N / (1 + N·e²)⌉ [S: SIPAS practice], split over the areas: in
 * proportion to their resolved dossiers [D: the sample then mirrors who was
 * served], an area without any getting none; equally when asked, or when no
 * area has any (nothing to be proportional to).
 */
export function samplePlan(input: {
  population: number;
  margin?: number;
  areas: readonly PlanArea[];
  allocation: Allocation;
}): SamplePlan {
  const n = sampleSizeNeeded(input.population, input.margin ?? SAMPLE_MARGIN);
  for (const a of input.areas) {
    if (!Number.isInteger(a.resolved) || a.resolved < 0) throw new RangeError(`not a count: ${a.resolved}`);
  }
  const anyResolved = input.areas.some((a) => a.resolved > 0);
  const weights =
    input.allocation === 'proportional' && anyResolved ? input.areas.map((a) => a.resolved) : input.areas.map(() => 1);
  const shares = largestRemainder(n, weights);
  return { n, quotas: input.areas.map((a, i) => ({ code: a.code, quota: shares[i]! })) };
}
