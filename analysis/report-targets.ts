import type { TargetCandidate } from './report-build.ts';
import {
  type DossierFiguresView,
  type FactorCell,
  TargetMetricSchema,
  type TargetResult,
  type TargetVerdict,
} from './report-types.ts';
import { exactVerdict, judge } from './verdict.ts';

// Every plan target that applies to a report, whatever it measures, each
// held against the figure it names (methodology §3, §5, §6). Pure: the
// report service gathers the figures and hands them here.

type Metric = TargetResult['metric'];

export interface PlanTarget extends TargetCandidate {
  metric: Metric;
  factorKey: string | null;
}

/**
 * The targets that apply to the unit at `unitPath` in the period: set on it
 * or above it (a province's target binds its communes; one set on a child
 * binds only the child), valid on some day of the period, and for every
 * service area or one the report covers (with `serviceArea` given, only that
 * one). In the order of the metrics, then the area (every area first), then
 * the threshold, so that the page reads the same each time.
 */
export function targetsThatApply(
  targets: readonly PlanTarget[],
  unitPath: string,
  serviceArea: string | null,
  from: string,
  to: string,
): PlanTarget[] {
  const order = TargetMetricSchema.options;
  return targets
    .filter(
      (t) =>
        unitPath.startsWith(t.unitPath) &&
        t.validFrom <= to &&
        t.validTo >= from &&
        (serviceArea === null || t.serviceAreaCode === null || t.serviceAreaCode === serviceArea),
    )
    .sort(
      (a, b) =>
        order.indexOf(a.metric) - order.indexOf(b.metric) ||
        (a.serviceAreaCode ?? '').localeCompare(b.serviceAreaCode ?? '') ||
        a.threshold - b.threshold ||
        a.id - b.id,
    );
}

/** The figures of the report's scope, or of one service area in it, that targets are held against. */
export interface TargetFigures {
  /** The overall item's cell: satisfied is null when suppressed. */
  survey: { satisfied: number | null; n: number };
  factors: readonly FactorCell[];
  dossiers: DossierFiguresView | null;
  /** Feedback of the period (every item counted); null when not read. */
  feedback: { handledRate: number | null; onTimeRate: number | null } | null;
}

/** A figure that counts every case (dossiers, feedback): met or not met exactly, no_data without one. */
function exact(value: number | null | undefined, t: PlanTarget): { value: number | null; verdict: TargetVerdict } {
  if (value === null || value === undefined) return { value: null, verdict: 'no_data' };
  return { value, verdict: exactVerdict(value, t) };
}

function measure(t: PlanTarget, f: TargetFigures | undefined): { value: number | null; verdict: TargetVerdict } {
  switch (t.metric) {
    case 'satisfaction_rate': {
      // A sample: the same judgement as the headline. Without a single answer there is nothing to judge.
      if (!f || f.survey.n === 0) return { value: null, verdict: 'no_data' };
      const { satisfied, n } = f.survey;
      return { value: satisfied === null ? null : satisfied / n, verdict: judge(satisfied, n, t).verdict };
    }
    case 'factor_rate': {
      // A factor index is a mean of item rates with no interval of its own in the method (methodology §3
      // gives one to item rates and the composite only), so a verdict would claim more than the figures
      // allow: the value is shown, the verdict stays unclear.
      const cell = f?.factors.find((c) => c.key === t.factorKey);
      if (!cell || cell.n === 0) return { value: null, verdict: 'no_data' };
      return { value: cell.suppressed ? null : cell.rate, verdict: 'unclear' };
    }
    case 'on_time_rate':
      return exact(f?.dossiers?.onTimeRate, t);
    case 'early_rate':
      return exact(f?.dossiers?.earlyRate, t);
    case 'late_rate':
      return exact(f?.dossiers?.lateRate, t);
    case 'feedback_handled_rate':
      return exact(f?.feedback?.handledRate, t);
    case 'feedback_on_time_rate':
      return exact(f?.feedback?.onTimeRate, t);
    case 'training_rate':
      // Training is not recorded on this platform.
      return { value: null, verdict: 'no_data' };
  }
}

/** A target with its measured value and verdict, in the key order of TargetResultSchema. */
export function targetResult(t: PlanTarget, figures: TargetFigures | undefined): TargetResult {
  const { value, verdict } = measure(t, figures);
  return {
    id: t.id,
    metric: t.metric,
    factorKey: t.factorKey,
    serviceArea: t.serviceAreaCode,
    comparison: t.comparison,
    threshold: t.threshold,
    value,
    verdict,
    sourcePlan: t.sourcePlan,
    sourceClause: t.sourceClause,
  };
}
