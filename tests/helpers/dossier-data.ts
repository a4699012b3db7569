import type { Test } from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { insertUnit } from '../../server/features/organisation/unit-repository.ts';
import { insertResponsesBulk } from '../../server/features/submission/response-repository.ts';
import { importVolumes } from '../../server/features/volumes/volume-service.ts';
import type { Actor } from '../../server/platform/auth/scope.ts';
import type { Answer } from '../../surveys/answers.ts';
import { bulkRow, quickVersionId } from './aggregate-data.ts';
import { createCentre, unitCode } from './fixtures.ts';
import { testApp } from './harness.ts';

// The dataset of tests/report-dossiers.test.ts: a commune with two centres,
// three months of dossier volumes, survey answers and plan targets of every
// metric; and the figures the report must give, worked out here from the
// raw counts (not by analysis/dossiers.ts).

/** One month of one unit and area: the columns of Biểu II.06a, then the optional counts. */
interface Raw {
  online: number;
  direct: number;
  carried: number;
  early: number;
  onTime: number;
  late: number;
  pendingOnTime: number;
  pendingOverdue: number;
  dissatisfied: number;
  complaints: number;
  complaintsOnTime: number;
}
const raw = (...v: number[]): Raw => {
  const [online, direct, carried, early, onTime, late, pendingOnTime, pendingOverdue, dissatisfied, complaints, cot] =
    v as [number, number, number, number, number, number, number, number, number, number, number];
  return {
    online,
    direct,
    carried,
    early,
    onTime,
    late,
    pendingOnTime,
    pendingOverdue,
    dissatisfied,
    complaints,
    complaintsOnTime: cot,
  };
};

type UnitKey = 'c1' | 'c2';
/** unit, area → January, February, March 2026. */
export const VOLUMES: { unit: UnitKey; area: string; months: [Raw, Raw, Raw] }[] = [
  {
    unit: 'c1',
    area: 'dat-dai',
    months: [
      raw(40, 55, 10, 50, 40, 2, 12, 1, 3, 2, 2),
      raw(44, 50, 13, 60, 35, 1, 9, 2, 1, 1, 0),
      raw(60, 50, 11, 55, 50, 1, 15, 0, 2, 0, 0),
    ],
  },
  {
    unit: 'c1',
    area: 'ho-tich',
    months: [
      raw(51, 50, 5, 80, 20, 0, 6, 0, 0, 1, 1),
      raw(48, 50, 6, 70, 30, 0, 4, 0, 1, 0, 0),
      raw(60, 50, 4, 90, 16, 0, 8, 0, 0, 0, 0),
    ],
  },
  {
    unit: 'c2',
    area: 'ho-tich',
    months: [
      raw(30, 47, 0, 40, 30, 1, 5, 1, 2, 1, 0),
      raw(40, 48, 6, 50, 40, 1, 3, 0, 0, 0, 0),
      raw(70, 54, 3, 60, 60, 1, 2, 1, 1, 1, 1),
    ],
  },
  {
    unit: 'c2',
    area: 'chung-thuc',
    months: [
      raw(20, 20, 2, 30, 10, 1, 1, 0, 0, 0, 0),
      raw(22, 22, 1, 30, 15, 0, 0, 0, 0, 0, 0),
      raw(14, 20, 0, 20, 11, 0, 3, 0, 0, 0, 0),
    ],
  },
];
export const MONTHS = ['2026-01', '2026-02', '2026-03'];

/**
 * The period's counts of the groups kept, by hand: each unit × area's flows
 * summed over the months, its carried over from its first month and its
 * pending from its last; then the groups added up.
 */
export function expectedCounts(keep: (g: (typeof VOLUMES)[number]) => boolean, monthIndexes: number[]) {
  const out = { received: 0, resolved: 0, early: 0, onTime: 0, late: 0, pending: 0, overdue: 0, carried: 0 };
  const extra = { dissatisfied: 0, complaints: 0, complaintsOnTime: 0 };
  for (const g of VOLUMES.filter(keep)) {
    const ms = monthIndexes.map((i) => g.months[i]!);
    for (const m of ms) {
      out.received += m.online + m.direct;
      out.early += m.early;
      out.onTime += m.onTime;
      out.late += m.late;
      out.resolved += m.early + m.onTime + m.late;
      extra.dissatisfied += m.dissatisfied;
      extra.complaints += m.complaints;
      extra.complaintsOnTime += m.complaintsOnTime;
    }
    out.carried += ms[0]!.carried;
    out.pending += ms.at(-1)!.pendingOnTime + ms.at(-1)!.pendingOverdue;
    out.overdue += ms.at(-1)!.pendingOverdue;
  }
  return { ...out, ...extra };
}

/** ⌈N / (1 + N·0,05²)⌉ = ⌈400·N / (400 + N)⌉, in whole numbers. */
export const sampleNeeded = (n: number) => Math.floor((400 * n + 400 + n - 1) / (400 + n));

/** What the API must say for the groups kept, with `responses` counted in the index. */
export function expectedDossiers(c: ReturnType<typeof expectedCounts>, responses: number) {
  const needed = sampleNeeded(c.resolved);
  return {
    received: c.received,
    resolved: c.resolved,
    pending: c.pending,
    resolvedEarly: c.early,
    resolvedOnTime: c.onTime,
    resolvedLate: c.late,
    pendingOverdue: c.overdue,
    onTimeRate: (c.early + c.onTime) / c.resolved,
    earlyRate: c.early / c.resolved,
    lateRate: c.late / c.resolved,
    responseRate: responses / c.resolved,
    sampleNeeded: needed,
    sampleShortfall: Math.max(0, needed - responses),
  };
}

const answers = (overall: number): Answer[] => [
  ...['access', 'procedure', 'staff', 'result', 'feedback'].map((key): Answer => ({ key, kind: 'scale', value: 4 })),
  { key: 'overall', kind: 'scale', value: overall },
];
/** Local noon on the 10th of a month of 2026. */
const inMonth = (month: number) => new Date(Date.UTC(2026, month - 1, 10, 5));

/** Survey answers: [unit, area, overall scores]. Spread over January–March. */
const SURVEY: [UnitKey, string, number[]][] = [
  ['c1', 'dat-dai', [...Array(10).fill(5), ...Array(8).fill(4), 2, 2]], // 18 of 20
  ['c1', 'ho-tich', [...Array(9).fill(5), 3]], // 9 of 10
  ['c2', 'ho-tich', [5, 5, 5, 5, 2, 2]], // 4 of 6: ho-tich 13 of 16 in all
  ['c2', 'chung-thuc', [5, 5, 5]], // 3: a suppressed area
];

const admin: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'test' };

export async function dossierDataset(t: Test) {
  const { app, db } = await testApp(t);
  const place = await createCentre(db, 'Xã Đình Lập Thử');
  const c2 = await insertUnit(db, {
    code: `tt2-${place.communeId}`,
    name: 'Điểm tiếp nhận 2',
    kind: 'centre',
    parent_id: place.communeId,
  });
  const ids: Record<UnitKey, number> = { c1: place.centreId, c2 };
  const codes: Record<UnitKey, string> = { c1: await unitCode(db, ids.c1), c2: await unitCode(db, c2) };
  const result = await importVolumes(
    db,
    admin,
    (['c1', 'c2'] as const).flatMap((unit) =>
      MONTHS.map((month, i) => ({
        unit: codes[unit],
        month,
        ref: '',
        rows: VOLUMES.filter((g) => g.unit === unit).map((g) => {
          const m = g.months[i]!;
          return {
            ref: '',
            row: {
              serviceArea: g.area,
              receivedOnline: m.online,
              receivedDirect: m.direct,
              carriedOver: m.carried,
              resolvedEarly: m.early,
              resolvedOnTime: m.onTime,
              resolvedLate: m.late,
              pendingOnTime: m.pendingOnTime,
              pendingOverdue: m.pendingOverdue,
              dissatisfiedOrComplained: m.dissatisfied,
              complaints: m.complaints,
              complaintsOnTime: m.complaintsOnTime,
            },
          };
        }),
      })),
    ),
    { source: 'api', now: new Date(Date.UTC(2026, 5, 1)) },
  );
  t.equal(result.status, 'ok', 'the volumes are stored');

  const v = await quickVersionId(db);
  const rows = SURVEY.flatMap(([unit, area, scores]) =>
    scores.map((s, i) =>
      bulkRow(v, inMonth(1 + (i % 3)), { unitId: ids[unit], deskId: null, serviceArea: area }, answers(s)),
    ),
  );
  await insertResponsesBulk(db, rows);

  const target = (unitId: number, metric: string, comparison: string, threshold: number, more = {}) => ({
    unit_id: unitId,
    service_area_code: null,
    metric,
    factor_key: null,
    comparison,
    threshold,
    valid_from: '2026-01-01',
    valid_to: '2026-12-31',
    source_plan: `Kế hoạch ${metric}`,
    source_clause: null,
    ...more,
  });
  const commune = place.communeId;
  await db
    .insertInto('plan_target')
    .values([
      target(commune, 'satisfaction_rate', 'gte', 0.9),
      target(commune, 'on_time_rate', 'gt', 0.99, {
        source_plan: 'Kế hoạch CCHC năm 2026 của UBND xã Đình Lập',
        source_clause: 'Mục II.3',
      }),
      target(commune, 'late_rate', 'lt', 0.01),
      target(commune, 'early_rate', 'gte', 0.8, { service_area_code: 'dat-dai' }),
      target(commune, 'feedback_handled_rate', 'gte', 1),
      target(commune, 'feedback_on_time_rate', 'gte', 1),
      target(commune, 'training_rate', 'gte', 1),
      target(commune, 'factor_rate', 'gte', 0.9, { factor_key: 'staff' }),
      target(place.provinceId, 'satisfaction_rate', 'gte', 0.85, { service_area_code: 'ho-tich' }),
      // Neither applies to the commune's report: one binds only the child, one is of another year.
      target(c2, 'on_time_rate', 'gte', 0.95),
      target(commune, 'on_time_rate', 'gte', 0.5, { valid_from: '2025-01-01', valid_to: '2025-12-31' }),
    ] as never)
    .execute();

  const communeCode = await unitCode(db, commune);
  const key = (await createApiKey(db, { unitCode: communeCode, role: 'official', label: 'hồ sơ' }))!.key;
  const get = async (query: string) => {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/satisfaction?${query}`,
      headers: { authorization: `Bearer ${key}` },
    });
    t.equal(res.statusCode, 200, query);
    return res.json();
  };
  return { app, db, place, ids, codes, communeCode, get };
}
