// Factor and composite indices (methodology §3, QĐ 2640 style): a factor's
// index is the plain mean of its item rates, the composite the plain mean of
// the factor indices present. Means of rates, not pooled answers: a factor
// with many items does not outweigh one with few, which is what the SIPAS
// practice these figures are compared with does.

import { mean } from 'simple-statistics';
import { itemRate } from './rates.ts';
import type { Distribution, FactorCell } from './report-types.ts';

export type FactorKey = FactorCell['key'];

/** The five SIPAS factors, in the order reports list them. */
export const FACTOR_KEYS: readonly FactorKey[] = ['access', 'procedure', 'staff', 'result', 'feedback'];

/** A factor's items as counts of answers 1..5, one distribution per indicator key. */
export interface FactorCounts {
  key: FactorKey;
  items: Distribution[];
}

/** Mean of the rates of the items that have answers; null when none has. */
export function factorIndex(items: readonly Distribution[]): number | null {
  const rates = items.map((d) => itemRate(d).rate).filter((r): r is number => r !== null);
  return rates.length === 0 ? null : mean(rates);
}

/** Mean of the factor indices present; null when no factor has answers. */
export function compositeIndex(factors: readonly FactorCounts[]): number | null {
  const indices = factors.map((f) => factorIndex(f.items)).filter((r): r is number => r !== null);
  return indices.length === 0 ? null : mean(indices);
}

/**
 * The composite written out as Σ weight · satisfied / n over the items with
 * answers: weight = 1 / (factors present × items with answers in the factor).
 * The bootstrap redraws `satisfied` and re-applies these same weights, so it
 * always resamples exactly the figure the report shows.
 */
export function compositeTerms(factors: readonly FactorCounts[]): { satisfied: number; n: number; weight: number }[] {
  const present = factors.map((f) => f.items.map(itemRate).filter((r) => r.n > 0)).filter((items) => items.length > 0);
  return present.flatMap((items) =>
    items.map((r) => ({ satisfied: r.satisfied, n: r.n, weight: 1 / (present.length * items.length) })),
  );
}
