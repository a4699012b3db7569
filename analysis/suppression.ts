// When a figure is too thin to read (small sample) or too thin to publish
// (privacy), per methodology §3. One place for both thresholds.

/** Below this many valid answers a cell is marked "small sample" (cỡ mẫu nhỏ). */
export const SMALL_SAMPLE_BELOW = 30;

/** Below this many valid answers a breakdown cell withholds its figures. */
export const SUPPRESS_BELOW = 5;

export function isSmallSample(n: number): boolean {
  return n < SMALL_SAMPLE_BELOW;
}

/**
 * Only breakdown cells (a service area, a child unit, a desk) are withheld:
 * the headline of the unit a person asked for is theirs to see whatever its
 * size, and a withheld cell still counts in its parents.
 */
export function isSuppressed(n: number, breakdown: boolean): boolean {
  return breakdown && n < SUPPRESS_BELOW;
}
