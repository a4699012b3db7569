import t, { type Test } from 'tap';
import { dossierDataset as dataset, expectedCounts, expectedDossiers, MONTHS } from './helpers/dossier-data.ts';
import { staffClient } from './helpers/staff.ts';

// Dossier volumes in the report (methodology §6) on a dataset built for it
// (helpers/dossier-data.ts): every figure the API gives is checked against a
// calculation written out from the raw counts, not by analysis/dossiers.ts.

const close = (t: Test, actual: number | null | undefined, expected: number, msg: string) =>
  t.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9,
    `${msg}: ${actual} ≈ ${expected}`,
  );

const Q1 = [0, 1, 2];
const all = () => true;

t.test('a quarter adds up its months, for the unit, each area and each child', async (t) => {
  const { get, communeCode, ids } = await dataset(t);
  const r = await get(`unit=${communeCode}&from=2026-01-01&to=2026-03-31`);
  t.equal(r.overall.n, 39, '20 + 16 + 3 responses');
  const total = expectedCounts(all, Q1);
  t.same(r.dossiers, expectedDossiers(total, 39));
  t.equal(total.resolved, 1000, 'the dataset: 1.000 resolved');
  t.equal(r.dossiers.onTimeRate, 0.992, '992 of 1.000 on time or early');
  t.equal(r.dossiers.pending, 15 + 8 + 3 + 3, "pending: each group's March, not the three months added");
  t.equal(r.dossiers.sampleNeeded, 286, '⌈1.000 / 3,5⌉');
  t.equal(r.dossiers.sampleShortfall, 247, 'còn thiếu 247 phiếu');
  t.equal(r.responseRate, r.dossiers.responseRate, 'the old field says the same');
  t.same(r.dossierMonths, MONTHS);
  t.equal(r.dossierNote, null);

  const area = (code: string) => r.serviceAreas.find((a: { code: string }) => a.code === code);
  t.same(
    area('dat-dai').dossiers,
    expectedDossiers(
      expectedCounts((g) => g.area === 'dat-dai', Q1),
      20,
    ),
  );
  t.same(
    area('ho-tich').dossiers,
    expectedDossiers(
      expectedCounts((g) => g.area === 'ho-tich', Q1),
      16,
    ),
  );
  t.same(
    area('chung-thuc').dossiers,
    expectedDossiers(
      expectedCounts((g) => g.area === 'chung-thuc', Q1),
      3,
    ),
    'a suppressed area keeps its dossiers: n is shown anyway',
  );
  t.equal(area('dat-dai').dossiers.sampleShortfall, 150, '⌈294 / 1,735⌉ = 170 needed, 20 there');

  const child = (id: number) => r.children.find((c: { unit: { id: number } }) => c.unit.id === id);
  t.same(
    child(ids.c1).dossiers,
    expectedDossiers(
      expectedCounts((g) => g.unit === 'c1', Q1),
      30,
    ),
  );
  t.same(
    child(ids.c2).dossiers,
    expectedDossiers(
      expectedCounts((g) => g.unit === 'c2', Q1),
      9,
    ),
  );

  // Weighted: Đất đai (294 resolved, 18/20) and Hộ tịch (589, 13/16); Chứng thực (3 answers) left out.
  const used = [
    { resolved: expectedCounts((g) => g.area === 'dat-dai', Q1).resolved, s: 18, n: 20 },
    { resolved: expectedCounts((g) => g.area === 'ho-tich', Q1).resolved, s: 13, n: 16 },
  ];
  t.same(
    used.map((a) => a.resolved),
    [294, 589],
  );
  const sum = used.reduce((s, a) => s + a.resolved, 0);
  const rate = used.reduce((s, a) => s + (a.resolved / sum) * (a.s / a.n), 0);
  const variance = used.reduce((s, a) => {
    const p = (a.s + 1) / (a.n + 2);
    return s + ((a.resolved / sum) ** 2 * p * (1 - p)) / a.n;
  }, 0);
  const half = 1.959964 * Math.sqrt(variance);
  close(t, r.weightedRate.rate, rate, 'weighted rate');
  close(t, r.weightedRate.ci95[0], rate - half, 'weighted lower bound');
  close(t, r.weightedRate.ci95[1], rate + half, 'weighted upper bound');

  // QĐ 766 5.4: (D − L − X) / D over dossiers; 5.2: complaints on time / complaints.
  const d = total.resolved + total.pending;
  const late = total.late + total.overdue;
  const r54 = (d - late - total.dissatisfied) / d;
  close(t, r.qd766.handlingSatisfaction.rate, r54, '5.4 rate');
  close(t, r.qd766.handlingSatisfaction.score, Math.min(6, (6 * r54) / 0.9), '5.4 score');
  close(t, r.qd766.complaintsOnTime.rate, total.complaintsOnTime / total.complaints, '5.2 rate');
  close(t, r.qd766.complaintsOnTime.score, (6 * total.complaintsOnTime) / total.complaints, '5.2 score');
});

t.test('a month alone, a period that cuts a month, a period without volumes', async (t) => {
  const { get, communeCode } = await dataset(t);
  const jan = await get(`unit=${communeCode}&from=2026-01-01&to=2026-01-31`);
  const janCounts = expectedCounts(all, [0]);
  t.same(jan.dossiers, expectedDossiers(janCounts, jan.overall.n));
  t.equal(jan.overall.n, 14, 'the responses of January');
  t.same(jan.dossierMonths, ['2026-01']);

  const febMar = await get(`unit=${communeCode}&from=2026-02-01&to=2026-03-31`);
  const fm = expectedCounts(all, [1, 2]);
  t.same(febMar.dossiers, expectedDossiers(fm, febMar.overall.n), 'whole months of a custom period add up too');
  t.equal(fm.carried, 13 + 6 + 6 + 1, 'carried over: of February');

  const cut = await get(`unit=${communeCode}&from=2026-01-01&to=2026-02-15`);
  t.equal(cut.dossiers, null, 'half a month of dossiers cannot be told');
  t.equal(cut.dossierNote, 'partial_month');
  t.same(cut.dossierMonths, []);
  t.equal(cut.responseRate, null);
  t.equal(cut.weightedRate, null);
  t.equal(cut.qd766, null);
  for (const a of cut.serviceAreas) t.equal(a.dossiers, null, `${a.code}: no dossiers either`);
  const onTime = cut.targets.find((x: { metric: string }) => x.metric === 'on_time_rate');
  t.same([onTime.value, onTime.verdict], [null, 'no_data']);

  const none = await get(`unit=${communeCode}&from=2026-04-01&to=2026-06-30`);
  t.equal(none.dossiers, null);
  t.equal(none.dossierNote, 'no_volumes');
  t.same(none.dossierMonths, []);
});

t.test('targets: every one that applies, dossier verdicts exact', async (t) => {
  const { get, communeCode, codes } = await dataset(t);
  const r = await get(`unit=${communeCode}&from=2026-01-01&to=2026-03-31`);
  const by = (metric: string) => r.targets.filter((x: { metric: string }) => x.metric === metric);
  t.same(
    r.targets.map((x: { metric: string; serviceArea: string | null }) => `${x.metric} ${x.serviceArea ?? '*'}`),
    [
      'satisfaction_rate *',
      'satisfaction_rate ho-tich',
      'factor_rate *',
      'on_time_rate *',
      'early_rate dat-dai',
      'late_rate *',
      'feedback_handled_rate *',
      'feedback_on_time_rate *',
      'training_rate *',
    ],
    "set on the commune or the province, valid in the period; not the child's, not last year's",
  );
  const [onTime] = by('on_time_rate');
  t.same(
    onTime,
    {
      id: onTime.id,
      metric: 'on_time_rate',
      factorKey: null,
      serviceArea: null,
      comparison: 'gt',
      threshold: 0.99,
      value: 0.992,
      verdict: 'met',
      sourcePlan: 'Kế hoạch CCHC năm 2026 của UBND xã Đình Lập',
      sourceClause: 'Mục II.3',
    },
    '99,2% against > 99%: met, exactly',
  );
  t.same([by('late_rate')[0].value, by('late_rate')[0].verdict], [0.008, 'met'], '0,8% against < 1%');
  const early = expectedCounts((g) => g.area === 'dat-dai', Q1);
  t.same([by('early_rate')[0].value, by('early_rate')[0].verdict], [early.early / early.resolved, 'not_met']);
  const [all90, land85] = by('satisfaction_rate');
  t.same([all90.value, all90.verdict], [34 / 39, r.overall.verdict], 'the survey judgement of the headline');
  const hoTich = r.serviceAreas.find((a: { code: string }) => a.code === 'ho-tich');
  t.same([land85.value, land85.verdict], [13 / 16, hoTich.verdict], "the province's Hộ tịch target on that area");
  t.same([by('factor_rate')[0].value, by('factor_rate')[0].verdict], [1, 'unclear'], 'no interval for a factor');
  // Four answers of 2 opened four feedback items, none handled yet.
  t.same([by('feedback_handled_rate')[0].value, by('feedback_handled_rate')[0].verdict], [0, 'not_met']);
  t.same([by('feedback_on_time_rate')[0].value, by('feedback_on_time_rate')[0].verdict], [null, 'no_data']);
  t.same([by('training_rate')[0].value, by('training_rate')[0].verdict], [null, 'no_data']);

  // January alone: 300 of 304 on time (98,7%) against > 99%.
  const jan = await get(`unit=${communeCode}&from=2026-01-01&to=2026-01-31`);
  const j = jan.targets.find((x: { metric: string }) => x.metric === 'on_time_rate');
  t.same([j.value, j.verdict], [300 / 304, 'not_met']);

  // The second centre: 396 of 400 on time (99,0%, not above 99%), 4 late (1,0%, not below 1%).
  const c2 = await get(`unit=${codes.c2}&from=2026-01-01&to=2026-03-31`);
  const c2Targets = c2.targets.map((x: { metric: string; threshold: number; value: number; verdict: string }) => [
    x.metric,
    x.threshold,
    x.value,
    x.verdict,
  ]);
  t.same(
    c2Targets.filter((x: unknown[]) => x[0] === 'on_time_rate' || x[0] === 'late_rate'),
    [
      ['on_time_rate', 0.95, 0.99, 'met'],
      ['on_time_rate', 0.99, 0.99, 'not_met'],
      ['late_rate', 0.01, 0.01, 'not_met'],
    ],
    "its own target and the commune's",
  );
  const c2Land = c2.targets.find((x: { serviceArea: string | null }) => x.serviceArea === 'dat-dai');
  t.same(
    [c2Land.metric, c2Land.value, c2Land.verdict],
    ['early_rate', null, 'no_data'],
    "the commune's Đất đai target binds the centre too, which handled no Đất đai dossier",
  );

  // Filtered to Hộ tịch: the headline dossiers are that area's, and the Đất đai target does not apply.
  const ht = await get(`unit=${communeCode}&from=2026-01-01&to=2026-03-31&serviceArea=ho-tich`);
  t.same(
    ht.dossiers,
    expectedDossiers(
      expectedCounts((g) => g.area === 'ho-tich', Q1),
      16,
    ),
  );
  t.notOk(ht.targets.some((x: { serviceArea: string | null }) => x.serviceArea === 'dat-dai'));
  t.equal(ht.weightedRate.rate, 13 / 16, 'one area: its own rate');
});

t.test("the dashboard shows the dossiers, the targets' verdicts and each area's response rate", async (t) => {
  const { app, db, place, communeCode } = await dataset(t);
  const official = await staffClient(app, db, { role: 'official', unitCode: communeCode });
  const res = await official.get(
    `/staff/reports?unitId=${place.communeId}&period=custom&from=2026-01-01&to=2026-03-31`,
  );
  t.equal(res.statusCode, 200);
  const body = res.body;
  t.match(body, /Hồ sơ thủ tục hành chính/);
  t.match(body, /Hồ sơ đã giải quyết<\/th><td class="num"><strong>1\.000<\/strong>/, '1.000 resolved');
  t.match(body, /Tỷ lệ đúng hạn \(kể cả trước hạn\)<\/th><td class="num"><strong>99,2%<\/strong>/);
  t.match(body, /Đang giải quyết, đã quá hạn<\/th><td class="num"><strong>1<\/strong>/, 'overdue of March');
  t.match(body, /không có\s+khoảng tin cậy/, 'why dossier verdicts have no interval');
  // The on-time target: > 99%, 99,2%, met, with its plan.
  t.match(
    body,
    /Tỷ lệ hồ sơ trả kết quả đúng hạn<\/th>\s*<td>Tất cả lĩnh vực<\/td>\s*<td class="num">&gt; 99%<\/td>\s*<td class="num">99,2%<\/td>\s*<td><span class="verdict v-met">Đạt<\/span><\/td>/,
  );
  t.match(body, /Kế hoạch CCHC năm 2026 của UBND xã Đình Lập, Mục II\.3/);
  t.match(body, /v-no_target">Chưa có số liệu</, 'training: nothing measured');
  // Đất đai: 20 responses of 294 resolved (6,8%); 170 needed, 150 short.
  t.match(
    body,
    /Đất đai<\/th>\s*<td class="num">20<\/td>(?:\s*<td[^>]*>.*?<\/td>)*?\s*<td class="num">6,8%<\/td>\s*<td class="num">còn thiếu 150 phiếu<\/td>/s,
  );
  t.match(body, /Tỷ lệ hài lòng có trọng số theo số hồ sơ/, 'the weighted rate beside the pooled one');
  t.match(body, /Bộ chỉ số 766/);
  t.match(body, /Cổng Dịch vụ công quốc gia/, 'the source of QĐ 766');

  const cut = await official.get(
    `/staff/reports?unitId=${place.communeId}&period=custom&from=2026-01-01&to=2026-02-15`,
  );
  t.match(cut.body, /Kỳ báo cáo không trọn tháng/);
  t.notMatch(cut.body, /Bộ chỉ số 766/);
});
