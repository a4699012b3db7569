import { z } from 'zod';
import { FACTORS } from '../surveys/schema.ts';

// The satisfaction report: the JSON the report API returns, and what the
// dashboard and the exports render. Rates are fractions 0..1; dates are
// inclusive calendar days in Asia/Ho_Chi_Minh. One source of truth for the
// shape: these schemas. The service builds a report, the API declares and
// sends it (and documents it in /api/v1/openapi.json), views and exports read
// it; the types below are inferred from the schemas, never written twice.
// The key order of each schema is the order the API sends.

const UnitRef = z.object({ id: z.number().int(), code: z.string(), name: z.string() });
const Interval = z.tuple([z.number(), z.number()]).meta({ description: '95% interval, fractions 0..1.' });
const count = z.number().int();

export const VerdictSchema = z.enum(['met', 'likely_met', 'unclear', 'likely_not_met', 'not_met', 'no_target']).meta({
  description:
    'met / not_met: the whole 95% Wilson interval is on one side of the target; in between, by probabilityMet: ' +
    'likely_met (≥ 0.80), likely_not_met (≤ 0.20), else unclear. Suppressed cells are unclear.',
});
export type Verdict = z.infer<typeof VerdictSchema>;
export const ComparisonSchema = z.enum(['gte', 'gt', 'lte', 'lt']);
export type Comparison = z.infer<typeof ComparisonSchema>;

const TargetRefSchema = z.object({
  id: z.number().int(),
  comparison: ComparisonSchema,
  threshold: z.number().meta({ description: 'A proportion 0..1.' }),
  sourcePlan: z.string(),
  sourceClause: z.string().nullable(),
});
export type TargetRef = z.infer<typeof TargetRefSchema>;

/** Answers 1..5 of an item; the keys are always "1".."5". */
const DistributionSchema = z.object({ '1': count, '2': count, '3': count, '4': count, '5': count });
export type Distribution = z.infer<typeof DistributionSchema>;

/** A rate with everything shown beside it. Suppressed cells carry no figures. */
const Cell = {
  n: count,
  /** null when suppressed: with n < 5 it could tell how two or three people answered. */
  satisfied: count.nullable(),
  rate: z.number().nullable(),
  ci95: Interval.nullable(),
  mean: z.number().nullable(),
  distribution: DistributionSchema.nullable(),
  smallSample: z.boolean().meta({ description: 'n < 30' }),
  suppressed: z
    .boolean()
    .meta({ description: 'n < 5 in a breakdown cell: figures withheld for privacy (still counted in parents).' }),
};
const RateCellSchema = z
  .object(Cell)
  .meta({ id: 'RateCell', description: 'Suppressed cells (n < 5) carry no figures.' });
export type RateCell = z.infer<typeof RateCellSchema>;

const FactorCellSchema = z.object({
  key: z.enum(FACTORS),
  rate: z.number().nullable().meta({ description: 'Factor index: mean of its item rates.' }),
  n: count.meta({ description: 'Valid answers summed over its items.' }),
  suppressed: z.boolean(),
});
export type FactorCell = z.infer<typeof FactorCellSchema>;

const judged = {
  target: TargetRefSchema.nullable(),
  verdict: VerdictSchema,
  probabilityMet: z.number().nullable().meta({
    description:
      'P(p ≥ T) (P(p ≤ T) for "at most" targets) under Beta(s + ½, n − s + ½); null without a target, answers, or when suppressed.',
  }),
  moreResponsesNeeded: count.nullable().meta({
    description:
      'How many more responses at the same rate would make the verdict met or not_met: 0 when it is; null when n = 0, the rate equals the target, or more than 1,000,000.',
  }),
};

const rate = z.number().nullable();
export const DossierFiguresSchema = z
  .object({
    received: count.meta({ description: 'Received in the period: online + in person or by post (not carried over).' }),
    resolved: count.meta({ description: 'early + on time + late' }),
    pending: count.meta({ description: 'Still in progress at the end of the period: within the deadline + overdue.' }),
    resolvedEarly: count,
    resolvedOnTime: count,
    resolvedLate: count,
    pendingOverdue: count,
    onTimeRate: rate.meta({ description: '(early + on time) / resolved; null with nothing resolved.' }),
    earlyRate: rate.meta({ description: 'early / resolved' }),
    lateRate: rate.meta({ description: 'late / resolved' }),
    responseRate: rate.meta({
      description: 'Survey responses counted in the index (same unit, area, period) / resolved; not capped at 1.',
    }),
    sampleNeeded: count.meta({ description: '⌈N / (1 + N·0.05²)⌉, N = resolved (SIPAS practice).' }),
    sampleShortfall: count.meta({ description: 'max(0, sampleNeeded − responses)' }),
  })
  .meta({
    id: 'DossierFigures',
    description:
      'Counts of every dossier from the one-stop software (methodology §6): no sample, no interval. ' +
      "Months add up; pending is the last month's, carried over the first month's.",
  });
export type DossierFiguresView = z.infer<typeof DossierFiguresSchema>;

const dossiers = DossierFiguresSchema.nullable().meta({
  description: 'null without volumes for the period, or when the period cuts a month (see dossierNote).',
});

export const TargetMetricSchema = z.enum([
  'satisfaction_rate',
  'factor_rate',
  'on_time_rate',
  'early_rate',
  'late_rate',
  'feedback_handled_rate',
  'feedback_on_time_rate',
  'training_rate',
]);
export const TargetVerdictSchema = z.enum([...VerdictSchema.options, 'no_data']).meta({
  description:
    'Survey rates: as verdict. Dossier and feedback rates count every case: met or not_met exactly. ' +
    'no_data: nothing measured for the period (no volumes; training is not recorded here).',
});
export type TargetVerdict = z.infer<typeof TargetVerdictSchema>;

const TargetResultSchema = z
  .object({
    id: z.number().int(),
    metric: TargetMetricSchema,
    factorKey: z.string().nullable(),
    serviceArea: z.string().nullable().meta({ description: 'null: every service area.' }),
    comparison: ComparisonSchema,
    threshold: z.number().meta({ description: 'A proportion 0..1.' }),
    value: z.number().nullable().meta({ description: 'The measured figure, null without data.' }),
    verdict: TargetVerdictSchema,
    sourcePlan: z.string(),
    sourceClause: z.string().nullable(),
  })
  .meta({ id: 'TargetResult' });
export type TargetResult = z.infer<typeof TargetResultSchema>;

export const UnitComparisonSchema = z.enum(['above', 'within', 'below']).meta({
  description:
    'Against the pooled rate of the children shown, outside the 95% funnel limits (methodology §3); null when suppressed or no answers.',
});
export type UnitComparison = z.infer<typeof UnitComparisonSchema>;

const ServiceAreaCellSchema = z.object({
  code: z.string(),
  name: z.string(),
  ...Cell,
  ...judged,
  factors: z.array(FactorCellSchema),
  dossiers,
});
export type ServiceAreaCell = z.infer<typeof ServiceAreaCellSchema>;

const ChildCellSchema = z.object({
  unit: UnitRef,
  ...Cell,
  ...judged,
  comparison: UnitComparisonSchema.nullable(),
  dossiers,
});
export type ChildCell = z.infer<typeof ChildCellSchema>;

export const SatisfactionReportSchema = z
  .object({
    unit: UnitRef,
    from: z.string().meta({ description: 'yyyy-mm-dd, inclusive' }),
    to: z.string(),
    timezone: z.literal('Asia/Ho_Chi_Minh'),
    serviceArea: z.string().nullable(),
    overall: z.object({ ...Cell, ...judged }).meta({ description: 'The headline: the `overall` item.' }),
    composite: z.object({ value: z.number().nullable(), ci95: Interval.nullable() }),
    factors: z.array(FactorCellSchema),
    serviceAreas: z.array(ServiceAreaCellSchema),
    children: z.array(ChildCellSchema),
    childrenPooledRate: z.number().nullable().meta({
      description: 'Σ satisfied / Σ n over the children compared (n ≥ 5): the centre of the funnel plot.',
    }),
    flaggedExcluded: count.meta({
      description: 'Responses flagged as suspect in the period, left out of every figure.',
    }),
    channels: z
      .record(z.string(), count)
      .meta({ description: 'Responses by channel (qr, code, kiosk, paper, link, api).' }),
    responseRate: z
      .number()
      .nullable()
      .meta({ description: 'The same as dossiers.responseRate (kept for clients of the first version).' }),
    dossiers,
    dossierMonths: z.array(z.string()).meta({ description: 'YYYY-MM months of the period with volumes.' }),
    dossierNote: z.enum(['partial_month', 'no_volumes']).nullable().meta({
      description:
        'Why dossiers is null: the period cuts a calendar month (volumes are monthly), or no volumes were imported.',
    }),
    weightedRate: z.object({ rate: z.number(), ci95: Interval }).nullable().meta({
      description:
        'Survey rate weighted by resolved dossiers per area, over areas with volumes and n ≥ 5 (methodology §6).',
    }),
    qd766: z
      .object({
        handlingSatisfaction: z.object({ rate: z.number(), score: z.number() }).nullable().meta({
          description: '5.4: (D − L − X) / D of dossiers; score min(6, 6·R/0.90). null without X.',
        }),
        complaintsOnTime: z.object({ rate: z.number().nullable(), score: z.number() }).nullable().meta({
          description: '5.2: complaints handled on time / complaints; score 6 × that, 6 with none (rate null).',
        }),
      })
      .nullable()
      .meta({
        description:
          'QĐ 766/QĐ-TTg (2022) satisfaction indicators: their denominator is dossiers, never mixed with the survey rate.',
      }),
    targets: z.array(TargetResultSchema).meta({
      description: 'Every plan target that applies to the unit (set on it or above) and the period, any metric.',
    }),
    wordingChanged: z.array(z.string()).meta({
      description: 'Indicator keys whose wording changed between survey versions used in the period.',
    }),
  })
  .meta({ id: 'SatisfactionReport' });
export type SatisfactionReport = z.infer<typeof SatisfactionReportSchema>;

const TrendPointSchema = z.object({
  period: z.string().meta({ description: '2026-03 or 2026-Q1' }),
  from: z.string(),
  to: z.string(),
  overall: RateCellSchema,
  change: z
    .object({
      difference: z.number(),
      ci95: Interval,
      direction: z.enum(['improved', 'declined', 'no_significant_change']),
    })
    .nullable()
    .meta({ description: 'Against the previous point: difference of rates with its Newcombe 95% interval.' }),
});
export type TrendPoint = z.infer<typeof TrendPointSchema>;

export const TrendReportSchema = z
  .object({
    unit: UnitRef,
    from: z.string(),
    to: z.string(),
    interval: z.enum(['month', 'quarter']),
    timezone: z.literal('Asia/Ho_Chi_Minh'),
    serviceArea: z.string().nullable(),
    points: z.array(TrendPointSchema),
  })
  .meta({ id: 'TrendReport' });
export type TrendReport = z.infer<typeof TrendReportSchema>;
