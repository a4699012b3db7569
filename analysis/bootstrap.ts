// The composite index's 95% interval (methodology §3: "a percentile bootstrap
// over respondents, 2,000 resamples, fixed seed"), computed from counts.
//
// Reports read daily aggregates, not respondents, so a respondent bootstrap
// is out of reach. This is a parametric bootstrap from the same counts: each
// resample redraws every item's satisfied count from Binomial(n, observed
// rate) (the marginal of its observed 1..5 multinomial that the rate depends
// on) and recomputes the composite with the report's own weights.
//
// The items of one composite are answered by the same people and move
// together. Redrawing them independently would ignore that and give an
// interval too narrow; the counts do not say how strongly they move together.
// So all items of a resample are drawn from one shared uniform (comonotone
// draws): the strongest positive dependence the margins allow, which gives
// the widest composite spread. See analysis/README.md, "Method notes".

import { quantileSorted } from 'simple-statistics';
import { compositeTerms, type FactorCounts } from './indices.ts';

export const BOOTSTRAP_RESAMPLES = 2000;
/** Fixed, so the same counts always give the same interval (QĐ 2640, for remembering). */
export const BOOTSTRAP_SEED = 2640;

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
}

/** 95% percentile interval of the composite index; null when no item has answers. */
export function compositeInterval(
  factors: readonly FactorCounts[],
  { resamples = BOOTSTRAP_RESAMPLES, seed = BOOTSTRAP_SEED }: BootstrapOptions = {},
): [number, number] | null {
  const terms = compositeTerms(factors).map((t) => ({
    weight: t.weight / t.n,
    draw: binomialQuantile(t.n, t.satisfied / t.n),
  }));
  if (terms.length === 0) return null;
  const random = mulberry32(seed);
  const composites: number[] = [];
  for (let b = 0; b < resamples; b += 1) {
    const u = random();
    let value = 0;
    for (const term of terms) value += term.weight * term.draw(u);
    composites.push(value);
  }
  composites.sort((a, b) => a - b);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return [clamp(quantileSorted(composites, 0.025)), clamp(quantileSorted(composites, 0.975))];
}

/** Below this probability relative to the mode, a binomial term is left out of the table. */
const NEGLIGIBLE = 1e-18;

/**
 * The quantile function of Binomial(n, p): u in (0, 1) → the smallest k with
 * P(X ≤ k) ≥ u. Monotone in u, which is what makes shared-uniform draws
 * comonotone. The table covers only the terms that matter (about ±9 standard
 * deviations around the mode), so a province-year item costs kilobytes.
 */
export function binomialQuantile(n: number, p: number): (u: number) => number {
  if (p <= 0) return () => 0;
  if (p >= 1) return () => n;
  const odds = p / (1 - p);
  const mode = Math.min(n, Math.floor((n + 1) * p));
  // Ratios of consecutive terms from the mode outwards: no factorials, no underflow.
  const above: number[] = [];
  for (let k = mode + 1, term = 1; k <= n; k += 1) {
    term *= ((n - k + 1) / k) * odds;
    if (term < NEGLIGIBLE) break;
    above.push(term);
  }
  const below: number[] = [];
  for (let k = mode - 1, term = 1; k >= 0; k -= 1) {
    term *= (k + 1) / (n - k) / odds;
    if (term < NEGLIGIBLE) break;
    below.push(term);
  }
  const first = mode - below.length;
  const cumulative: number[] = [];
  let total = 0;
  for (const term of [...below.reverse(), 1, ...above]) {
    total += term;
    cumulative.push(total);
  }
  return (u) => {
    const target = u * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! >= target) hi = mid;
      else lo = mid + 1;
    }
    return first + lo;
  };
}

/** A small seeded generator (mulberry32): uniforms strictly inside (0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4_294_967_296;
  };
}
