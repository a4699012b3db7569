// The report's cells (analysis/report-types.ts) built from counts: a rate
// with everything shown beside it, a factor, and the composite. The service
// fetches counts from the aggregates and hands them here; nothing below
// knows where they came from.

import { compositeInterval } from './bootstrap.ts';
import { compositeIndex, type FactorCounts, type FactorKey, factorIndex } from './indices.ts';
import { itemRate } from './rates.ts';
import type { Distribution, FactorCell, RateCell, SatisfactionReport } from './report-types.ts';
import { isSmallSample, isSuppressed } from './suppression.ts';
import { wilson } from './wilson.ts';

export interface CellOptions {
  /**
   * A breakdown cell (a service area, a child unit): withheld when n < 5.
   * The headline of the unit asked for is never withheld.
   */
  breakdown?: boolean;
}

/** An item's rate cell from its counts of answers 1..5. */
export function rateCell(distribution: Distribution, { breakdown = false }: CellOptions = {}): RateCell {
  const { n, satisfied, rate, mean } = itemRate(distribution);
  const smallSample = isSmallSample(n);
  if (isSuppressed(n, breakdown)) {
    // No figure that would let a reader work out how two or three people answered.
    return {
      n,
      satisfied: null,
      rate: null,
      ci95: null,
      mean: null,
      distribution: null,
      smallSample,
      suppressed: true,
    };
  }
  return {
    n,
    satisfied,
    rate,
    ci95: wilson(satisfied, n),
    mean,
    distribution: { ...distribution },
    smallSample,
    suppressed: false,
  };
}

/**
 * A factor's cell: its index (mean of its item rates) and the valid answers
 * summed over its items. In a breakdown it is withheld when no single item
 * has 5 answers: the largest item count is the best lower bound on how many
 * people stand behind the figure (the item sum would count one person once
 * per item).
 */
export function factorCell(
  key: FactorKey,
  items: readonly Distribution[],
  { breakdown = false }: CellOptions = {},
): FactorCell {
  const counts = items.map((d) => itemRate(d).n);
  const n = counts.reduce((s, c) => s + c, 0);
  const suppressed = isSuppressed(Math.max(0, ...counts), breakdown);
  return { key, rate: suppressed ? null : factorIndex(items), n, suppressed };
}

/** The composite index with its bootstrap interval. */
export function compositeCell(factors: readonly FactorCounts[]): SatisfactionReport['composite'] {
  return { value: compositeIndex(factors), ci95: compositeInterval(factors) };
}
