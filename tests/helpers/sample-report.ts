import type { FactorCell, SatisfactionReport, TargetRef, TrendReport } from '../../analysis/report-types.ts';
import { judge } from '../../analysis/verdict.ts';
import type { ReportBundle } from '../../server/features/reports/exports/report-model.ts';

// A satisfaction report built by hand (the figures are the worked Wilson
// intervals of methodology.md), for testing what renders a report without a
// database: charts, tables, CSV, XLSX and PDF.

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

/** The target and the verdict fields as the report service computes them. */
const judged = (satisfied: number | null, n: number, target: TargetRef) => ({ target, ...judge(satisfied, n, target) });

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
        dossiers: null,
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
        dossiers: null,
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
        dossiers: null,
      },
    ],
    childrenPooledRate: 0.95,
    flaggedExcluded: 4,
    channels: { qr: 250, paper: 40, kiosk: 10 },
    responseRate: null,
    dossiers: null,
    dossierMonths: [],
    dossierNote: 'no_volumes',
    weightedRate: null,
    qd766: null,
    targets: [],
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
  };
}
