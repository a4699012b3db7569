import { weightedRate } from '../../analysis/dossiers.ts';
import type {
  DossierFiguresView,
  FactorCell,
  SatisfactionReport,
  TargetRef,
  TargetResult,
  TrendReport,
} from '../../analysis/report-types.ts';
import { judge } from '../../analysis/verdict.ts';
import type { ReportBundle } from '../../server/features/reports/exports/report-model.ts';

// A satisfaction report built by hand (the figures are the worked Wilson
// intervals of methodology.md; the dossier figures are worked out beside
// them), for testing what renders a report without a database: charts,
// tables, CSV, XLSX, PDF and DOCX.

const factors = (rates: [number, number, number, number, number], n = 300): FactorCell[] =>
  (['access', 'procedure', 'staff', 'result', 'feedback'] as const).map((key, i) => ({
    key,
    rate: rates[i] ?? null,
    n,
    suppressed: false,
  }));

export const TARGET_90 = {
  id: 1,
  comparison: 'gte' as const,
  threshold: 0.9,
  sourcePlan: 'Kế hoạch CCHC năm 2026',
  sourceClause: 'Mục II.2',
};

/**
 * Dossier figures from counts, as the report service derives them (methodology §6),
 * with the rates and the sample worked out by hand beside each use.
 */
function dossiers(
  received: number,
  [early, onTime, late]: [number, number, number],
  [pending, overdue]: [number, number],
  responses: number,
  sampleNeeded: number,
): DossierFiguresView {
  const resolved = early + onTime + late;
  return {
    received,
    resolved,
    pending,
    resolvedEarly: early,
    resolvedOnTime: onTime,
    resolvedLate: late,
    pendingOverdue: overdue,
    onTimeRate: (early + onTime) / resolved,
    earlyRate: early / resolved,
    lateRate: late / resolved,
    responseRate: responses / resolved,
    sampleNeeded,
    sampleShortfall: Math.max(0, sampleNeeded - responses),
  };
}

/** The target and the verdict fields as the report service computes them. */
const judged = (satisfied: number | null, n: number, target: TargetRef) => ({ target, ...judge(satisfied, n, target) });

function target(
  id: number,
  metric: TargetResult['metric'],
  serviceArea: string | null,
  comparison: TargetResult['comparison'],
  threshold: number,
  value: number | null,
  verdict: TargetResult['verdict'],
  sourceClause: string | null,
): TargetResult {
  return {
    id,
    metric,
    factorKey: null,
    serviceArea,
    comparison,
    threshold,
    value,
    verdict,
    sourcePlan: TARGET_90.sourcePlan,
    sourceClause,
  };
}

export function sampleReport(): SatisfactionReport {
  return {
    unit: { id: 7, code: 'hoi-an-dong', name: 'Phường Hội An Đông' },
    from: '2026-01-01',
    to: '2026-03-31',
    timezone: 'Asia/Ho_Chi_Minh',
    serviceArea: null,
    overall: {
      n: 300,
      satisfied: 270,
      rate: 0.9,
      ci95: [0.861, 0.929],
      mean: 4.3,
      distribution: { '1': 6, '2': 9, '3': 15, '4': 120, '5': 150 },
      smallSample: false,
      suppressed: false,
      ...judged(270, 300, TARGET_90),
    },
    composite: { value: 0.89, ci95: [0.86, 0.92] },
    factors: factors([0.92, 0.88, 0.95, 0.9, 0.8]),
    serviceAreas: [
      {
        code: 'dat-dai',
        name: 'Đất đai',
        n: 50,
        satisfied: 45,
        rate: 0.9,
        ci95: [0.786, 0.957],
        mean: 4.2,
        distribution: { '1': 1, '2': 2, '3': 2, '4': 20, '5': 25 },
        smallSample: false,
        suppressed: false,
        ...judged(45, 50, { ...TARGET_90, id: 2, threshold: 0.85 }),
        factors: factors([0.9, 0.84, 0.96, 0.9, 0.7], 50),
        // 660 of 760 on time (86,8%), 100 late (13,2%); 50 / 760 = 6,6%; ⌈760 / 2,9⌉ = 263 needed, 213 short.
        dossiers: dossiers(800, [100, 560, 100], [60, 12], 50, 263),
      },
      {
        code: 'ho-tich',
        name: '=HYPERLINK("x") <Hộ tịch> & "khai sinh"',
        n: 20,
        satisfied: 18,
        rate: 0.9,
        ci95: [0.699, 0.972],
        mean: 4.4,
        distribution: { '1': 0, '2': 1, '3': 1, '4': 8, '5': 10 },
        smallSample: true,
        suppressed: false,
        ...judged(18, 20, TARGET_90),
        factors: factors([0.95, 0.9, 1, 0.95, 0.85], 20),
        // All 1.500 on time, 900 early (60%); 20 / 1.500 = 1,3%; ⌈1.500 / 4,75⌉ = 316 needed, 296 short.
        dossiers: dossiers(1500, [900, 600, 0], [20, 0], 20, 316),
      },
      {
        code: 'chung-thuc',
        name: 'Chứng thực',
        n: 3,
        satisfied: 3,
        rate: null,
        ci95: null,
        mean: null,
        distribution: null,
        smallSample: true,
        suppressed: true,
        ...judged(null, 3, TARGET_90),
        factors: [],
        dossiers: null,
      },
    ],
    children: [
      {
        unit: { id: 8, code: 'tt-hoi-an-dong', name: 'Trung tâm Phục vụ hành chính công phường Hội An Đông' },
        n: 100,
        satisfied: 95,
        rate: 0.95,
        ci95: [0.888, 0.978],
        mean: 4.6,
        distribution: { '1': 1, '2': 1, '3': 3, '4': 40, '5': 55 },
        smallSample: false,
        suppressed: false,
        ...judged(95, 100, TARGET_90),
        comparison: 'within',
        // 2.900 of 3.000 on time (96,7%); 100 / 3.000 = 3,3%; ⌈3.000 / 8,5⌉ = 353 needed, 253 short.
        dossiers: dossiers(3100, [1100, 1800, 100], [250, 20], 100, 353),
      },
    ],
    childrenPooledRate: 0.95,
    flaggedExcluded: 4,
    channels: { qr: 250, paper: 40, kiosk: 10 },
    responseRate: 300 / 3400,
    // 3.230 of 3.400 on time (95%), 1.200 early (35,3%), 170 late (5%); 300 / 3.400 = 8,8%;
    // ⌈3.400 / 9,5⌉ = 358 needed, 58 short. Chứng thực has no volumes.
    dossiers: dossiers(3500, [1200, 2030, 170], [300, 25], 300, 358),
    dossierMonths: ['2026-01', '2026-02', '2026-03'],
    dossierNote: null,
    // Đất đai (760 resolved, 45/50) and Hộ tịch (1.500, 18/20): both 90%, so 90% whatever the weights.
    weightedRate: weightedRate([
      { resolved: 760, satisfied: 45, n: 50 },
      { resolved: 1500, satisfied: 18, n: 20 },
    ]),
    qd766: {
      // D = 3.400 + 300 = 3.700, L = 170 + 25 = 195, X = 200: 3.305 / 3.700 = 89,3%; 6 × 0,8932 / 0,9 = 5,95.
      handlingSatisfaction: { rate: 3305 / 3700, score: (6 * (3305 / 3700)) / 0.9 },
      // 9 of 12 complaints on time: 75%, 4,5 points.
      complaintsOnTime: { rate: 0.75, score: 4.5 },
    },
    targets: [
      target(1, 'satisfaction_rate', null, 'gte', 0.9, 0.9, judge(270, 300, TARGET_90).verdict, 'Mục II.2'),
      target(2, 'satisfaction_rate', 'dat-dai', 'gte', 0.85, 0.9, 'likely_met', 'Mục II.2'),
      target(3, 'on_time_rate', null, 'gte', 0.9, 0.95, 'met', 'Mục II.3'),
      target(4, 'late_rate', null, 'lte', 0.02, 0.05, 'not_met', 'Mục II.3'),
      target(5, 'on_time_rate', 'xay-dung', 'gte', 0.95, null, 'no_data', 'Mục II.3'),
      target(6, 'training_rate', null, 'gte', 1, null, 'no_data', null),
    ],
    wordingChanged: ['staff'],
  };
}

export function sampleTrend(): TrendReport {
  const point = (period: string, from: string, to: string, n: number, satisfied: number, ci: [number, number]) => ({
    period,
    from,
    to,
    overall: {
      n,
      satisfied,
      rate: satisfied / n,
      ci95: ci,
      mean: 4.2,
      distribution: null,
      smallSample: n < 30,
      suppressed: false,
    },
    change: null,
  });
  const points = [
    point('2025-Q2', '2025-04-01', '2025-06-30', 10, 9, [0.596, 0.982]),
    point('2025-Q3', '2025-07-01', '2025-09-30', 100, 95, [0.888, 0.978]),
    point('2025-Q4', '2025-10-01', '2025-12-31', 50, 45, [0.786, 0.957]),
    point('2026-Q1', '2026-01-01', '2026-03-31', 300, 270, [0.861, 0.929]),
  ];
  return {
    unit: { id: 7, code: 'hoi-an-dong', name: 'Phường Hội An Đông' },
    from: '2025-04-01',
    to: '2026-03-31',
    interval: 'quarter',
    timezone: 'Asia/Ho_Chi_Minh',
    serviceArea: null,
    points: points.map((p, i) =>
      i === 3
        ? {
            ...p,
            change: {
              difference: -0.05,
              ci95: [-0.09, 0.01] as [number, number],
              direction: 'no_significant_change' as const,
            },
          }
        : p,
    ),
  };
}

export function sampleBundle(): ReportBundle {
  return {
    report: sampleReport(),
    trend: sampleTrend(),
    periodLabel: 'Quý I/2026',
    serviceAreaName: null,
    feedback: { opened: 10, handled: 8, handledOnTime: 6, praise: 3, handledRate: 0.8, onTimeRate: 0.75 },
    issuedAt: new Date('2026-04-05T03:00:00Z'),
    serviceAreaNames: { 'xay-dung': 'Xây dựng' },
  };
}

/** The sample without dossier volumes, for the reason given. */
export function sampleWithoutVolumes(note: 'partial_month' | 'no_volumes') {
  const b = sampleBundle();
  const r = b.report;
  b.report = {
    ...r,
    to: note === 'partial_month' ? '2026-03-15' : r.to,
    responseRate: null,
    dossiers: null,
    dossierMonths: [],
    dossierNote: note,
    weightedRate: null,
    qd766: null,
    serviceAreas: r.serviceAreas.map((a) => ({ ...a, dossiers: null })),
    children: r.children.map((c) => ({ ...c, dossiers: null })),
    targets: r.targets.map((x) =>
      x.metric.endsWith('time_rate') || x.metric.endsWith('late_rate') || x.metric === 'early_rate'
        ? { ...x, value: null, verdict: 'no_data' as const }
        : x,
    ),
  };
  return b;
}
