import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import type { Db } from '../server/platform/db/connect.ts';
import { createDesk, deskSubmitHeaders } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// The JSON API used by kiosk apps, paper data entry and integrations: the
// survey descriptions they render from, and the response endpoint they post
// to, against a real PostgreSQL database.

const RESPONSES = '/api/v1/responses';

/** Answers the quick survey accepts, typed as the JSON API takes them. */
const VALID_ANSWERS = {
  access: 4,
  procedure: 5,
  staff: 5,
  result: 4,
  feedback: 'na',
  overall: 5,
  trips: '1',
  comment: 'Cán bộ hướng dẫn tận tình.',
};

const FACTORS = ['access', 'procedure', 'staff', 'result', 'feedback'];

interface ApiError {
  path: string;
  message: string;
  messageVi: string;
}

interface DescribedQuestion {
  key: string;
  type: string;
  factor?: string;
  values?: (number | string)[];
}

/** Posts as a kiosk app of the desk would, with a submit key that reaches it. */
async function post(app: FastifyInstance, payload: object): Promise<LightMyRequestResponse> {
  const headers = await deskSubmitHeaders(app.db, (payload as { desk?: unknown }).desk);
  return app.inject({ method: 'POST', url: RESPONSES, headers, payload });
}

/** A raw body with an explicit content type, for what a JSON object cannot express. */
async function postRaw(app: FastifyInstance, body: string | Buffer, contentType = 'application/json', desk?: string) {
  const headers = { ...(await deskSubmitHeaders(app.db, desk)), 'content-type': contentType };
  return app.inject({ method: 'POST', url: RESPONSES, headers, payload: body });
}

async function countRows(db: Db): Promise<{ responses: number; answers: number }> {
  const r = await db
    .selectFrom('response')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const a = await db
    .selectFrom('answer')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return { responses: Number(r.n), answers: Number(a.n) };
}

async function storedAnswers(db: Db, responseId: string) {
  return db
    .selectFrom('answer')
    .select(['indicator_key', 'value_num', 'value_option', 'value_text'])
    .where('response_id', '=', responseId)
    .orderBy('indicator_key')
    .execute();
}

/** The error list of a 422, checked for shape: every entry has a path and both messages. */
function errorsOf(t: Test, res: LightMyRequestResponse): ApiError[] {
  t.equal(res.statusCode, 422, `422 expected, got ${res.statusCode}: ${res.body}`);
  t.match(res.headers['content-type'], /^application\/json/);
  const body = res.json() as { errors?: ApiError[] };
  t.ok(Array.isArray(body.errors) && body.errors.length > 0, 'a non-empty errors list');
  for (const e of body.errors ?? []) {
    t.type(e.path, 'string');
    t.ok(typeof e.message === 'string' && e.message.length > 0, `message for ${e.path}`);
    t.ok(typeof e.messageVi === 'string' && e.messageVi.length > 0, `messageVi for ${e.path}`);
  }
  return body.errors ?? [];
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
  t.equal(body.version, 1);
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

t.test('an unknown survey is a JSON 404', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/api/v1/surveys/no-such-survey' });
  t.equal(res.statusCode, 404);
  t.match(res.headers['content-type'], /^application\/json/);
  t.equal(res.json().error, 'not_found');
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
    .executeTakeFirstOrThrow();
  t.equal(row?.survey_version_id, version.id, 'answers the quick survey, the default');

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
    t.equal(res.statusCode, 409, `${name}: 409`);
    t.equal(res.json().error, 'conflict', `${name}: error code`);
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

// ---------------------------------------------------------------------------
// Invalid responses: 422, a path per error, nothing stored

interface InvalidCase {
  name: string;
  /** Builds the body from a desk serving dat-dai and xay-dung. */
  body: (deskCode: string) => Record<string, unknown>;
  path: string;
  /** Part of the English message, when it matters which words the client sees. */
  message?: RegExp;
}

const base = (deskCode: string, answers: Record<string, unknown> = VALID_ANSWERS) => ({
  desk: deskCode,
  serviceArea: 'dat-dai',
  answers,
  submissionId: randomUUID(),
});

const withoutOverall = Object.fromEntries(Object.entries(VALID_ANSWERS).filter(([k]) => k !== 'overall'));

const INVALID: InvalidCase[] = [
  { name: 'overall missing', body: (d) => base(d, withoutOverall), path: 'answers.overall' },
  { name: 'overall null', body: (d) => base(d, { ...VALID_ANSWERS, overall: null }), path: 'answers.overall' },
  { name: 'scale value 6', body: (d) => base(d, { ...VALID_ANSWERS, access: 6 }), path: 'answers.access' },
  { name: 'scale value 0', body: (d) => base(d, { ...VALID_ANSWERS, staff: 0 }), path: 'answers.staff' },
  { name: 'scale value 4.5', body: (d) => base(d, { ...VALID_ANSWERS, result: 4.5 }), path: 'answers.result' },
  {
    name: "scale value '4' as a string",
    body: (d) => base(d, { ...VALID_ANSWERS, access: '4' }),
    path: 'answers.access',
  },
  { name: "'na' for overall", body: (d) => base(d, { ...VALID_ANSWERS, overall: 'na' }), path: 'answers.overall' },
  { name: 'unknown choice', body: (d) => base(d, { ...VALID_ANSWERS, trips: '4' }), path: 'answers.trips' },
  { name: 'unknown question key', body: (d) => base(d, { ...VALID_ANSWERS, hacked: 5 }), path: 'answers.hacked' },
  {
    name: 'comment over 1000 characters',
    body: (d) => base(d, { ...VALID_ANSWERS, comment: 'ệ'.repeat(1001) }),
    path: 'answers.comment',
  },
  {
    name: 'service area the desk does not serve',
    body: (d) => ({ ...base(d), serviceArea: 'y-te' }),
    path: 'serviceArea',
    message: /does not serve/,
  },
  {
    name: 'service area that does not exist',
    body: (d) => ({ ...base(d), serviceArea: 'khong-co' }),
    path: 'serviceArea',
  },
  {
    name: 'unknown desk',
    body: () => base('khong-co-quay-nay'),
    path: 'desk',
    message: /No active desk/,
  },
  { name: 'invalid submissionId', body: (d) => ({ ...base(d), submissionId: 'not-a-uuid' }), path: 'submissionId' },
  {
    name: 'missing submissionId',
    body: (d) => ({ desk: d, serviceArea: 'dat-dai', answers: VALID_ANSWERS }),
    path: 'submissionId',
  },
  {
    name: 'extra top-level field',
    body: (d) => ({ ...base(d), ipAddress: '203.0.113.7' }),
    path: 'ipAddress',
    message: /ipAddress/,
  },
  { name: "channel 'qr' is not the API's to claim", body: (d) => ({ ...base(d), channel: 'qr' }), path: 'channel' },
];

for (const c of INVALID) {
  t.test(`422 and nothing stored: ${c.name}`, async (t) => {
    const { app, db } = await testApp(t);
    const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
    const res = await post(app, c.body(desk.code));
    const errors = errorsOf(t, res);
    const hit = errors.find((e) => e.path === c.path);
    t.ok(hit, `an error at ${c.path} (got ${JSON.stringify(errors.map((e) => e.path))})`);
    if (c.message) t.match(hit?.message, c.message);
    t.same(await countRows(db), { responses: 0, answers: 0 }, 'nothing stored');
  });
}

t.test('every problem is reported at once, with both languages', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
  const res = await post(app, {
    desk: desk.code,
    serviceArea: 'giao-duc',
    answers: { ...withoutOverall, access: 6 },
    submissionId: randomUUID(),
  });
  const errors = errorsOf(t, res);
  t.same(errors.map((e) => e.path).sort(), ['answers.access', 'answers.overall', 'serviceArea']);
  const area = errors.find((e) => e.path === 'serviceArea');
  t.equal(area?.messageVi, 'Quầy này không phục vụ lĩnh vực đã chọn.');
  t.same(await countRows(db), { responses: 0, answers: 0 });
});

t.test('a desk with a single service area implies it; a desk with several needs it', async (t) => {
  const { app, db } = await testApp(t);
  const single = await createDesk(db, ['lao-dong-xa-hoi']);
  const several = await createDesk(db, ['y-te', 'bao-hiem']);

  const ok = await post(app, { desk: single.code, answers: VALID_ANSWERS, submissionId: randomUUID() });
  t.equal(ok.statusCode, 201, ok.body);
  const stored = await db
    .selectFrom('response')
    .select(['service_area_code', 'desk_id'])
    .where('id', '=', ok.json().id as string)
    .executeTakeFirst();
  t.same(stored, { service_area_code: 'lao-dong-xa-hoi', desk_id: single.deskId }, 'stored under the implied area');

  const refused = await post(app, { desk: several.code, answers: VALID_ANSWERS, submissionId: randomUUID() });
  const errors = errorsOf(t, refused);
  t.ok(
    errors.some((e) => e.path === 'serviceArea'),
    'the error is at serviceArea',
  );
  t.same(await countRows(db), { responses: 1, answers: 8 }, 'only the first response was stored');
});

// ---------------------------------------------------------------------------
// Transport-level refusals and hostile input: always a 4xx, never a 5xx

const STACK = '    at ';

t.test('bodies that are not JSON the API can read are refused with the right status', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const valid = JSON.stringify({ desk: desk.code, answers: VALID_ANSWERS, submissionId: randomUUID() });

  const malformed = await postRaw(app, '{"desk": "x", "answers": {');
  t.equal(malformed.statusCode, 400, 'malformed JSON: 400');
  t.match(malformed.headers['content-type'], /^application\/json/);

  const plain = await postRaw(app, valid, 'text/plain');
  t.equal(plain.statusCode, 415, 'text/plain: 415');
  const form = await postRaw(app, `desk=${desk.code}&overall=5`, 'application/x-www-form-urlencoded');
  t.equal(form.statusCode, 415, 'a form post: 415');

  const big = JSON.stringify({
    desk: desk.code,
    answers: { ...VALID_ANSWERS, comment: 'a'.repeat(65 * 1024) },
    submissionId: randomUUID(),
  });
  t.ok(Buffer.byteLength(big) > 64 * 1024);
  const tooLarge = await postRaw(app, big);
  t.equal(tooLarge.statusCode, 413, 'over 64 KiB: 413');

  const empty = await postRaw(app, '');
  t.equal(empty.statusCode, 400, 'empty JSON body: 400');

  for (const res of [malformed, plain, form, tooLarge, empty]) t.notOk(res.body.includes(STACK), 'no stack trace');
  t.same(await countRows(db), { responses: 0, answers: 0 }, 'nothing stored');

  // The control: the same valid body as JSON is accepted.
  const accepted = await postRaw(app, valid, 'application/json', desk.code);
  t.equal(accepted.statusCode, 201, accepted.body);
});

t.test('hostile bodies get a 4xx, never a 5xx or a stack trace, and store nothing', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const sid = () => randomUUID();
  const json = (answers: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ desk: desk.code, answers, submissionId: sid(), ...extra });
  const withComment = (comment: unknown) => json({ ...VALID_ANSWERS, comment });
  const validFields = json(VALID_ANSWERS).slice(1, -1);

  const hostile: [string, string][] = [
    ['an empty array', '[]'],
    ['an array of payloads', `[${json(VALID_ANSWERS)}]`],
    ['null', 'null'],
    ['true', 'true'],
    ['a number', '42'],
    ['a string', '"hello"'],
    ['an empty object', '{}'],
    ['objects nested 5000 deep', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`],
    ['arrays nested 20000 deep', `${'['.repeat(20000)}${']'.repeat(20000)}`],
    [
      'a deeply nested answer',
      json({ ...VALID_ANSWERS, access: 0 }).replace('"access":0', `"access":${'['.repeat(5000)}${']'.repeat(5000)}`),
    ],
    ['a number beyond double range', json({ ...VALID_ANSWERS, overall: 0 }).replace('"overall":0', '"overall":1e400')],
    [
      'a huge integer',
      json({ ...VALID_ANSWERS, overall: 0 }).replace('"overall":0', '"overall":123456789012345678901234567890'),
    ],
    ['a negative score', json({ ...VALID_ANSWERS, overall: -5 })],
    ['NaN literal', json({ ...VALID_ANSWERS, overall: 0 }).replace('"overall":0', '"overall":NaN')],
    ['an escaped NUL in the comment', withComment('Tốt\u0000lắm')],
    ['a raw NUL byte inside a string', `{${validFields.replace('Cán bộ', 'Cán\u0000bộ')}}`],
    ['a bidi override in the comment', withComment('Tốt \u202Egnol')],
    ['a lone high surrogate in the comment', withComment('Hỏng \ud800')],
    ['a lone low surrogate in the comment', withComment('\udc00')],
    ['an object as the comment', withComment({ text: 'x' })],
    ['a number as the comment', withComment(5)],
    ['answers as an array', JSON.stringify({ desk: desk.code, answers: [4, 5, 5, 4], submissionId: sid() })],
    ['answers null', JSON.stringify({ desk: desk.code, answers: null, submissionId: sid() })],
    ['a number as the desk', JSON.stringify({ desk: 12345, answers: VALID_ANSWERS, submissionId: sid() })],
    [
      'a desk code of 65 characters',
      JSON.stringify({ desk: 'q'.repeat(65), answers: VALID_ANSWERS, submissionId: sid() }),
    ],
    [
      'a NUL in the desk code',
      JSON.stringify({ desk: `${desk.code}\u0000`, answers: VALID_ANSWERS, submissionId: sid() }),
    ],
    [
      'a lone surrogate in the desk code',
      JSON.stringify({ desk: 'q-\ud800', answers: VALID_ANSWERS, submissionId: sid() }),
    ],
    ['a NUL in the service area', json(VALID_ANSWERS, { serviceArea: 'dat-dai\u0000' })],
    ['__proto__ in the answers', `{${validFields.replace('"access":4', '"__proto__":{"isAdmin":true},"access":4')}}`],
    ['constructor.prototype at the top', `{${validFields},"constructor":{"prototype":{"x":1}}}`],
    [
      '5000 unknown question keys',
      json({ ...VALID_ANSWERS, ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 1])) }),
    ],
    [
      'a duplicate key whose last value is invalid',
      `{${validFields.replace('"overall":5', '"overall":5,"overall":"na"')}}`,
    ],
    ['a locale the survey does not have', json(VALID_ANSWERS, { locale: 'fr' })],
    [
      'a SQL fragment as the desk',
      JSON.stringify({ desk: "x' or '1'='1", answers: VALID_ANSWERS, submissionId: sid() }),
    ],
  ];
  t.ok(hostile.length >= 30, `${hostile.length} hostile bodies`);

  for (const [name, body] of hostile) {
    const res = await postRaw(app, body);
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${name}: 4xx (got ${res.statusCode})`);
    t.notOk(res.body.includes(STACK), `${name}: no stack trace in the body`);
  }
  t.same(await countRows(db), { responses: 0, answers: 0 }, 'none of them was stored');
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
