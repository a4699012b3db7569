import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import type { Comparison, Verdict } from './report-types.ts';
import { wilson, wilsonOfRate } from './wilson.ts';

// A rate held against a plan target (methodology §3). The Wilson interval
// decides the two firm verdicts: "met" only when even the lower bound clears
// the target, "not met" only when even the upper bound falls short. At a
// commune's 50–100 responses a quarter the interval is ±7–10 points, so
// most rates fall in between; there the probability that the target is met
// (Jeffreys' Beta posterior) says how close it is, and moreResponsesNeeded
// says what would settle it, without claiming more than the data allow.

export interface TargetRule {
  comparison: Comparison;
  /** A proportion 0..1. */
  threshold: number;
}

export interface Judgement {
  verdict: Verdict;
  /** P(p ≥ T) (P(p ≤ T) for "at most" targets) under Beta(s + ½, n − s + ½); null without a target or answers. */
  probabilityMet: number | null;
  /** More responses at the same rate that would make the verdict firm; 0 when it is, null when they never would. */
  moreResponsesNeeded: number | null;
}

/** P at or above which an unsettled rate is "likely met", at or below LIKELY_NOT_MET "likely not met". */
export const LIKELY_MET = 0.8;
export const LIKELY_NOT_MET = 0.2;
/** Beyond this many more responses the advice is meaningless: null instead. */
export const MORE_RESPONSES_CAP = 1_000_000;

const NONE: Judgement = { verdict: 'unclear', probabilityMet: null, moreResponsesNeeded: null };

/**
 * The verdict of `satisfied` out of `n` against a target. `satisfied` is
 * null for a suppressed cell (n < 5): nothing about it may be told, so it is
 * unclear with no probability.
 */
export function judge(satisfied: number | null, n: number, target: TargetRule | null | undefined): Judgement {
  if (!target) return { verdict: 'no_target', probabilityMet: null, moreResponsesNeeded: null };
  if (satisfied === null || n === 0) return NONE;
  const probabilityMet = probabilityOfMeeting(satisfied, n, target);
  const firm = firmVerdict(wilson(satisfied, n)!, target);
  if (firm) return { verdict: firm, probabilityMet, moreResponsesNeeded: 0 };
  return {
    verdict:
      probabilityMet >= LIKELY_MET ? 'likely_met' : probabilityMet <= LIKELY_NOT_MET ? 'likely_not_met' : 'unclear',
    probabilityMet,
    moreResponsesNeeded: moreResponsesNeeded(satisfied / n, n, target),
  };
}

/**
 * The firm verdicts from the interval alone, or null when it straddles the
 * target. For "at least" targets (gte, gt) the lower bound decides "met" and
 * the upper bound "not met"; "at most" targets (lte, lt: late dossiers < 1%)
 * mirror it. Bounds are compared exactly as computed: a bound equal to the
 * threshold meets gte and lte, not gt or lt.
 */
export function firmVerdict(ci95: readonly [number, number], target: TargetRule): 'met' | 'not_met' | null {
  const [lo, hi] = ci95;
  const t = target.threshold;
  switch (target.comparison) {
    case 'gte':
      return lo >= t ? 'met' : hi < t ? 'not_met' : null;
    case 'gt':
      return lo > t ? 'met' : hi <= t ? 'not_met' : null;
    case 'lte':
      return hi <= t ? 'met' : lo > t ? 'not_met' : null;
    case 'lt':
      return hi < t ? 'met' : lo >= t ? 'not_met' : null;
  }
}

/** P(p ≥ T) for "at least" targets, P(p ≤ T) for "at most", p ~ Beta(s + ½, n − s + ½). */
export function probabilityOfMeeting(satisfied: number, n: number, target: TargetRule): number {
  const below = betaCdf(target.threshold, satisfied + 0.5, n - satisfied + 0.5);
  return target.comparison === 'gte' || target.comparison === 'gt' ? 1 - below : below;
}

/**
 * The smallest m ≥ 0 for which n + m responses at the rate p would give a
 * firm verdict (the interval wholly on one side of the target); null when
 * p is the target itself or m would exceed MORE_RESPONSES_CAP. The interval
 * narrows as the sample grows, so once firm it stays firm: a doubling search
 * for a firm m, then bisection down to the smallest.
 */
export function moreResponsesNeeded(p: number, n: number, target: TargetRule): number | null {
  if (n === 0 || p === target.threshold) return null;
  const firm = (m: number) => firmVerdict(wilsonOfRate(p, n + m), target) !== null;
  if (firm(0)) return 0;
  let high = 1;
  while (!firm(high)) {
    if (high > MORE_RESPONSES_CAP) return null;
    high *= 2;
  }
  let low = high / 2; // not firm (or 0, known not firm)
  if (high === 1) low = 0;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (firm(mid)) high = mid;
    else low = mid;
  }
  return high > MORE_RESPONSES_CAP ? null : high;
}

/**
 * The verdict of a figure that counts every case (a dossier rate from the
 * one-stop software's volumes): no sample, so no interval and no
 * "likely", only met or not met, compared exactly as the plan writes it.
 */
export function exactVerdict(value: number, target: TargetRule): 'met' | 'not_met' {
  const t = target.threshold;
  const met =
    target.comparison === 'gte'
      ? value >= t
      : target.comparison === 'gt'
        ? value > t
        : target.comparison === 'lte'
          ? value <= t
          : value < t;
  return met ? 'met' : 'not_met';
}
