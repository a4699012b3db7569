import t from 'tap';
import { type RoundAreaCounts, roundEstimate } from '../analysis/round-estimate.ts';

// A round's own figures (issue 16), against a calculation done by hand here
// from methodology §3 (Wilson) and §6 (weighted by resolved dossiers).

const close = (a: number | null | undefined, b: number, eps = 1e-9) =>
  a !== null && a !== undefined && Math.abs(a - b) < eps;

const Z = 1.959964;

/** Wilson 95% by its textbook formula, written out again here. */
function wilsonByHand(s: number, n: number): [number, number] {
  const p = s / n;
  const z2 = Z * Z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [centre - half, centre + half];
}

// Three areas: 600, 300 and 100 resolved dossiers; 40, 20 and 10 valid answers.
const AREAS: RoundAreaCounts[] = [
  { code: 'dat-dai', responses: 42, n: 40, satisfied: 32, resolved: 600, planned: 50 },
  { code: 'ho-tich', responses: 20, n: 20, satisfied: 18, resolved: 300, planned: 25 },
  { code: 'y-te', responses: 10, n: 10, satisfied: 5, resolved: 100, planned: 10 },
];

t.test('weighted by the volumes: rate, interval, unweighted figure and response rate', async (t) => {
  const e = roundEstimate(AREAS);
  t.equal(e.weights, 'volumes');
  // Weights 0.6, 0.3, 0.1; rates 0.8, 0.9, 0.5 → 0.48 + 0.27 + 0.05 = 0.80.
  t.ok(close(e.stratified?.rate, 0.8), `rate ${e.stratified?.rate}`);
  // p̃ = 33/42, 19/22, 6/12; variance = 0.36·p̃(1−p̃)/40 + 0.09·p̃(1−p̃)/20 + 0.01·0.25/10
  //   = 0.0015153 + 0.0005300 + 0.00025 = 0.0022953; half = 1.959964 × 0.047909 = 0.093900.
  const p1 = 33 / 42;
  const p2 = 19 / 22;
  const variance = (0.36 * p1 * (1 - p1)) / 40 + (0.09 * p2 * (1 - p2)) / 20 + (0.01 * 0.25) / 10;
  const half = Z * Math.sqrt(variance);
  t.ok(close(half, 0.0939, 1e-4), `half-width ${half}`);
  t.ok(close(e.stratified?.ci95[0], 0.8 - half), `lower ${e.stratified?.ci95[0]}`);
  t.ok(close(e.stratified?.ci95[1], 0.8 + half), `upper ${e.stratified?.ci95[1]}`);
  // Pooled: 55 / 70 = 78.57 %.
  t.equal(e.unweighted.n, 70);
  t.equal(e.unweighted.satisfied, 55);
  t.ok(close(e.unweighted.rate, 55 / 70));
  const [lo, hi] = wilsonByHand(55, 70);
  t.ok(close(e.unweighted.ci95?.[0], lo) && close(e.unweighted.ci95?.[1], hi), 'Wilson interval of 55/70');
  // 72 responses of 85 planned.
  t.equal(e.responses, 72);
  t.equal(e.planned, 85);
  t.ok(close(e.responseRate, 72 / 85));
  const [dat, ho, yte] = e.areas;
  t.ok(close(dat?.responseRate, 42 / 50) && close(ho?.responseRate, 20 / 25) && close(yte?.responseRate, 1));
  t.ok(close(dat?.rate, 0.8) && close(ho?.rate, 0.9) && close(yte?.rate, 0.5));
  t.ok(close(dat?.share, 0.6) && close(ho?.share, 0.3) && close(yte?.share, 0.1), 'shares of the weights');
  const [ylo, yhi] = wilsonByHand(5, 10);
  t.ok(close(yte?.ci95?.[0], ylo) && close(yte?.ci95?.[1], yhi));
  t.ok(yte?.smallSample, '10 answers is a small sample');
  t.notOk(yte?.suppressed);
});

t.test('without volumes the quotas weigh; areas thin or without answers stay out', async (t) => {
  const areas = [
    ...AREAS.map((a) => ({ ...a, resolved: null })),
    { code: 'xay-dung', responses: 3, n: 3, satisfied: 3, resolved: null, planned: 15 },
    { code: 'khac', responses: 0, n: 0, satisfied: 0, resolved: null, planned: 5 },
  ];
  const e = roundEstimate(areas);
  t.equal(e.weights, 'quotas');
  // Quotas 50, 25, 10, 15 over the areas with answers (khác has none): total 100.
  // 0.5·0.8 + 0.25·0.9 + 0.1·0.5 + 0.15·1 = 0.4 + 0.225 + 0.05 + 0.15 = 0.825.
  t.ok(close(e.stratified?.rate, 0.825), `rate ${e.stratified?.rate}`);
  const xay = e.areas[3]!;
  t.ok(xay.suppressed, 'three answers are withheld in the table');
  t.equal(xay.rate, null);
  t.ok(close(xay.share, 0.15), 'but still count in the estimate');
  t.equal(e.areas[4]!.share, null);
  t.equal(e.planned, 105);
});

t.test('areas without answers or without volumes are left out of the weights', async (t) => {
  const e = roundEstimate([
    { code: 'a', responses: 10, n: 10, satisfied: 9, resolved: 100, planned: 10 },
    { code: 'b', responses: 0, n: 0, satisfied: 0, resolved: 900, planned: 10 },
    { code: 'c', responses: 10, n: 10, satisfied: 1, resolved: null, planned: 10 },
  ]);
  t.equal(e.weights, 'volumes');
  t.ok(close(e.stratified?.rate, 0.9), 'only area a has both');
  t.same(
    e.areas.map((a) => a.share),
    [1, null, null],
  );
  t.ok(close(e.unweighted.rate, 0.5), 'the pooled figure counts everyone');
});

t.test('nothing answered: no estimate, rates null, planned kept', async (t) => {
  const e = roundEstimate([{ code: 'a', responses: 0, n: 0, satisfied: 0, resolved: 10, planned: 8 }]);
  t.equal(e.stratified, null);
  t.equal(e.unweighted.rate, null);
  t.equal(e.unweighted.ci95, null);
  t.equal(e.responseRate, 0);
  t.equal(roundEstimate([]).responseRate, null);
  t.throws(() => roundEstimate([{ code: 'a', responses: 1, n: 2, satisfied: 1, resolved: 1, planned: 1 }]));
});
