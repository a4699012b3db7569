// A survey round's own figures (issue 16; methodology §3 and §6), from the
// counts of that round's responses per service area. Pure.
//
// The round samples each area to its quota, so pooling the respondents
// over-represents areas sampled more than their share of the work. The
// stratified estimate weights each area's rate by its resolved dossiers in
// the round's reference period (weightedRate, §6); a round planned without
// volumes weights by its quotas instead, which is its own plan of how the
// population splits. The unweighted figure is the headline rate of §3
// (satisfied / valid answers of `overall`, Wilson interval), as the
// dashboard computes it, shown beside it so that the two can be compared.

import { weightedRate } from './dossiers.ts';
import { isSmallSample, isSuppressed } from './suppression.ts';
import { checkCount, checkCounts, wilson } from './wilson.ts';

/** One service area of a round, as counted from its responses. */
export interface RoundAreaCounts {
  code: string;
  /** Responses entered for the round in the area (suspect ones left out). */
  responses: number;
  /** Respondents with a valid overall answer (1–5). */
  n: number;
  /** Of those, answers 4 or 5. */
  satisfied: number;
  /** Resolved dossiers in the reference period; null when no volumes are known for the area. */
  resolved: number | null;
  /** The area's quota: the responses planned. */
  planned: number;
}

export type RoundWeights = 'volumes' | 'quotas';

export interface RoundAreaEstimate {
  code: string;
  responses: number;
  planned: number;
  /** responses / planned; null without a quota. */
  responseRate: number | null;
  n: number;
  /** Null when the area has fewer than 5 valid answers (withheld) or none. */
  satisfied: number | null;
  rate: number | null;
  ci95: [number, number] | null;
  smallSample: boolean;
  suppressed: boolean;
  /** The weight the estimate used (dossiers or quota). */
  weight: number;
  /** The area's share of the estimate's weights; null when the area is not in it (no weight or no answers). */
  share: number | null;
}

export interface RoundEstimate {
  /** What weighted the stratified estimate. */
  weights: RoundWeights;
  /** Σ_a w_a·rate_a with its 95% interval; null when no area has both a weight and answers. */
  stratified: { rate: number; ci95: [number, number] } | null;
  /** Pooled over respondents: satisfied / n with the Wilson interval. */
  unweighted: { n: number; satisfied: number; rate: number | null; ci95: [number, number] | null };
  responses: number;
  planned: number;
  /** responses / planned over the round; null when nothing was planned. */
  responseRate: number | null;
  areas: RoundAreaEstimate[];
}

/**
 * The round's estimate from its areas' counts: weighted by dossier volumes
 * when any area has resolved dossiers, else by the quotas. Areas keep the
 * order given.
 */
export function roundEstimate(areas: readonly RoundAreaCounts[]): RoundEstimate {
  for (const a of areas) {
    checkCounts(a.satisfied, a.n);
    checkCount(a.responses);
    checkCount(a.planned);
    if (a.resolved !== null) checkCount(a.resolved);
    if (a.n > a.responses) throw new RangeError(`${a.code}: ${a.n} answers from ${a.responses} responses`);
  }
  const weights: RoundWeights = areas.some((a) => (a.resolved ?? 0) > 0) ? 'volumes' : 'quotas';
  const weightOf = (a: RoundAreaCounts) => (weights === 'volumes' ? (a.resolved ?? 0) : a.planned);
  // weightedRate leaves out areas without a weight or without answers: the same ones as here.
  const stratified = weightedRate(areas.map((a) => ({ resolved: weightOf(a), satisfied: a.satisfied, n: a.n })));
  const used = areas.filter((a) => weightOf(a) > 0 && a.n > 0);
  const totalWeight = used.reduce((s, a) => s + weightOf(a), 0);

  const n = sum(areas, (a) => a.n);
  const satisfied = sum(areas, (a) => a.satisfied);
  const responses = sum(areas, (a) => a.responses);
  const planned = sum(areas, (a) => a.planned);
  return {
    weights,
    stratified,
    unweighted: { n, satisfied, rate: n > 0 ? satisfied / n : null, ci95: wilson(satisfied, n) },
    responses,
    planned,
    responseRate: planned > 0 ? responses / planned : null,
    areas: areas.map((a) => {
      const suppressed = isSuppressed(a.n, true);
      const shown = !suppressed && a.n > 0;
      return {
        code: a.code,
        responses: a.responses,
        planned: a.planned,
        responseRate: a.planned > 0 ? a.responses / a.planned : null,
        n: a.n,
        satisfied: shown ? a.satisfied : null,
        rate: shown ? a.satisfied / a.n : null,
        ci95: shown ? wilson(a.satisfied, a.n) : null,
        smallSample: isSmallSample(a.n),
        suppressed,
        weight: weightOf(a),
        share: used.includes(a) ? weightOf(a) / totalWeight : null,
      };
    }),
  };
}

function sum<T>(list: readonly T[], f: (x: T) => number): number {
  return list.reduce((s, x) => s + f(x), 0);
}
