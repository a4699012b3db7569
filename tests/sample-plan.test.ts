import t from 'tap';
import { samplePlan } from '../analysis/sample-plan.ts';

// The sample plan of a survey round, against figures worked by hand.

const sum = (q: { quota: number }[]) => q.reduce((s, x) => s + x.quota, 0);

t.test('the size is Yamane’s n, rounded up', async (t) => {
  // 1000 / (1 + 1000·0.0025) = 1000 / 3.5 = 285.71… → 286
  t.equal(samplePlan({ population: 1000, areas: [], allocation: 'equal' }).n, 286);
  // 400 / (1 + 400·0.01) = 400 / 5 = 80 exactly: no rounding up
  t.equal(samplePlan({ population: 400, margin: 0.1, areas: [], allocation: 'equal' }).n, 80);
  // 0 dossiers: nobody to ask
  t.same(samplePlan({ population: 0, areas: [{ code: 'a', resolved: 0 }], allocation: 'proportional' }), {
    n: 0,
    quotas: [{ code: 'a', quota: 0 }],
  });
  t.throws(() => samplePlan({ population: -1, areas: [], allocation: 'equal' }));
  t.throws(() => samplePlan({ population: 10, margin: 0, areas: [], allocation: 'equal' }));
});

t.test('proportional quotas by largest remainder sum to n', async (t) => {
  // n = 286; shares 286·600/1000 = 171.6, 286·300/1000 = 85.8, 286·100/1000 = 28.6
  // floors 171 + 85 + 28 = 284; two left: to the remainders .8 (b) and then .6 tied a/c → the larger weight a
  const plan = samplePlan({
    population: 1000,
    areas: [
      { code: 'a', resolved: 600 },
      { code: 'b', resolved: 300 },
      { code: 'c', resolved: 100 },
    ],
    allocation: 'proportional',
  });
  t.same(plan, {
    n: 286,
    quotas: [
      { code: 'a', quota: 172 },
      { code: 'b', quota: 86 },
      { code: 'c', quota: 28 },
    ],
  });
  t.equal(sum(plan.quotas), 286);
});

t.test('an area without dossiers gets none, unless no area has any', async (t) => {
  // N = 100 → n = ⌈100/1.25⌉ = 80; 80·3/4 = 60, 80·1/4 = 20, 0
  t.same(
    samplePlan({
      population: 100,
      areas: [
        { code: 'a', resolved: 3 },
        { code: 'b', resolved: 1 },
        { code: 'c', resolved: 0 },
      ],
      allocation: 'proportional',
    }).quotas.map((q) => q.quota),
    [60, 20, 0],
  );
  // All zero: equal, 80 / 3 = 26 r 2 → the first two get one more
  t.same(
    samplePlan({
      population: 100,
      areas: [
        { code: 'a', resolved: 0 },
        { code: 'b', resolved: 0 },
        { code: 'c', resolved: 0 },
      ],
      allocation: 'proportional',
    }).quotas.map((q) => q.quota),
    [27, 27, 26],
  );
});

t.test('equal quotas by largest remainder', async (t) => {
  // N = 1000 → 286 over 4 areas: 71.5 each → 71·4 = 284, two left to the first two
  const plan = samplePlan({
    population: 1000,
    areas: ['a', 'b', 'c', 'd'].map((code, i) => ({ code, resolved: i * 10 })),
    allocation: 'equal',
  });
  t.same(
    plan.quotas.map((q) => q.quota),
    [72, 72, 71, 71],
  );
  t.equal(sum(plan.quotas), 286);
});
