// Roll-ups when transaction volumes per service area are known
// (methodology §3): a volume-weighted rate, so that an area where few
// visitors answer counts as much as its share of the work, and the response
// rate. Both are shown beside the pooled rate, never instead of it.

export interface AreaVolume {
  /** Transactions (dossiers) of the area in the period, from the one-stop software. */
  volume: number;
  satisfied: number;
  /** Valid answers of the area. */
  n: number;
}

export interface WeightedRate {
  /** Σ_a (V_a / ΣV) · rate_a over the areas with answers; null when none has answers or volume. */
  rate: number | null;
  /**
   * Share of the volume in areas with answers. An area with transactions but
   * no answers has no rate to weight; it is left out and the weights of the
   * others are rescaled, so the figure speaks for this share of the work only.
   */
  coverage: number | null;
}

export function volumeWeightedRate(areas: readonly AreaVolume[]): WeightedRate {
  const totalVolume = areas.reduce((s, a) => s + a.volume, 0);
  const answered = areas.filter((a) => a.n > 0 && a.volume > 0);
  const answeredVolume = answered.reduce((s, a) => s + a.volume, 0);
  if (totalVolume <= 0) return { rate: null, coverage: null };
  const coverage = answeredVolume / totalVolume;
  if (answeredVolume === 0) return { rate: null, coverage };
  const rate = answered.reduce((s, a) => s + (a.volume / answeredVolume) * (a.satisfied / a.n), 0);
  return { rate, coverage };
}

/**
 * responses / transactions; null when no transactions are known. Not capped
 * at 1: more responses than transactions means the volumes are incomplete,
 * and the figure should show it rather than hide it.
 */
export function responseRate(responses: number, transactions: number): number | null {
  return transactions > 0 ? responses / transactions : null;
}
