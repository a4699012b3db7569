// Responses needed for a representative period estimate (methodology §3,
// SIPAS practice): Yamane's n = N / (1 + N·e²), e = 0.05, rounded up (a
// fraction of a person is one more person to ask).

/** The margin of error SIPAS practice uses. */
export const SAMPLE_MARGIN = 0.05;

export function sampleSizeNeeded(transactions: number, margin = SAMPLE_MARGIN): number {
  if (!Number.isInteger(transactions) || transactions < 0) throw new RangeError(`not a count: ${transactions}`);
  if (!(margin > 0 && margin < 1)) throw new RangeError(`margin must be between 0 and 1: ${margin}`);
  return Math.ceil(transactions / (1 + transactions * margin * margin));
}
