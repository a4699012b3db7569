import { factorCell, rateCell } from './cells.ts';
import { FACTOR_KEYS, type FactorCounts, type FactorKey } from './indices.ts';
import { emptyDistribution } from './rates.ts';
import type { Comparison, Distribution, FactorCell, TargetRef } from './report-types.ts';

// Pure pieces the report service assembles: answers keyed by indicator,
// factor breakdowns, and which plan target applies to a unit and area.

export type KeyDistributions = Record<string, Distribution>;

/** The factor an indicator key counts towards: `staff` and `staff.polite` both count to staff. */
export function factorOf(key: string): FactorKey | null {
  return FACTOR_KEYS.find((f) => key === f || key.startsWith(`${f}.`)) ?? null;
}

export function factorCounts(dists: KeyDistributions): FactorCounts[] {
  return FACTOR_KEYS.map((key) => ({
    key,
    items: Object.entries(dists)
      .filter(([k]) => factorOf(k) === key)
      .map(([, d]) => d),
  }));
}

export function factorCells(dists: KeyDistributions, breakdown = false): FactorCell[] {
  return factorCounts(dists).map((f) => factorCell(f.key, f.items, { breakdown }));
}

export function overallCell(dists: KeyDistributions, breakdown = false) {
  return rateCell(dists.overall ?? emptyDistribution(), { breakdown });
}

export interface TargetCandidate extends TargetRef {
  /** Materialised path of the unit the target is set on: it applies to that subtree. */
  unitPath: string;
  serviceAreaCode: string | null;
  validFrom: string;
  validTo: string;
}

/**
 * The satisfaction target that applies to a unit (and a service area, when
 * given) in a period: set on the unit or above it, valid at some time in the
 * period. A target naming the service area beats one for all areas ("≥ 85%
 * for land" over "≥ 90%"); then the nearest unit; then the latest.
 */
export function applicableTarget(
  targets: readonly TargetCandidate[],
  unitPath: string,
  serviceArea: string | null,
  from: string,
  to: string,
): TargetRef | null {
  const fits = targets.filter(
    (t) =>
      unitPath.startsWith(t.unitPath) &&
      (t.serviceAreaCode === null || t.serviceAreaCode === serviceArea) &&
      t.validFrom <= to &&
      t.validTo >= from,
  );
  fits.sort(
    (a, b) =>
      Number(b.serviceAreaCode !== null) - Number(a.serviceAreaCode !== null) ||
      b.unitPath.length - a.unitPath.length ||
      b.validFrom.localeCompare(a.validFrom),
  );
  const best = fits[0];
  return best
    ? {
        id: best.id,
        comparison: best.comparison as Comparison,
        threshold: best.threshold,
        sourcePlan: best.sourcePlan,
        sourceClause: best.sourceClause,
      }
    : null;
}
