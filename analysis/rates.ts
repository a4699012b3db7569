// One item's answers 1..5 turned into its satisfaction rate and mean score
// (methodology §3). Inputs are counts by answer value; "na" and blanks never
// reach here, so they are out of every denominator by construction.

import { weightedMean } from 'simple-statistics';
import type { Distribution } from './report-types.ts';
import { checkCount } from './wilson.ts';

export const ANSWER_VALUES = ['1', '2', '3', '4', '5'] as const;

/** Answers that count as satisfied: "hài lòng" (4) and "rất hài lòng" (5). */
const SATISFIED: readonly (keyof Distribution)[] = ['4', '5'];

export function emptyDistribution(): Distribution {
  return { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
}

/** Sum of two distributions: pooling respondents, as a roll-up does. */
export function addDistributions(a: Distribution, b: Distribution): Distribution {
  const out = emptyDistribution();
  for (const v of ANSWER_VALUES) out[v] = a[v] + b[v];
  return out;
}

export interface ItemRate {
  /** Valid answers (1..5). */
  n: number;
  /** Answers 4 or 5. */
  satisfied: number;
  /** satisfied / n; null when n = 0. */
  rate: number | null;
  /** Mean score 1..5; null when n = 0. */
  mean: number | null;
}

export function itemRate(distribution: Distribution): ItemRate {
  for (const v of ANSWER_VALUES) checkCount(distribution[v]);
  const counts = ANSWER_VALUES.map((v) => distribution[v]);
  const n = counts.reduce((s, c) => s + c, 0);
  const satisfied = SATISFIED.reduce((s, v) => s + distribution[v], 0);
  if (n === 0) return { n, satisfied, rate: null, mean: null };
  return { n, satisfied, rate: satisfied / n, mean: weightedMean([1, 2, 3, 4, 5], counts) };
}
