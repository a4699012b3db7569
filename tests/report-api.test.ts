import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { buildSatisfactionReport, buildTrendReport } from '../server/features/reports/report-service.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import type { Answer } from '../surveys/answers.ts';
import { bulkRow, quickVersionId } from './helpers/aggregate-data.ts';
import { expectApiError } from './helpers/api.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// The report API on a dataset built here, checked field by field against a
// hand calculation (Wilson intervals computed with z = 1.959964).

const answers = (overall: number, factors = 4): Answer[] => [
  ...['access', 'procedure', 'staff', 'result'].map((key): Answer => ({ key, kind: 'scale', value: factors })),
  { key: 'feedback', kind: 'na' },
  { key: 'overall', kind: 'scale', value: overall },
];

/** Local noon of a day in April/May 2026 (Vietnam). */
const day = (month: number, d: number) => new Date(Date.UTC(2026, month - 1, d, 5));

async function dataset(t: Test) {
  const { app, db } = await testApp(t);
  const commune = await createCentre(db, 'Xã Kiểm Tra');
  // Two more centres under the same commune.
  const c2 = await insertUnit(db, {
    code: `tt2-${commune.communeId}`,
    name: 'Trung tâm 2',
    kind: 'centre',
    parent_id: commune.communeId,
  });
  const c3 = await insertUnit(db, {
    code: `tt3-${commune.communeId}`,
    name: 'Trung tâm 3',
    kind: 'centre',
    parent_id: commune.communeId,
  });
  const d1 = await insertDesk(db, {
    unitId: commune.centreId,
    code: `q1-${commune.centreId}`,
    name: 'Q1',
    serviceAreas: ['dat-dai'],
  });
  const d2 = await insertDesk(db, { unitId: c2, code: `q2-${c2}`, name: 'Q2', serviceAreas: ['ho-tich'] });
  const d3 = await insertDesk(db, { unitId: c3, code: `q3-${c3}`, name: 'Q3', serviceAreas: ['y-te'] });
  const v = await quickVersionId(db);
  const rows = [];
  // Centre 1, land: 20 answers in April, 18 satisfied (10 × 5, 8 × 4, 2 × 2).
  for (let i = 0; i < 20; i++) {
    const overall = i < 10 ? 5 : i < 18 ? 4 : 2;
    rows.push(
      bulkRow(
        v,
        day(4, 1 + (i % 20)),
        { unitId: commune.centreId, deskId: d1, serviceArea: 'dat-dai' },
        answers(overall),
      ),
    );
  }
  // Centre 2, civil status: 10 answers in May, 9 satisfied; plus 3 suspect ones, flagged below.
  for (let i = 0; i < 13; i++) {
    const overall = i < 9 ? 5 : i === 9 ? 3 : 1;
    rows.push(bulkRow(v, day(5, 2 + i), { unitId: c2, deskId: d2, serviceArea: 'ho-tich' }, answers(overall, 2)));
  }
  // Centre 3, health: 3 answers, all satisfied: a suppressed cell that still counts.
  for (let i = 0; i < 3; i++) {
    rows.push(bulkRow(v, day(5, 20), { unitId: c3, deskId: d3, serviceArea: 'y-te' }, answers(5)));
  }
  // Outside the period: 31 March 16:00 UTC is 23:00 local on 31 March.
  rows.push(
    bulkRow(
      v,
      new Date(Date.UTC(2026, 2, 31, 16)),
      { unitId: commune.centreId, deskId: d1, serviceArea: 'dat-dai' },
      answers(1),
    ),
  );
  await insertResponsesBulk(db, rows);
  await sql`update response set suspect = true, suspect_reason = 'burst'
    where id in (select r.id from response r join answer a on a.response_id = r.id
                  where r.unit_id = ${c2} and a.indicator_key = 'overall' and a.value_num = 1)`.execute(db);
  await db
    .insertInto('plan_target')
    .values([
      {
        unit_id: commune.communeId,
        service_area_code: null,
        metric: 'satisfaction_rate',
        comparison: 'gte',
        threshold: 0.9,
        valid_from: '2026-01-01',
        valid_to: '2026-12-31',
        source_plan: 'Kế hoạch chung',
      },
      {
        unit_id: commune.communeId,
        service_area_code: 'dat-dai',
        metric: 'satisfaction_rate',
        comparison: 'gte',
        threshold: 0.6,
        valid_from: '2026-01-01',
        valid_to: '2026-12-31',
        source_plan: 'Kế hoạch đất đai',
      },
    ] as never)
    .execute();
  const communeCode = await unitCode(db, commune.communeId);
  const key = (await createApiKey(db, { unitCode: communeCode, role: 'official', label: 'báo cáo' }))!.key;
  return { app, db, commune, communeCode, key, c2, c3 };
}

const close = (t: Test, actual: number | null | undefined, expected: number, msg: string) =>
  t.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 5e-6,
    `${msg}: ${actual} ≈ ${expected}`,
  );

t.test('the satisfaction report matches a hand calculation, field by field', async (t) => {
  const { app, communeCode, key, c3 } = await dataset(t);
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/reports/satisfaction?unit=${communeCode}&from=2026-04-01&to=2026-06-30`,
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(res.statusCode, 200);
  const r = res.json();
  t.equal(r.timezone, 'Asia/Ho_Chi_Minh');
  t.same([r.from, r.to], ['2026-04-01', '2026-06-30']);
  // Overall: 20 + 10 + 3 = 33 answers, 18 + 9 + 3 = 30 satisfied; suspect and out-of-period left out.
  t.equal(r.overall.n, 33);
  t.equal(r.overall.satisfied, 30);
  close(t, r.overall.rate, 30 / 33, 'rate');
  close(t, r.overall.ci95[0], 0.764274, 'Wilson lower 30/33');
  close(t, r.overall.ci95[1], 0.968596, 'Wilson upper 30/33');
  t.same(r.overall.distribution, { 1: 0, 2: 2, 3: 1, 4: 8, 5: 22 });
  close(t, r.overall.mean, (2 * 2 + 3 + 8 * 4 + 22 * 5) / 33, 'mean');
  t.equal(r.overall.smallSample, false);
  t.equal(r.overall.target.threshold, 0.9);
  // The methodology's worked row 30/33 against ≥ 90%: the interval straddles it.
  t.equal(r.overall.verdict, 'unclear', '0.764 < 0.9 ≤ 0.969, and P(p ≥ 0.9) = 0.5376');
  close(t, r.overall.probabilityMet, 0.537599, 'P(target met)');
  t.equal(r.overall.moreResponsesNeeded, 4151, 'more responses at 30/33 to settle it');
  t.equal(r.flaggedExcluded, 3);
  t.same(r.channels, { paper: 33 });

  const land = r.serviceAreas.find((a: { code: string }) => a.code === 'dat-dai');
  t.equal(land.name, 'Đất đai');
  t.equal(land.n, 20);
  close(t, land.ci95[0], 0.698966, 'land Wilson lower 18/20');
  t.equal(land.target.threshold, 0.6, 'the area-specific target applies');
  t.equal(land.verdict, 'met', '0.699 ≥ 0.6');
  t.equal(land.moreResponsesNeeded, 0, 'a firm verdict needs nothing more');
  t.equal(land.smallSample, true);
  const staff = land.factors.find((f: { key: string }) => f.key === 'staff');
  t.equal(staff.rate, 1, 'every land answer rated staff 4');
  const health = r.serviceAreas.find((a: { code: string }) => a.code === 'y-te');
  t.equal(health.suppressed, true);
  t.equal(health.rate, null);
  t.equal(health.satisfied, null);

  // Factors: centres 1 and 3 rate every factor 4-5, centre 2 rates them 2.
  const access = r.factors.find((f: { key: string }) => f.key === 'access');
  close(t, access.rate, 23 / 33, 'access factor index');
  const feedback = r.factors.find((f: { key: string }) => f.key === 'feedback');
  t.equal(feedback.n, 0, 'all "na": left out of the denominator');
  t.equal(feedback.rate, null);
  close(t, r.composite.value, 23 / 33, 'composite = mean of the factors present');
  t.ok(r.composite.ci95[0] <= r.composite.value && r.composite.value <= r.composite.ci95[1]);

  t.equal(r.children.length, 3);
  const small = r.children.find((c: { unit: { id: number } }) => c.unit.id === c3);
  t.equal(small.suppressed, true);
  t.equal(small.n, 3, 'still counted');
  t.equal(small.comparison, null, 'a suppressed unit is not compared');
  t.equal(small.probabilityMet, null, 'nor given a probability');
  const shown = r.children.filter((c: { suppressed: boolean }) => !c.suppressed);
  const pooled =
    shown.reduce((s: number, c: { satisfied: number }) => s + c.satisfied, 0) /
    shown.reduce((s: number, c: { n: number }) => s + c.n, 0);
  close(t, r.childrenPooledRate, pooled, 'the funnel centre: Σs/Σn of the units compared');
  for (const c of shown) {
    const half = 1.959964 * Math.sqrt((pooled * (1 - pooled)) / c.n);
    const expected = c.rate > pooled + half ? 'above' : c.rate < pooled - half ? 'below' : 'within';
    t.equal(c.comparison, expected, `${c.unit.name}: ${c.rate} against ${pooled} ± ${half}`);
  }
  const sum = r.children.reduce((s: number, c: { n: number }) => s + c.n, 0);
  t.equal(sum, r.overall.n, 'children pool to the parent');
});

t.test('the API sends the reports exactly as the service builds them', async (t) => {
  const { app, db, commune, communeCode, key } = await dataset(t);
  const everyone: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'test' };
  const get = (path: string) =>
    app.inject({ method: 'GET', url: `/api/v1/reports/${path}`, headers: { authorization: `Bearer ${key}` } });
  const unitId = commune.communeId;
  const periods: { from: string; to: string; serviceArea?: string }[] = [
    { from: '2026-04-01', to: '2026-06-30' },
    { from: '2026-04-01', to: '2026-06-30', serviceArea: 'dat-dai' },
    { from: '2025-01-01', to: '2025-01-31' },
  ];
  for (const q of periods) {
    const query = new URLSearchParams({ unit: communeCode, ...q }).toString();
    const report = await buildSatisfactionReport(db, everyone, { unitId, ...q });
    t.equal((await get(`satisfaction?${query}`)).body, JSON.stringify(report), `satisfaction ${query}`);
    for (const interval of ['month', 'quarter'] as const) {
      const trend = await buildTrendReport(db, everyone, { unitId, ...q, interval });
      const res = await get(`satisfaction/trend?${query}&interval=${interval}`);
      t.equal(res.body, JSON.stringify(trend), `trend ${query} by ${interval}`);
    }
  }
});

t.test('the trend gives each month and the change between them', async (t) => {
  const { app, communeCode, key } = await dataset(t);
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/reports/satisfaction/trend?unit=${communeCode}&from=2026-04-01&to=2026-05-31&interval=month`,
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(res.statusCode, 200);
  const { points } = res.json();
  t.same(
    points.map((p: { period: string; overall: { n: number; satisfied: number } }) => [
      p.period,
      p.overall.n,
      p.overall.satisfied,
    ]),
    [
      ['2026-04', 20, 18],
      ['2026-05', 13, 12],
    ],
  );
  t.equal(points[0].change, null);
  close(t, points[1].change.difference, 12 / 13 - 18 / 20, 'difference May − April');
  t.equal(points[1].change.direction, 'no_significant_change');
});

t.test('reports are scoped, validated and need a key or a session', async (t) => {
  const { app, db, communeCode, key } = await dataset(t);
  const url = `/api/v1/reports/satisfaction?unit=${communeCode}&from=2026-04-01&to=2026-06-30`;
  expectApiError(t, await app.inject({ method: 'GET', url }), 401, 'auth.key_or_session_required');

  const other = await createCentre(db, 'Xã Khác');
  const otherKey = (await createApiKey(db, {
    unitCode: await unitCode(db, other.communeId),
    role: 'official',
    label: 'x',
  }))!.key;
  const foreign = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${otherKey}` } });
  expectApiError(t, foreign, 404, 'unit.not_found');
  t.notMatch(foreign.body, /Xã Kiểm Tra/);

  const official = await staffClient(app, db, { role: 'official', unitCode: communeCode });
  const viaSession = await official.get(url);
  t.equal(viaSession.statusCode, 200, 'a signed-in official reads it too');
  t.equal(viaSession.json().overall.n, 33);

  for (const [bad, fault] of <[string, string][]>[
    ['from=2026-13-01&to=2026-12-31', 'from validation.invalid_format'],
    ['from=2026-05-01&to=2026-04-01', 'to validation.custom'],
    ['from=2020-01-01&to=2026-01-01', 'to validation.custom'],
    ['to=2026-01-01', 'from validation.required'],
  ]) {
    const res = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/satisfaction?unit=${communeCode}&${bad}`,
      headers: { authorization: `Bearer ${key}` },
    });
    const { errors } = expectApiError(t, res, 422, 'validation.failed');
    t.same(
      errors.map((e) => `${e.path} ${e.code}`),
      [fault],
      bad,
    );
  }
  const trend = await app.inject({
    method: 'GET',
    url: `/api/v1/reports/satisfaction/trend?unit=${communeCode}&from=2026-05-01&to=2026-04-01&interval=week`,
    headers: { authorization: `Bearer ${key}` },
  });
  const { errors } = expectApiError(t, trend, 422, 'validation.failed');
  t.same(errors.map((e) => e.path).sort(), ['interval'], 'the form first; the period is checked once it fits');
  t.equal(errors[0]?.message.vi, 'Giá trị không hợp lệ: phải là một trong "month", "quarter".');
});
