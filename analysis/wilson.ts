// Wilson score interval for one proportion (methodology §3): the interval
// every rate in a report carries. Chosen over the textbook Wald interval
// because it stays inside [0, 1] and keeps its coverage near 0 and 1, where
// satisfaction rates of 90% and more live.

/** The 97.5% normal quantile the methodology names, to the digits it gives. */
export const Z95 = 1.959964;

/** 95% Wilson interval of `satisfied` out of `n`; null when n = 0 (nothing to estimate). */
export function wilson(satisfied: number, n: number, z = Z95): [number, number] | null {
  checkCounts(satisfied, n);
  if (n === 0) return null;
  const [lo, hi] = wilsonOfRate(satisfied / n, n, z);
  // At 0/n and n/n the bound is exactly the estimate; rounding must not put
  // it on the wrong side of the rate it brackets.
  return [satisfied === 0 ? 0 : lo, satisfied === n ? 1 : hi];
}

/**
 * The same interval for a rate p over n trials, successes p·n not
 * necessarily whole: what a sample n large at the same rate would give
 * (methodology §3, moreResponsesNeeded). n > 0.
 */
export function wilsonOfRate(p: number, n: number, z = Z95): [number, number] {
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Counts come from SQL; anything else is a bug upstream, not data to guess about. */
export function checkCounts(satisfied: number, n: number): void {
  checkCount(n);
  checkCount(satisfied);
  if (satisfied > n) throw new RangeError(`${satisfied} satisfied out of only ${n}`);
}

export function checkCount(c: number): void {
  if (!Number.isInteger(c) || c < 0) throw new RangeError(`not a count: ${c}`);
}
