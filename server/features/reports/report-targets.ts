import {
  type PlanTarget,
  type TargetFigures,
  targetResult,
  targetsThatApply,
} from '../../../analysis/report-targets.ts';
import type { SatisfactionReport, TargetResult } from '../../../analysis/report-types.ts';
import type { Db } from '../../platform/db/connect.ts';
import { feedbackFiguresForPeriod } from '../feedback/feedback-service.ts';
import { listTargetsAbove, listTargetsInSubtree } from '../targets/target-repository.ts';

// The plan targets of a report: every target set on the unit or above it,
// whatever it measures, held against the report's own figures (survey,
// dossiers) or the feedback inbox's for the same unit and period.

/** Targets set above the scope (they bind it) and in its subtree (they bind its children's cells). */
export async function planTargets(db: Db, scopePath: string): Promise<PlanTarget[]> {
  const rows = [...(await listTargetsAbove(db, scopePath)), ...(await listTargetsInSubtree(db, scopePath))];
  return rows.map((t) => ({
    id: t.id,
    metric: t.metric,
    factorKey: t.factorKey,
    comparison: t.comparison,
    threshold: t.threshold,
    sourcePlan: t.sourcePlan,
    sourceClause: t.sourceClause,
    unitPath: t.unitPath,
    serviceAreaCode: t.serviceAreaCode,
    validFrom: t.validFrom,
    validTo: t.validTo,
  }));
}

const FEEDBACK_METRICS = new Set<string>(['feedback_handled_rate', 'feedback_on_time_rate']);

type Built = Pick<SatisfactionReport, 'unit' | 'from' | 'to' | 'serviceArea' | 'overall' | 'factors' | 'dossiers'> & {
  serviceAreas: readonly Pick<
    SatisfactionReport['serviceAreas'][number],
    'code' | 'satisfied' | 'n' | 'factors' | 'dossiers'
  >[];
};

/**
 * The `targets` of a report built up to its dossiers. A target for every
 * area, or for the area the report is filtered to, is held against the
 * report's headline figures; one for another area against that area's
 * entry. Feedback is read only when a target asks for it, per area.
 */
export async function reportTargets(
  db: Db,
  scopePath: string,
  targets: readonly PlanTarget[],
  r: Built,
): Promise<TargetResult[]> {
  const applying = targetsThatApply(targets, scopePath, r.serviceArea, r.from, r.to);
  const areaOf = (t: PlanTarget) => (t.serviceAreaCode === r.serviceArea ? null : t.serviceAreaCode);
  const feedbackAreas = [...new Set(applying.filter((t) => FEEDBACK_METRICS.has(t.metric)).map(areaOf))];
  const feedback = new Map(
    await Promise.all(
      feedbackAreas.map(async (area) => {
        const [fb] = await feedbackFiguresForPeriod(db, {
          unitIds: [r.unit.id],
          from: r.from,
          to: r.to,
          serviceArea: area ?? r.serviceArea,
        });
        return [area, fb ? { handledRate: fb.handledRate, onTimeRate: fb.onTimeRate } : null] as const;
      }),
    ),
  );
  const figuresOf = (area: string | null): TargetFigures | undefined => {
    if (area === null) {
      const o = r.overall;
      return { survey: o, factors: r.factors, dossiers: r.dossiers, feedback: feedback.get(null) ?? null };
    }
    const a = r.serviceAreas.find((x) => x.code === area);
    return {
      survey: a ?? { satisfied: null, n: 0 },
      factors: a?.factors ?? [],
      dossiers: a?.dossiers ?? null,
      feedback: feedback.get(area) ?? null,
    };
  };
  return applying.map((t) => targetResult(t, figuresOf(areaOf(t))));
}
