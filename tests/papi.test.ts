import t from 'tap';
import {
  PAPI_DIMENSIONS,
  PAPI_REVERSED_ITEMS,
  PAPI_SELF_ASSESSMENT_LABEL,
  type PapiRespondent,
  type PapiScores,
  papiScores,
} from '../analysis/papi.ts';
import { SHIPPED_SURVEYS } from '../surveys/instruments.ts';
import { PAPI_DIMENSION_KEYS, papiXa } from '../surveys/papi-xa.ts';
import { questionsOf, SurveyDefinitionSchema } from '../surveys/schema.ts';

// The PAPI-aligned commune questionnaire and its scores (methodology §7),
// against figures worked out by hand. Pure: no database.

const close = (a: number | null | undefined, b: number) => a !== null && a !== undefined && Math.abs(a - b) < 1e-9;

t.test('papi-xa: eight dimensions of at least three items, keyed papi.<dimension>.<item>', async (t) => {
  const parsed = SurveyDefinitionSchema.safeParse(papiXa);
  t.ok(parsed.success, parsed.success ? 'valid' : parsed.error.message);
  const def = SHIPPED_SURVEYS.find((d) => d.code === 'papi-xa');
  if (!def) return t.fail('papi-xa is shipped');
  const questions = questionsOf(def);
  t.same(PAPI_DIMENSION_KEYS, [
    'participation',
    'transparency',
    'accountability',
    'corruption',
    'procedures',
    'services',
    'environment',
    'egovernance',
  ]);
  for (const dimension of PAPI_DIMENSION_KEYS) {
    const items = questions.filter((q) => q.key.startsWith(`papi.${dimension}.`));
    t.ok(items.length >= 3 && items.length <= 5, `${dimension}: ${items.length} items`);
    const section = def.sections.find((s) => s.questions.some((q) => q.key.startsWith(`papi.${dimension}.`)));
    t.same(section?.title, PAPI_DIMENSIONS.find((d) => d.key === dimension)?.name, `${dimension} has its own section`);
  }
  const papi = questions.filter((q) => q.key.startsWith('papi.'));
  for (const q of papi) {
    t.match(q.key, /^papi\.[a-z]+\.[a-z][a-z0-9_]*$/, `${q.key} is keyed papi.<dimension>.<item>`);
    t.notOk(q.required, `${q.key} may be skipped`);
    if (q.type === 'choice')
      t.same(
        q.options.map((o) => o.code),
        ['yes', 'no', 'na'],
        `${q.key} is yes/no`,
      );
    else t.ok(q.type === 'scale' && q.factor === undefined && q.allowNa, `${q.key} is a 1–5 scale outside the factors`);
  }
  t.same(
    [...PAPI_REVERSED_ITEMS].sort(),
    ['papi.corruption.bribe_asked', 'papi.corruption.job_connections', 'papi.corruption.public_funds'],
    'the items where "no" is the good answer',
  );
  t.same(
    questions.filter((q) => !q.key.startsWith('papi.')).map((q) => q.key),
    ['overall', 'comment'],
  );
  t.match(def.title.vi, /không phải Chỉ số PAPI chính thức/, 'the title says it is not the official index');
  t.match(def.title.en, /not the official PAPI index/);
  t.equal(PAPI_SELF_ASSESSMENT_LABEL.vi, 'Tự đánh giá theo các trụ cột của PAPI (không phải Chỉ số PAPI chính thức)');
});

// Eight respondents, two or three items per dimension answered (the rest not
// asked of them). `na`, '' and null are all "no answer".
const COLUMNS = {
  'papi.participation.voted_head': ['yes', 'yes', 'no', 'na', 'yes', null, 'no', 'yes'],
  'papi.participation.heard': [5, 4, 3, 'na', 2, 5, undefined, 4],
  'papi.transparency.budget': ['no', 'no', 'yes', 'no', '', 'no', 'yes', 'no'],
  'papi.transparency.land_compensation': [1, 2, 2, 3, 1, 'na', 'na', 2],
  'papi.accountability.resolved': ['yes', 'yes', 'yes', 'yes', 'no', 'na', 'yes', 'yes'],
  'papi.accountability.answered': [4, 4, 4, 4, 4, 4, 4, 4],
  'papi.corruption.bribe_asked': ['no', 'no', 'yes', 'no', 'no', 'no', 'yes', 'na'],
  'papi.corruption.resolve': [3, 3, 2, 'na', 4, 1, 2, 3],
  'papi.procedures.on_time': ['yes', 'no', 'yes', 'yes', 'yes', 'yes', 'no', 'yes'],
  'papi.procedures.quality': [5, 5, 4, 4, 3, 5, 4, 5],
  'papi.services.health_station': [3, 4, 'na', 3, 2, 4, 3, 3],
  'papi.services.roads': [2, 2, 2, 2, null, null, null, null],
  'papi.services.safety': [5, 5, 5, 5, 4, 4, 4, 5],
  'papi.environment.air': [2, 'na', null, 1, 'na', 3, '', 2],
  'papi.environment.water': ['na', 'na', 'na', 'na', 'na', 'na', 'na', 'na'],
  'papi.egovernance.internet': ['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes'],
  'papi.egovernance.online_ease': ['na', 5, null, 3, 'na', 'na', 4, 'na'],
  // Outside the dimensions: never counted.
  overall: [1, 1, 1, 1, 1, 1, 1, 1],
  comment: ['Tốt', null, null, null, null, null, null, 'Chậm'],
} as const;

const ROUND: PapiRespondent[] = Array.from({ length: 8 }, (_, i) =>
  Object.fromEntries(
    Object.entries(COLUMNS)
      .filter(([, values]) => values[i] !== undefined)
      .map(([key, values]) => [key, values[i]]),
  ),
);

// By hand: an item's mean is the mean of its rescaled answers (yes/no → 1/0,
// v → (v − 1)/4), a dimension 1 + 9 × the mean of its item means.
const EXPECTED: Record<string, number> = {
  // voted_head 4 yes of 6; heard (1 + .75 + .5 + .25 + 1 + .75)/6 = 17/24
  participation: 1 + 9 * ((4 / 6 + 17 / 24) / 2), // 7.1875
  // budget 2 yes of 7; land_compensation (0 + .25 + .25 + .5 + 0 + .25)/6 = 5/24
  transparency: 1 + 9 * ((2 / 7 + 5 / 24) / 2),
  // resolved 6 yes of 7; answered 4 everywhere → .75
  accountability: 1 + 9 * ((6 / 7 + 3 / 4) / 2),
  // bribe_asked is reversed: 5 "no" of 7; resolve (.5 + .5 + .25 + .75 + 0 + .25 + .5)/7 = 11/28
  corruption: 1 + 9 * ((5 / 7 + 11 / 28) / 2),
  // on_time 6 yes of 8; quality (1 + 1 + .75 + .75 + .5 + 1 + .75 + 1)/8 = 27/32
  procedures: 1 + 9 * ((6 / 8 + 27 / 32) / 2), // 8.171875
  // health_station 3.75/7 = 15/28; roads .25 × 4 / 4; safety (5 × 1 + 3 × .75)/8 = 29/32
  services: 1 + 9 * ((15 / 28 + 1 / 4 + 29 / 32) / 3), // 1 + 9 × 379/672
  // air (.25 + 0 + .5 + .25)/4; water has no answer and is left out
  environment: 1 + 9 * (1 / 4), // 3.25
  // internet 8 yes of 8; online_ease (1 + .5 + .75)/3
  egovernance: 1 + 9 * ((1 + 3 / 4) / 2), // 8.875
};
const EXPECTED_TOTAL = Object.values(EXPECTED).reduce((a, b) => a + b, 0);

const scoreOf = (scores: PapiScores, key: string) => scores.dimensions.find((d) => d.key === key)?.score;

t.test('the dimension scores and the total match a calculation by hand', async (t) => {
  const scores = papiScores(ROUND, { resamples: 200 });
  t.equal(scores.respondents, 8);
  t.same(
    scores.dimensions.map((d) => d.key),
    PAPI_DIMENSION_KEYS,
    'in PAPI order',
  );
  for (const [key, expected] of Object.entries(EXPECTED)) {
    t.ok(close(scoreOf(scores, key), expected), `${key}: ${scoreOf(scores, key)} = ${expected}`);
  }
  t.ok(close(scores.total.score, EXPECTED_TOTAL), `total ${scores.total.score} = ${EXPECTED_TOTAL}`);
  t.equal(scores.total.max, 80);
  t.same(scores.label, PAPI_SELF_ASSESSMENT_LABEL, 'labelled a self-assessment');
  const participation = scores.dimensions[0]!;
  t.same(
    participation.items.map((i) => [i.key, i.n]),
    [
      ['papi.participation.heard', 6],
      ['papi.participation.voted_head', 6],
    ],
    'items with the number who answered',
  );
  t.same(
    scores.dimensions.find((d) => d.key === 'environment')?.items.map((i) => i.key),
    ['papi.environment.air'],
    'an item nobody answered is left out, not counted as 0',
  );
});

t.test('na and blanks are left out', async (t) => {
  const blank: PapiRespondent = {
    'papi.participation.voted_head': 'na',
    'papi.participation.heard': null,
    'papi.transparency.budget': '',
    'papi.services.roads': 'na',
    overall: 5,
  };
  const withBlank = papiScores([...ROUND, blank, {}], { resamples: 50 });
  const without = papiScores(ROUND, { resamples: 50 });
  t.equal(withBlank.respondents, 10);
  t.same(
    withBlank.dimensions.map((d) => d.score),
    without.dimensions.map((d) => d.score),
    'no score moves',
  );
});

t.test('a reversed yes/no item counts "no" as the good answer', async (t) => {
  const corruption = (answers: PapiRespondent[]) => scoreOf(papiScores(answers, { resamples: 10 }), 'corruption');
  t.equal(corruption([{ 'papi.corruption.bribe_asked': 'no' }]), 10, 'no bribe asked: the top score');
  t.equal(corruption([{ 'papi.corruption.bribe_asked': 'yes' }]), 1, 'a bribe asked: the bottom score');
  t.equal(corruption([{ 'papi.corruption.bribe_asked': 'no' }, { 'papi.corruption.bribe_asked': 'yes' }]), 5.5);
  t.equal(scoreOf(papiScores([{ 'papi.egovernance.internet': 'yes' }], { resamples: 10 }), 'egovernance'), 10);
  t.equal(
    scoreOf(
      papiScores([{ 'papi.corruption.bribe_asked': 'yes' }], { reversed: new Set(), resamples: 10 }),
      'corruption',
    ),
    10,
    'the list of reversed items is what decides',
  );
});

t.test('the bootstrap over respondents is deterministic and brackets the estimate', async (t) => {
  const a = papiScores(ROUND);
  const b = papiScores(ROUND);
  t.same(a, b, 'the same answers give the same intervals');
  for (const d of a.dimensions) {
    const [lo, hi] = d.ci95 ?? [Number.NaN, Number.NaN];
    t.ok(lo <= d.score! && d.score! <= hi, `${d.key}: ${lo} ≤ ${d.score} ≤ ${hi}`);
    t.ok(lo >= 1 && hi <= 10, `${d.key}: within 1..10`);
  }
  const [lo, hi] = a.total.ci95 ?? [Number.NaN, Number.NaN];
  t.ok(lo <= a.total.score! && a.total.score! <= hi, `total: ${lo} ≤ ${a.total.score} ≤ ${hi}`);
  t.ok(lo < hi, 'eight people leave room for doubt');
  t.same(
    a.dimensions.find((d) => d.key === 'accountability')?.items.find((i) => i.key === 'papi.accountability.answered'),
    { key: 'papi.accountability.answered', n: 8, mean: 0.75 },
  );
  const other = papiScores(ROUND, { seed: 7 });
  t.not(other.total.ci95?.[0], a.total.ci95?.[0], 'another seed, other resamples');
  t.same(
    other.dimensions.map((d) => d.score),
    a.dimensions.map((d) => d.score),
    'the estimates do not depend on the seed',
  );
});

t.test('null cases', async (t) => {
  const none = papiScores([]);
  t.equal(none.respondents, 0);
  t.ok(
    none.dimensions.every((d) => d.score === null && d.ci95 === null && d.items.length === 0),
    'no respondents: no scores',
  );
  t.same(none.total, { score: null, max: 80, ci95: null });

  const noEnvironment = papiScores(
    ROUND.map((r) => ({ ...r, 'papi.environment.air': 'na' })),
    { resamples: 50 },
  );
  const environment = noEnvironment.dimensions.find((d) => d.key === 'environment');
  t.same([environment?.score, environment?.ci95], [null, null], 'a dimension with no answered item has no score');
  t.same([noEnvironment.total.score, noEnvironment.total.ci95], [null, null], 'nor has the total');
  t.ok(close(scoreOf(noEnvironment, 'services'), EXPECTED.services!), 'the other dimensions keep theirs');

  t.throws(() => papiScores([{ 'papi.governance.x': 'yes' }]), /names no PAPI dimension/);
  t.throws(() => papiScores([{ 'papi.services.roads': 6 }]), /answer no PAPI item gives/);
  t.throws(() => papiScores([{ 'papi.services.roads': 'maybe' }]), /answer no PAPI item gives/);
});
