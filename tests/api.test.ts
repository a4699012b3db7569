import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Db } from '../server/platform/db/connect.ts';
import { countRows, expectApiError, post, VALID_ANSWERS } from './helpers/api.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// The JSON API used by kiosk apps, paper data entry and integrations: the
// survey descriptions they render from, and the response endpoint they post
// to, against a real PostgreSQL database. Refusals: api-errors.test.ts.

const FACTORS = ['access', 'procedure', 'staff', 'result', 'feedback'];

interface DescribedQuestion {
  key: string;
  type: string;
  factor?: string;
  values?: (number | string)[];
}

async function storedAnswers(db: Db, responseId: string) {
  return db
    .selectFrom('answer')
    .select(['indicator_key', 'value_num', 'value_option', 'value_text'])
    .where('response_id', '=', responseId)
    .orderBy('indicator_key')
    .execute();
}

// ---------------------------------------------------------------------------
// Survey descriptions

t.test('GET /api/v1/surveys/sipas-quick describes the quick survey a client renders', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/api/v1/surveys/sipas-quick' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const body = res.json() as { code: string; version: number; questions: DescribedQuestion[] };
  t.equal(body.code, 'sipas-quick');
  t.equal(body.version, 2, 'the latest shipped version');
  t.ok(Array.isArray(body.questions));
  const byKey = new Map(body.questions.map((q) => [q.key, q]));

  for (const key of FACTORS) {
    const q = byKey.get(key);
    t.ok(q, `question ${key} is present`);
    t.equal(q?.type, 'scale', `${key} is a scale item`);
    t.equal(q?.factor, key, `${key} counts towards factor ${key}`);
    t.same(q?.values, [1, 2, 3, 4, 5, 'na'], `${key} accepts 1-5 and na`);
  }
  const overall = byKey.get('overall');
  t.ok(overall, 'overall is present');
  t.equal(overall?.type, 'scale');
  t.notOk(overall && 'factor' in overall, 'overall belongs to no factor');
  t.same(overall?.values, [1, 2, 3, 4, 5], 'overall accepts 1-5 only');
  t.notOk(overall?.values?.includes('na'), 'overall does not accept na');
  t.same(byKey.get('trips')?.values, ['1', '2', '3plus'], 'choice items list their option codes');
});

t.test('GET /api/v1/surveys/sipas-full has the 22 factor criteria', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/api/v1/surveys/sipas-full' });
  t.equal(res.statusCode, 200);
  const body = res.json() as { code: string; questions: DescribedQuestion[] };
  t.equal(body.code, 'sipas-full');
  const factorItems = body.questions.filter((q) => q.factor !== undefined);
  t.equal(factorItems.length, 22);
  const polite = factorItems.find((q) => q.key === 'staff.polite');
  t.ok(polite, 'staff.polite is one of them');
  t.equal(polite?.factor, 'staff');
  for (const q of factorItems) {
    t.ok(FACTORS.includes(q.factor ?? ''), `${q.key} has a known factor`);
    t.ok(q.key.startsWith(`${q.factor}.`), `${q.key} is keyed under its factor`);
  }
  const overall = body.questions.find((q) => q.key === 'overall');
  t.ok(overall && overall.factor === undefined, 'overall is there, outside the factors');
});

t.test('an unknown survey, or a code of the wrong form, is a JSON 404', async (t) => {
  const { app } = await testApp(t);
  for (const code of ['no-such-survey', 'Not_A_Code', 'x', `q${'a'.repeat(70)}`]) {
    const res = await app.inject({ method: 'GET', url: `/api/v1/surveys/${code}` });
    expectApiError(t, res, 404, 'survey.not_found');
  }
});

// ---------------------------------------------------------------------------
// Posting a response

t.test('a valid response is stored: one response row and one row per answer', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const submissionId = randomUUID();
  const res = await post(app, { desk: desk.code, serviceArea: 'dat-dai', answers: VALID_ANSWERS, submissionId });
  t.equal(res.statusCode, 201, res.body);
  const id = res.json().id as unknown;
  t.type(id, 'string');
  if (typeof id !== 'string') return;

  const responses = await db.selectFrom('response').selectAll().execute();
  t.equal(responses.length, 1, 'exactly one response row');
  const row = responses[0];
  t.equal(row?.id, id, 'the id returned is the stored row');
  t.equal(row?.submission_id, submissionId);
  t.equal(row?.channel, 'api');
  t.equal(row?.desk_id, desk.deskId);
  t.equal(row?.unit_id, desk.centreId, 'counted for the desk’s centre');
  t.equal(row?.service_area_code, 'dat-dai');
  t.equal(row?.locale, 'vi');
  const version = await db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select('v.id')
    .where('s.code', '=', 'sipas-quick')
    .orderBy('v.version', 'desc')
    .executeTakeFirstOrThrow();
  t.equal(row?.survey_version_id, version.id, 'answers the latest version of the quick survey, the default');

  t.same(await storedAnswers(db, id), [
    { indicator_key: 'access', value_num: 4, value_option: null, value_text: null },
    { indicator_key: 'comment', value_num: null, value_option: null, value_text: 'Cán bộ hướng dẫn tận tình.' },
    { indicator_key: 'feedback', value_num: null, value_option: 'na', value_text: null },
    { indicator_key: 'overall', value_num: 5, value_option: null, value_text: null },
    { indicator_key: 'procedure', value_num: 5, value_option: null, value_text: null },
    { indicator_key: 'result', value_num: 4, value_option: null, value_text: null },
    { indicator_key: 'staff', value_num: 5, value_option: null, value_text: null },
    { indicator_key: 'trips', value_num: null, value_option: '1', value_text: null },
  ]);
  t.same(await countRows(db), { responses: 1, answers: 8 }, 'nothing else was stored');
});

t.test('a replay of the same submission returns the same id and stores nothing more', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const submissionId = randomUUID();
  const payload = { desk: desk.code, serviceArea: 'ho-tich', answers: VALID_ANSWERS, submissionId };
  const first = await post(app, payload);
  t.equal(first.statusCode, 201, first.body);
  const id = first.json().id as string;

  const again = await post(app, payload);
  t.equal(again.statusCode, 200, again.body);
  t.equal(again.json().id, id, 'same id on replay');

  // The same content with keys in another order, at both levels.
  const reordered = Object.fromEntries(Object.entries(VALID_ANSWERS).reverse());
  const shuffled = await post(app, { submissionId, answers: reordered, serviceArea: 'ho-tich', desk: desk.code });
  t.equal(shuffled.statusCode, 200, shuffled.body);
  t.equal(shuffled.json().id, id, 'key order does not matter');

  // The desk serves one area: leaving it out says the same thing.
  const implied = await post(app, { desk: desk.code, answers: VALID_ANSWERS, submissionId });
  t.equal(implied.statusCode, 200, implied.body);
  t.equal(implied.json().id, id, 'an implied service area is the same submission');

  t.same(await countRows(db), { responses: 1, answers: 8 }, 'still one response');
});

t.test('the same submissionId with other answers is a 409 and changes nothing', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich', 'chung-thuc']);
  const otherDesk = await createDesk(db, ['ho-tich']);
  const submissionId = randomUUID();
  const first = await post(app, { desk: desk.code, serviceArea: 'ho-tich', answers: VALID_ANSWERS, submissionId });
  t.equal(first.statusCode, 201, first.body);
  const id = first.json().id as string;
  const before = await storedAnswers(db, id);

  const conflicts: [string, object][] = [
    [
      'another score',
      { desk: desk.code, serviceArea: 'ho-tich', answers: { ...VALID_ANSWERS, overall: 1 }, submissionId },
    ],
    [
      'another comment',
      { desk: desk.code, serviceArea: 'ho-tich', answers: { ...VALID_ANSWERS, comment: 'Khác' }, submissionId },
    ],
    [
      'a missing optional answer',
      { desk: desk.code, serviceArea: 'ho-tich', answers: { ...VALID_ANSWERS, trips: null }, submissionId },
    ],
    ['another service area', { desk: desk.code, serviceArea: 'chung-thuc', answers: VALID_ANSWERS, submissionId }],
    ['another desk', { desk: otherDesk.code, serviceArea: 'ho-tich', answers: VALID_ANSWERS, submissionId }],
  ];
  for (const [name, payload] of conflicts) {
    const res = await post(app, payload);
    t.equal(expectApiError(t, res, 409, 'submission.conflict').errors.length, 0, `${name}: 409, no field at fault`);
  }

  t.same(await countRows(db), { responses: 1, answers: 8 }, 'no row added');
  t.same(await storedAnswers(db, id), before, 'the stored answers are unchanged');
  const row = await db.selectFrom('response').select(['desk_id', 'service_area_code']).executeTakeFirstOrThrow();
  t.same(row, { desk_id: desk.deskId, service_area_code: 'ho-tich' }, 'the stored response is unchanged');
});

t.test('50 concurrent posts of one submission store it once', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['cu-tru']);
  const payload = { desk: desk.code, serviceArea: 'cu-tru', answers: VALID_ANSWERS, submissionId: randomUUID() };
  const results = await Promise.all(Array.from({ length: 50 }, () => post(app, payload)));
  const statuses = results.map((r) => r.statusCode);
  t.equal(statuses.filter((s) => s === 201).length, 1, 'exactly one 201');
  t.equal(statuses.filter((s) => s === 200).length, 49, 'the other 49 are 200');
  const ids = new Set(results.map((r) => r.json().id as unknown));
  t.equal(ids.size, 1, 'all answers name the same id');
  const stored = await db.selectFrom('response').select('id').execute();
  t.equal(stored.length, 1, 'one response row');
  t.ok(ids.has(stored[0]?.id), 'and it is the id returned');
  t.equal((await countRows(db)).answers, 8, 'its answers stored once');
});

t.test('the comment is stored NFC-normalised', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dau-tu-kinh-doanh']);
  const decomposed = 'Hoa\u0300';
  t.not(decomposed, 'Hoà'.normalize('NFC'), 'the input really is decomposed');
  const res = await post(app, {
    desk: desk.code,
    answers: { ...VALID_ANSWERS, comment: decomposed },
    submissionId: randomUUID(),
  });
  t.equal(res.statusCode, 201, res.body);
  const row = await db
    .selectFrom('answer')
    .select('value_text')
    .where('response_id', '=', res.json().id as string)
    .where('indicator_key', '=', 'comment')
    .executeTakeFirst();
  t.equal(row?.value_text, 'Hoà'.normalize('NFC'));
});
