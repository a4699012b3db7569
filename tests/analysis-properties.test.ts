import fc from 'fast-check';
import t, { type Test } from 'tap';
import { compositeInterval } from '../analysis/bootstrap.ts';
import { rateCell } from '../analysis/cells.ts';
import { rateChange } from '../analysis/change.ts';
import { compositeIndex, FACTOR_KEYS, type FactorCounts } from '../analysis/indices.ts';
import { instantRange, localDate, nextDay, periodOf, periodsBetween } from '../analysis/periods.ts';
import { addDistributions, emptyDistribution, itemRate } from '../analysis/rates.ts';
import type { Comparison, Distribution } from '../analysis/report-types.ts';
import { distributions, rollup } from '../analysis/rollup.ts';
import { sampleSizeNeeded } from '../analysis/sample-size.ts';
import { firmVerdict, judge, LIKELY_MET, LIKELY_NOT_MET } from '../analysis/verdict.ts';
import { wilson, wilsonOfRate } from '../analysis/wilson.ts';

// Invariants that hold for any counts, checked on counts fast-check makes up.
// A failure prints the counterexample and the seed that reproduces it.

function holds(t: Test, name: string, property: fc.IProperty<any>, runs = 200) {
  const details = fc.check(property, { numRuns: runs });
  t.notOk(details.failed, details.failed ? `${name}\n${fc.defaultReportMessage(details)}` : name);
}

const count = (max: number) => fc.integer({ min: 0, max });
const distribution = (max = 200): fc.Arbitrary<Distribution> =>
  fc.tuple(count(max), count(max), count(max), count(max), count(max)).map(([a, b, c, d, e]) => ({
    '1': a,
    '2': b,
    '3': c,
    '4': d,
    '5': e,
  }));
/** x out of n with n ≥ 1. */
const proportion = (maxN = 100_000) =>
  fc.integer({ min: 1, max: maxN }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

t.test('Wilson: 0 ≤ lower ≤ rate ≤ upper ≤ 1', async (t) => {
  holds(
    t,
    'the interval brackets the rate inside [0, 1]',
    fc.property(proportion(), ([x, n]) => {
      const [lo, hi] = wilson(x, n)!;
      return 0 <= lo && lo <= x / n && x / n <= hi && hi <= 1;
    }),
    1000,
  );
  holds(
    t,
    'an item cell carries the same figures',
    fc.property(distribution(), (d) => {
      const cell = rateCell(d);
      if (cell.n === 0) return cell.rate === null && cell.ci95 === null;
      return cell.ci95![0] <= cell.rate! && cell.rate! <= cell.ci95![1] && cell.mean! >= 1 && cell.mean! <= 5;
    }),
  );
});

t.test('Wilson: more answers at the same rate give a narrower interval', async (t) => {
  holds(
    t,
    'k·x out of k·n is narrower than x out of n',
    fc.property(proportion(2000), fc.integer({ min: 2, max: 50 }), ([x, n], k) => {
      const [lo1, hi1] = wilson(x, n)!;
      const [lo2, hi2] = wilson(k * x, k * n)!;
      return hi2 - lo2 < hi1 - lo1;
    }),
    1000,
  );
});

t.test('verdict agrees with the interval it reads, and the probability splits the rest', async (t) => {
  const satisfies = (p: number, c: Comparison, th: number) =>
    c === 'gte' ? p >= th : c === 'gt' ? p > th : c === 'lte' ? p <= th : p < th;
  const comparisons = fc.constantFrom<Comparison>('gte', 'gt', 'lte', 'lt');
  // Thresholds as plans write them (whole or half percents), so bounds land on them too.
  const thresholds = fc.integer({ min: 1, max: 199 }).map((h) => h / 200);
  holds(
    t,
    'met: the whole interval satisfies the target; not met: none of it; else by P(met) at 0.80 and 0.20',
    fc.property(proportion(1000), comparisons, thresholds, ([x, n], comparison, threshold) => {
      const ci = wilson(x, n)!;
      const ends = ci.filter((p) => satisfies(p, comparison, threshold)).length;
      const j = judge(x, n, { comparison, threshold });
      const p = j.probabilityMet!;
      if (p < 0 || p > 1) return false;
      if (ends === 2) return j.verdict === 'met' && j.moreResponsesNeeded === 0;
      if (ends === 0) return j.verdict === 'not_met' && j.moreResponsesNeeded === 0;
      return j.verdict === (p >= LIKELY_MET ? 'likely_met' : p <= LIKELY_NOT_MET ? 'likely_not_met' : 'unclear');
    }),
    2000,
  );
  holds(
    t,
    'moreResponsesNeeded is the smallest number that settles it, at the same rate',
    fc.property(proportion(400), comparisons, thresholds, ([x, n], comparison, threshold) => {
      const target = { comparison, threshold };
      const m = judge(x, n, target).moreResponsesNeeded;
      if (m === null) return true;
      const firmAt = (k: number) => firmVerdict(wilsonOfRate(x / n, n + k), target) !== null;
      return firmAt(m) && (m === 0 || !firmAt(m - 1));
    }),
    1000,
  );
  holds(
    t,
    'one more satisfied answer never lowers the probability of meeting an "at least" target',
    fc.property(proportion(1000), thresholds, ([x, n], threshold) => {
      fc.pre(x < n);
      const target = { comparison: 'gte' as const, threshold };
      return judge(x + 1, n, target).probabilityMet! >= judge(x, n, target).probabilityMet! - 1e-12;
    }),
    1000,
  );
});

t.test('Newcombe change: brackets the difference, antisymmetric, direction from the interval', async (t) => {
  holds(
    t,
    'for any two periods',
    fc.property(proportion(5000), proportion(5000), ([x1, n1], [x2, n2]) => {
      const c = rateChange({ satisfied: x1, n: n1 }, { satisfied: x2, n: n2 })!;
      const back = rateChange({ satisfied: x2, n: n2 }, { satisfied: x1, n: n1 })!;
      const [lo, hi] = c.ci95;
      const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;
      return (
        -1 - 1e-12 <= lo &&
        lo <= c.difference &&
        c.difference <= hi &&
        hi <= 1 + 1e-12 &&
        close(back.ci95[0], -hi) &&
        close(back.ci95[1], -lo) &&
        c.direction === (lo > 0 ? 'improved' : hi < 0 ? 'declined' : 'no_significant_change')
      );
    }),
    1000,
  );
});

const factorCounts: fc.Arbitrary<FactorCounts[]> = fc
  .subarray([...FACTOR_KEYS], { minLength: 1 })
  .chain((keys) =>
    fc.tuple(
      ...keys.map((key) => fc.array(distribution(60), { minLength: 1, maxLength: 4 }).map((items) => ({ key, items }))),
    ),
  );

t.test('composite bootstrap: deterministic, within [0, 1], around the index', async (t) => {
  holds(
    t,
    'the same counts give the same interval, inside [0, 1] and containing the index',
    fc.property(factorCounts, (factors) => {
      const a = compositeInterval(factors);
      const b = compositeInterval(factors);
      const value = compositeIndex(factors);
      if (value === null) return a === null && b === null;
      return (
        a !== null &&
        b !== null &&
        a[0] === b[0] &&
        a[1] === b[1] &&
        0 <= a[0] &&
        a[0] <= value + 1e-12 &&
        value <= a[1] + 1e-12 &&
        a[1] <= 1
      );
    }),
    100,
  );
});

t.test('roll-up: the pooled parent is its children plus its own counts', async (t) => {
  // Units under scope '/1/': paths of 2 to 4 levels over a handful of ids, so
  // siblings, grandchildren and look-alike prefixes ('/1/7/' and '/1/70/') occur.
  const path = fc
    .array(fc.constantFrom(7, 70, 8, 42, 420), { minLength: 0, maxLength: 3 })
    .map((ids) => `/1/${ids.map((i) => `${i}/`).join('')}`);
  const rows = fc.array(fc.record({ path: fc.oneof(path, fc.constant('/2/7/')), counts: distribution(30) }), {
    maxLength: 40,
  });
  holds(
    t,
    'Σ children + own = total = Σ rows in the subtree; each child = Σ rows under its path',
    fc.property(rows, (rows) => {
      const childPaths = [...new Set(rows.map((r) => /^\/1\/\d+\//.exec(r.path)?.[0]).filter((p) => p !== undefined))];
      const children = childPaths.map((p) => ({ id: Number(p.split('/')[2]), path: p }));
      const r = rollup(rows, { id: 1, path: '/1/' }, children, distributions);
      const sum = (ds: Distribution[]) => ds.reduce(addDistributions, emptyDistribution());
      const pooled = sum([...r.children.values(), r.own]);
      const inScope = sum(rows.filter((x) => x.path.startsWith('/1/')).map((x) => x.counts));
      const eachChild = children.every(
        (c) =>
          JSON.stringify(r.children.get(c.id)) ===
          JSON.stringify(sum(rows.filter((x) => x.path.startsWith(c.path)).map((x) => x.counts))),
      );
      return (
        JSON.stringify(pooled) === JSON.stringify(r.total) &&
        JSON.stringify(inScope) === JSON.stringify(r.total) &&
        itemRate(r.other).n === 0 &&
        eachChild
      );
    }),
    500,
  );
});

t.test('periods: every instant falls in exactly one period, and ranges tile without gaps', async (t) => {
  const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms));
  holds(
    t,
    "an instant lies within its period's local days and their instants",
    fc.property(instant, fc.constantFrom('month' as const, 'quarter' as const, 'year' as const), (at, interval) => {
      const p = periodOf(at, interval);
      const { start, end } = instantRange(p.from, p.to);
      const day = localDate(at);
      return p.from <= day && day <= p.to && start <= at && at < end;
    }),
    1000,
  );
  holds(
    t,
    'periodsBetween covers from..to day after day, each piece inside one period',
    fc.property(instant, instant, fc.constantFrom('month' as const, 'quarter' as const), (a, b, interval) => {
      const [from, to] = [localDate(a), localDate(b)].sort() as [string, string];
      const ps = periodsBetween(from, to, interval);
      return (
        ps[0]?.from === from &&
        ps.at(-1)?.to === to &&
        ps.every((p, i) => i === 0 || ps[i - 1]!.to < p.from) &&
        ps.every((p, i) => i === 0 || nextDay(ps[i - 1]!.to) === p.from) &&
        ps.every((p) => periodOf(instantRange(p.from, p.to).start, interval).key === p.key && p.from <= p.to)
      );
    }),
    300,
  );
});

t.test('sample size needed: never above N, never above 400, grows with N', async (t) => {
  holds(
    t,
    'n ≤ N, n ≤ 400, n(N) ≤ n(N + 1)',
    fc.property(fc.integer({ min: 0, max: 10_000_000 }), (big) => {
      const n = sampleSizeNeeded(big);
      return n <= big && n <= 400 && n <= sampleSizeNeeded(big + 1);
    }),
    1000,
  );
});
