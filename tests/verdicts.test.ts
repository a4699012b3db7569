import { readFileSync } from 'node:fs';
import t from 'tap';
import { compareToPool, funnelLimits, pooledRate, Z998 } from '../analysis/funnel.ts';
import { judge, probabilityOfMeeting } from '../analysis/verdict.ts';
import { wilson } from '../analysis/wilson.ts';
import { verdictExplanation } from '../server/features/reports/exports/verdict-text.ts';

// The verdicts an official is judged by (methodology §3): the worked table of
// the methodology, the probability against scipy's beta distribution (an
// independent implementation: scripts/verdict-golden.py), and the funnel
// comparison of child units.

const golden = JSON.parse(readFileSync(new URL('./golden/verdict-probabilities.json', import.meta.url), 'utf8')) as {
  cases: { s: number; n: number; T: number; atLeast: number; atMost: number }[];
};

t.test('P(target met) matches scipy to 1e-4 (it is far closer), for "at least" and "at most" targets', async (t) => {
  let worst = 0;
  for (const c of golden.cases) {
    const atLeast = probabilityOfMeeting(c.s, c.n, { comparison: 'gte', threshold: c.T });
    const atMost = probabilityOfMeeting(c.s, c.n, { comparison: 'lte', threshold: c.T });
    worst = Math.max(worst, Math.abs(atLeast - c.atLeast), Math.abs(atMost - c.atMost));
  }
  t.ok(golden.cases.length >= 300, `${golden.cases.length} cases`);
  t.ok(worst < 1e-4, `largest difference ${worst.toExponential(2)}`);
});

t.test("the methodology's worked verdicts", async (t) => {
  const rows: [number, number, number, [number, number], number, string, number | null][] = [
    [63, 70, 0.85, [0.8077, 0.9507], 0.8833, 'likely_met', 126],
    [53, 55, 0.9, [0.8768, 0.99], 0.9565, 'likely_met', 31],
    [95, 100, 0.9, [0.8882, 0.9785], 0.9621, 'likely_met', 39],
    [18, 20, 0.85, [0.699, 0.9721], 0.7174, 'unclear', 176],
    [30, 33, 0.9, [0.7643, 0.9686], 0.5376, 'unclear', 4151],
    [45, 50, 0.9, [0.7864, 0.9565], 0.4743, 'unclear', null],
    [277, 322, 0.9, [0.8181, 0.8939], 0.0113, 'not_met', 0],
  ];
  for (const [s, n, T, [lo, hi], p, verdict, more] of rows) {
    const ci = wilson(s, n)!;
    const j = judge(s, n, { comparison: 'gte', threshold: T });
    t.ok(Math.abs(ci[0] - lo) < 5e-5 && Math.abs(ci[1] - hi) < 5e-5, `${s}/${n}: Wilson ${ci}`);
    t.ok(Math.abs(j.probabilityMet! - p) < 5e-5, `${s}/${n} against ${T}: P = ${j.probabilityMet}`);
    t.equal(j.verdict, verdict, `${s}/${n} against ${T}: ${verdict}`);
    t.equal(j.moreResponsesNeeded, more, `${s}/${n} against ${T}: ${more} more`);
  }
});

t.test('"at most" targets mirror: late dossiers < 1%', async (t) => {
  const lt1 = { comparison: 'lt' as const, threshold: 0.01 };
  t.equal(judge(0, 600, lt1).verdict, 'met', '0 late of 600: the upper bound is under 1%');
  t.equal(judge(20, 600, lt1).verdict, 'not_met', '20 of 600 late: the lower bound is over 1%');
  const close = judge(1, 400, lt1);
  t.equal(close.verdict, 'likely_met', `1 of 400 late: P(p ≤ 1%) = ${close.probabilityMet}`);
  t.equal(close.moreResponsesNeeded, 277);
  t.equal(judge(3, 400, lt1).verdict, 'unclear', '3 of 400 (0.75%): P = 0.67');
});

t.test('the verdict in words says the chance and what would settle it', async (t) => {
  const target = { id: 1, comparison: 'gte' as const, threshold: 0.85, sourcePlan: 'KH', sourceClause: null };
  const j = judge(63, 70, target);
  t.equal(
    verdictExplanation({ ...j, target, n: 70, suppressed: false }),
    'Khả năng đạt chỉ tiêu ≥ 85%: 88%. Nếu tỷ lệ giữ nguyên, cần thêm khoảng 126 phiếu để kết luận chắc chắn.',
  );
  const tie = judge(45, 50, { ...target, threshold: 0.9 });
  t.match(verdictExplanation({ ...tie, target, n: 50, suppressed: false }), /rất sát chỉ tiêu/);
  t.match(verdictExplanation({ ...judge(95, 100, target), target, n: 100, suppressed: false }), /^Đạt chỉ tiêu/);
});

t.test('funnel: each child against the pooled rate of the children compared', async (t) => {
  const children = [
    { satisfied: 90, n: 100, suppressed: false },
    { satisfied: 60, n: 100, suppressed: false },
    { satisfied: 150, n: 200, suppressed: false },
    { satisfied: 9, n: 12, suppressed: false },
    { satisfied: null, n: 3, suppressed: true },
    { satisfied: 0, n: 0, suppressed: false },
  ];
  const p0 = pooledRate(children)!;
  t.equal(p0, 309 / 412, 'Σs / Σn, the suppressed and empty ones left out');
  // 95% limits at n = 100 around 0.75: ±1.959964·√(0.75·0.25/100) = ±0.0849.
  const [lo, hi] = funnelLimits(p0, 100);
  t.ok(Math.abs(hi - lo - 2 * 1.959964 * Math.sqrt((p0 * (1 - p0)) / 100)) < 1e-12);
  t.same(
    children.map((c) => compareToPool(c, p0)),
    ['above', 'below', 'within', 'within', null, null],
    '90% of 100 above, 60% of 100 below; 75% of 12 is within, whatever its rank',
  );
  t.ok(funnelLimits(p0, 100, Z998)[1] > hi, 'the 99.8% funnel is wider');
  t.equal(pooledRate([]), null);
});
