import t from 'tap';
import { compositeInterval } from '../analysis/bootstrap.ts';
import { compositeCell, factorCell, rateCell } from '../analysis/cells.ts';
import { rateChange } from '../analysis/change.ts';
import { dossierFigures, weightedRate } from '../analysis/dossiers.ts';
import { compositeIndex, type FactorCounts, factorIndex } from '../analysis/indices.ts';
import { instantRange, localDate, periodLabelVi, periodOf, periodsBetween } from '../analysis/periods.ts';
import type { Distribution } from '../analysis/report-types.ts';
import { distributions, rollup } from '../analysis/rollup.ts';
import { sampleSizeNeeded } from '../analysis/sample-size.ts';
import { firmVerdict, judge } from '../analysis/verdict.ts';
import { formatPercentVi } from '../analysis/vi-number.ts';
import { wilson } from '../analysis/wilson.ts';

// Every formula of ../shared/spec/methodology.md §3–4 against figures worked
// out by hand (or, for Newcombe, published), so a change that moves a number
// an official reads fails here first.

/** `satisfied` answers of 4 and 5 out of `n`, the rest spread over 1..3. */
function answers(satisfied: number, n: number): Distribution {
  const rest = n - satisfied;
  const one = Math.floor(rest / 3);
  const two = Math.floor(rest / 3);
  return { '1': one, '2': two, '3': rest - one - two, '4': Math.floor(satisfied / 2), '5': Math.ceil(satisfied / 2) };
}

const pct = (x: number) => (x * 100).toFixed(1);

t.test('Wilson intervals match the worked vectors of methodology §3 to 0.1 point', async (t) => {
  const vectors: [number, number, string, string][] = [
    [9, 10, '59.6', '98.2'],
    [18, 20, '69.9', '97.2'],
    [45, 50, '78.6', '95.7'],
    [95, 100, '88.8', '97.8'],
    [270, 300, '86.1', '92.9'],
  ];
  for (const [x, n, lo, hi] of vectors) {
    const ci = wilson(x, n)!;
    t.same([pct(ci[0]), pct(ci[1])], [lo, hi], `${x}/${n} → ${lo}–${hi}%`);
  }
  t.equal(wilson(0, 0), null, 'no answers, no interval');
  t.same(wilson(0, 10)?.[0], 0, 'all dissatisfied: the lower bound is exactly 0');
  t.same(wilson(10, 10)?.[1], 1, 'all satisfied: the upper bound is exactly 1');
  t.throws(() => wilson(11, 10), RangeError, 'more satisfied than answers is a bug, not data');
  t.equal(formatPercentVi(wilson(9, 10)![0]), '59,6%', 'a bound as the report prints it');
});

t.test('an item cell: rate, interval, mean and distribution from counts of 1..5', async (t) => {
  // 1×1, 2×2, 3×3, 10×4, 20×5: n = 36, satisfied = 30, mean = (1+4+9+40+100)/36.
  const dist: Distribution = { '1': 1, '2': 2, '3': 3, '4': 10, '5': 20 };
  const cell = rateCell(dist);
  t.equal(cell.n, 36);
  t.equal(cell.satisfied, 30, 'answers 4 and 5 count as satisfied');
  t.equal(cell.rate!.toFixed(4), '0.8333');
  t.equal(cell.mean!.toFixed(4), '4.2778', '154 / 36');
  // p = 30/36, z² / n = 0.106707: centre 0.80120, half-width 0.12010.
  t.same(
    cell.ci95!.map((x) => x.toFixed(4)),
    ['0.6811', '0.9213'],
  );
  t.same(cell.distribution, dist);
  t.equal(cell.smallSample, false, '36 answers is not a small sample');
  t.equal(cell.suppressed, false);

  t.equal(rateCell(answers(25, 29)).smallSample, true, 'n = 29 is a small sample');
  t.equal(rateCell(answers(25, 30)).smallSample, false, 'n = 30 is not');

  const thin = rateCell(answers(3, 4), { breakdown: true });
  t.same(
    { rate: thin.rate, ci95: thin.ci95, mean: thin.mean, distribution: thin.distribution, satisfied: thin.satisfied },
    { rate: null, ci95: null, mean: null, distribution: null, satisfied: null },
    'a breakdown cell with 4 answers shows no figure',
  );
  t.equal(thin.suppressed, true);
  t.equal(thin.n, 4, 'its size is still shown, to say why');
  t.equal(rateCell(answers(3, 5), { breakdown: true }).suppressed, false, '5 answers are shown');
  t.equal(rateCell(answers(3, 4)).suppressed, false, 'the headline is never withheld');
  const none = rateCell(answers(0, 0));
  t.same([none.rate, none.ci95, none.mean], [null, null, null], 'no answers: no rate, interval or mean');
});

t.test('factor index is the mean of item rates; composite the mean of factor indices', async (t) => {
  const factors: FactorCounts[] = [
    // 18/20 = 0.9 and 8/10 = 0.8 → 0.85 (pooled it would be 26/30 = 0.8667)
    { key: 'access', items: [answers(18, 20), answers(8, 10)] },
    // 45/50 = 0.9; the item nobody answered is left out, not counted as 0
    { key: 'procedure', items: [answers(45, 50), answers(0, 0)] },
    // 30/40 = 0.75 and 35/40 = 0.875 → 0.8125
    { key: 'staff', items: [answers(30, 40), answers(35, 40)] },
    // no answers at all: the factor is left out of the composite
    { key: 'result', items: [answers(0, 0)] },
    { key: 'feedback', items: [answers(7, 10)] },
  ];
  t.equal(factorIndex(factors[0]!.items)!.toFixed(6), '0.850000');
  t.equal(factorIndex(factors[1]!.items)!.toFixed(6), '0.900000');
  t.equal(factorIndex(factors[3]!.items), null);
  // (0.85 + 0.9 + 0.8125 + 0.7) / 4
  t.equal(compositeIndex(factors)!.toFixed(6), '0.815625');

  const access = factorCell('access', factors[0]!.items);
  t.same({ ...access, rate: access.rate!.toFixed(6) }, { key: 'access', rate: '0.850000', n: 30, suppressed: false });
  t.same(
    factorCell('staff', [answers(2, 4), answers(3, 4)], { breakdown: true }),
    { key: 'staff', rate: null, n: 8, suppressed: true },
    'withheld when no item has 5 answers, though the item sum is 8',
  );

  const composite = compositeCell(factors);
  t.equal(composite.value!.toFixed(6), '0.815625');
  t.ok(composite.ci95![0] < 0.815625 && 0.815625 < composite.ci95![1], 'the interval brackets the index');
  t.same(compositeCell([{ key: 'access', items: [answers(0, 0)] }]), { value: null, ci95: null });
});

t.test('composite interval: the seeded bootstrap from counts', async (t) => {
  // One item of 90/100: every resample is Binomial(100, 0.9) / 100, whose
  // 2.5% and 97.5% quantiles are 84 and 95 (P(X ≤ 83) = 0.0206,
  // P(X ≤ 84) = 0.0399, P(X ≤ 94) = 0.9424, P(X ≤ 95) = 0.9763).
  const one = compositeInterval([{ key: 'access', items: [answers(90, 100)] }])!;
  t.same(one.map(pct), ['84.0', '95.0']);
  // The same answers asked twice are not twice the evidence: items answered
  // by the same people move together, and the interval must not narrow.
  const twice = compositeInterval([{ key: 'access', items: [answers(90, 100), answers(90, 100)] }])!;
  t.same(twice.map(pct), ['84.0', '95.0'], 'a repeated item leaves the interval as wide');
  t.same(
    compositeInterval([{ key: 'staff', items: [answers(45, 50)] }]),
    compositeInterval([{ key: 'staff', items: [answers(45, 50)] }]),
    'the same counts give the same interval',
  );
  t.notSame(
    compositeInterval([{ key: 'staff', items: [answers(45, 50), answers(40, 50)] }], { seed: 1, resamples: 50 }),
    compositeInterval([{ key: 'staff', items: [answers(45, 50), answers(40, 50)] }], { seed: 2, resamples: 50 }),
    'the seed is what fixes it',
  );
});

t.test('firm verdicts against a target, exactly at the threshold', async (t) => {
  const at = (comparison: 'gte' | 'gt' | 'lte' | 'lt', threshold: number) => ({ comparison, threshold });
  t.equal(firmVerdict([0.9, 0.95], at('gte', 0.9)), 'met', 'lower bound = T meets "≥ T"');
  t.equal(firmVerdict([0.9, 0.95], at('gt', 0.9)), null, 'but not "> T"');
  t.equal(firmVerdict([0.85, 0.9], at('gte', 0.9)), null, 'upper bound = T could still be ≥ T');
  t.equal(firmVerdict([0.85, 0.9], at('gt', 0.9)), 'not_met', 'but can never be > T');
  t.equal(firmVerdict([0.005, 0.01], at('lte', 0.01)), 'met', 'upper bound = T meets "≤ T"');
  t.equal(firmVerdict([0.005, 0.01], at('lt', 0.01)), null);
  t.equal(firmVerdict([0.01, 0.02], at('lt', 0.01)), 'not_met', 'lower bound = T can never be < T');
  t.equal(firmVerdict([0.01, 0.02], at('lte', 0.01)), null);
  t.same(judge(9, 10, null), { verdict: 'no_target', probabilityMet: null, moreResponsesNeeded: null });
  t.same(
    judge(0, 0, at('gte', 0.9)),
    { verdict: 'unclear', probabilityMet: null, moreResponsesNeeded: null },
    'no answers: nothing to say',
  );
  t.same(
    judge(null, 3, at('gte', 0.9)),
    { verdict: 'unclear', probabilityMet: null, moreResponsesNeeded: null },
    'a suppressed cell tells nothing, not even a probability',
  );
  t.equal(judge(95, 100, at('gte', 0.85)).verdict, 'met', '88.8% lower bound clears 85%');
  t.equal(judge(45, 50, at('gte', 0.96)).verdict, 'not_met', '95.7% upper bound falls short of 96%');
});

t.test('change between periods: Newcombe hybrid score interval', async (t) => {
  // Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10:
  // 56/70 − 48/80 = 0.2000, 95% CI 0.0524 to 0.3339; 9/10 − 3/10 = 0.6000,
  // 0.1705 to 0.8090; 5/56 − 0/29 = 0.0893, −0.0381 to 0.1926;
  // 10/10 − 0/20 = 1.0000, 0.6791 to 1.0000. (Recomputed here and in the
  // propint R package's tests, which check the same table.)
  const fixed = (c: ReturnType<typeof rateChange>) =>
    c && [c.difference.toFixed(4), ...c.ci95.map((x) => x.toFixed(4))];
  const up = rateChange({ satisfied: 48, n: 80 }, { satisfied: 56, n: 70 });
  t.same(fixed(up), ['0.2000', '0.0524', '0.3339']);
  t.equal(up?.direction, 'improved');
  t.same(fixed(rateChange({ satisfied: 3, n: 10 }, { satisfied: 9, n: 10 })), ['0.6000', '0.1705', '0.8090']);
  const flat = rateChange({ satisfied: 0, n: 29 }, { satisfied: 5, n: 56 });
  t.same(fixed(flat), ['0.0893', '-0.0381', '0.1926']);
  t.equal(flat?.direction, 'no_significant_change', 'an interval across 0 is no evidence of change');
  t.same(fixed(rateChange({ satisfied: 0, n: 20 }, { satisfied: 10, n: 10 })), ['1.0000', '0.6791', '1.0000']);
  const down = rateChange({ satisfied: 56, n: 70 }, { satisfied: 48, n: 80 });
  t.same(fixed(down), ['-0.2000', '-0.3339', '-0.0524'], 'later minus earlier');
  t.equal(down?.direction, 'declined');
  t.equal(rateChange({ satisfied: 0, n: 0 }, { satisfied: 5, n: 10 }), null, 'no answers before: no change');
});

t.test('volume weighting, response rate and sample size needed', async (t) => {
  const weighted = weightedRate([
    { resolved: 300, satisfied: 45, n: 50 }, // 0.9
    { resolved: 100, satisfied: 16, n: 20 }, // 0.8
    { resolved: 100, satisfied: 0, n: 0 }, // dossiers, no answers: left out, the others rescaled
  ]);
  // (300·0.9 + 100·0.8) / 400; pooled it would be 61/70 = 0.8714. The interval by hand (Python):
  // p̃ = 46/52 and 17/22, ± 1.959964·√(0.75²·p̃₁(1−p̃₁)/50 + 0.25²·p̃₂(1−p̃₂)/20).
  t.equal(weighted!.rate.toFixed(4), '0.8750');
  t.equal(weighted!.ci95[0].toFixed(6), '0.794257');
  t.equal(weighted!.ci95[1].toFixed(6), '0.955743');
  t.same(weightedRate([{ resolved: 0, satisfied: 5, n: 10 }]), null, 'no dossiers: nothing to weight by');
  const everyone = weightedRate([{ resolved: 10, satisfied: 10, n: 10 }])!;
  t.equal(everyone.ci95[1], 1, 'clipped to 1');
  const volumes = {
    receivedOnline: 300,
    receivedDirect: 200,
    carriedOver: 0,
    resolvedEarly: 100,
    resolvedOnTime: 350,
    resolvedLate: 50,
    pendingOnTime: 0,
    pendingOverdue: 0,
    dissatisfiedOrComplained: null,
    complaints: null,
    complaintsOnTime: null,
  };
  t.equal(dossierFigures(volumes, 70).responseRate, 0.14);
  t.equal(
    dossierFigures({ ...volumes, resolvedEarly: 0, resolvedOnTime: 0, resolvedLate: 0 }, 5).responseRate,
    null,
    'no resolved dossiers: no response rate',
  );

  t.equal(sampleSizeNeeded(1000), 286, '1000 / 3.5 = 285.7, rounded up');
  t.equal(sampleSizeNeeded(400), 200, 'an exact 200 stays 200');
  t.equal(sampleSizeNeeded(100), 80);
  t.equal(sampleSizeNeeded(50), 45, '44.4 is rounded up, not to the nearest');
  t.equal(sampleSizeNeeded(10_000), 385, '10000 / 26 = 384.6');
  t.equal(sampleSizeNeeded(1_000_000), 400, 'never more than 1 / e² = 400');
  t.equal(sampleSizeNeeded(0), 0);
});

t.test('periods are cut on Vietnam time', async (t) => {
  const lastMarchSecond = new Date('2026-03-31T16:59:59Z'); // 23:59:59 on 31/03 in Hà Nội
  const firstAprilSecond = new Date('2026-03-31T17:00:00Z'); // 00:00:00 on 01/04
  t.equal(periodOf(lastMarchSecond, 'month').key, '2026-03');
  t.equal(periodOf(lastMarchSecond, 'quarter').key, '2026-Q1');
  t.equal(periodOf(firstAprilSecond, 'month').key, '2026-04');
  t.equal(periodOf(firstAprilSecond, 'quarter').key, '2026-Q2');
  t.equal(periodOf(new Date('2026-03-31T18:30:00Z'), 'month').key, '2026-04', 'the example of methodology §4');
  t.equal(periodOf(new Date('2025-12-31T17:00:00Z'), 'year').key, '2026', 'new year starts at 17:00 UTC');
  t.equal(localDate(new Date('2028-02-28T17:00:00Z')), '2028-02-29', 'a leap day');

  t.same(periodOf(firstAprilSecond, 'quarter'), { key: '2026-Q2', from: '2026-04-01', to: '2026-06-30' });
  t.same(periodOf(new Date('2028-02-10T00:00:00Z'), 'month'), { key: '2028-02', from: '2028-02-01', to: '2028-02-29' });

  t.same(periodsBetween('2026-01-15', '2026-05-10', 'quarter'), [
    { key: '2026-Q1', from: '2026-01-15', to: '2026-03-31' },
    { key: '2026-Q2', from: '2026-04-01', to: '2026-05-10' },
  ]);
  t.same(
    periodsBetween('2025-11-20', '2026-02-03', 'month').map((p) => `${p.key} ${p.from}..${p.to}`),
    [
      '2025-11 2025-11-20..2025-11-30',
      '2025-12 2025-12-01..2025-12-31',
      '2026-01 2026-01-01..2026-01-31',
      '2026-02 2026-02-01..2026-02-03',
    ],
  );
  t.same(periodsBetween('2026-05-01', '2026-04-01', 'month'), [], 'a range backwards has no periods');

  const april = instantRange('2026-04-01', '2026-04-30');
  t.equal(april.start.toISOString(), '2026-03-31T17:00:00.000Z');
  t.equal(april.end.toISOString(), '2026-04-30T17:00:00.000Z', 'half-open: the end is the next local midnight');

  t.equal(periodLabelVi('2026-04'), 'Tháng 4/2026');
  t.equal(periodLabelVi('2026-Q2'), 'Quý II/2026');
  t.equal(periodLabelVi('2026'), 'Năm 2026');
});

t.test('roll-up pools each child subtree; parent = children + own counts', async (t) => {
  const rows = [
    { path: '/1/', counts: answers(4, 5) }, // the commune's own desk
    { path: '/1/7/', counts: answers(9, 10) },
    { path: '/1/7/42/', counts: answers(18, 20) }, // below child 7
    { path: '/1/70/', counts: answers(3, 6) }, // child 70, not child 7
    { path: '/2/9/', counts: answers(50, 50) }, // another province: out of scope
  ];
  const r = rollup(
    rows,
    { id: 1, path: '/1/' },
    [
      { id: 7, path: '/1/7/' },
      { id: 70, path: '/1/70/' },
    ],
    distributions,
  );
  t.same(rateCell(r.children.get(7)!).satisfied, 27, 'child 7 pools its own 9 and its desk 42s 18');
  t.same(rateCell(r.children.get(7)!).n, 30);
  t.same(rateCell(r.children.get(70)!).n, 6, "'/1/7/' does not swallow '/1/70/'");
  t.same(rateCell(r.own).n, 5);
  t.same(rateCell(r.total).n, 41, '30 + 6 + 5, nothing from /2/');
  t.same(rateCell(r.total).satisfied, 34);
  t.same(rateCell(r.other).n, 0, 'every row under the scope went to a child or the scope itself');
});
