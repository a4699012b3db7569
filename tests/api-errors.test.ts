import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import type { ApiErrorItem, FieldErrorCode } from '../server/platform/http/api-errors.ts';
import { countRows, expectApiError, post, postRaw, RESPONSES, VALID_ANSWERS } from './helpers/api.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// What the response API refuses, and how: every problem of a body at once,
// each at its path with a stable code and both languages (422); bodies that
// are not JSON it can read (400, 413, 415); hostile bodies, always a 4xx and
// never a stack trace. Nothing refused is stored.

type Refusal = 'validation.failed' | 'submission.invalid' | 'desk.unknown';

/** The error list of a 422, checked for the one error body. */
function errorsOf(t: Test, res: LightMyRequestResponse, code: Refusal): ApiErrorItem[] {
  const body = expectApiError(t, res, 422, code);
  t.ok(body.errors.length > 0, 'a non-empty errors list');
  return body.errors;
}

// ---------------------------------------------------------------------------
// Invalid responses: 422, a path per error, nothing stored

interface InvalidCase {
  name: string;
  /** Builds the body from a desk serving dat-dai and xay-dung. */
  body: (deskCode: string) => Record<string, unknown>;
  /** The body's code, then the field at fault and its code. */
  code: Refusal;
  path: string;
  item: FieldErrorCode;
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

/** An answer the survey's rules refuse (surveys/answers.ts), with the same answers otherwise. */
const answer = (name: string, answers: Record<string, unknown>, key: string, item: FieldErrorCode): InvalidCase => ({
  name,
  body: (d) => base(d, answers),
  code: 'submission.invalid',
  path: `answers.${key}`,
  item,
});

const INVALID: InvalidCase[] = [
  answer('overall missing', withoutOverall, 'overall', 'answer.required'),
  answer('overall null', { ...VALID_ANSWERS, overall: null }, 'overall', 'answer.required'),
  answer('scale value 6', { ...VALID_ANSWERS, access: 6 }, 'access', 'answer.invalid_value'),
  answer('scale value 0', { ...VALID_ANSWERS, staff: 0 }, 'staff', 'answer.invalid_value'),
  answer('scale value 4.5', { ...VALID_ANSWERS, result: 4.5 }, 'result', 'answer.invalid_value'),
  answer("scale value '4' as a string", { ...VALID_ANSWERS, access: '4' }, 'access', 'answer.invalid_value'),
  answer("'na' for overall", { ...VALID_ANSWERS, overall: 'na' }, 'overall', 'answer.invalid_value'),
  answer('unknown choice', { ...VALID_ANSWERS, trips: '4' }, 'trips', 'answer.invalid_value'),
  answer('unknown question key', { ...VALID_ANSWERS, hacked: 5 }, 'hacked', 'answer.unknown_question'),
  answer('comment over 1000 characters', { ...VALID_ANSWERS, comment: 'ệ'.repeat(1001) }, 'comment', 'answer.too_long'),
  answer('a NUL in the comment', { ...VALID_ANSWERS, comment: 'Tốt\u0000lắm' }, 'comment', 'answer.invalid_text'),
  {
    name: 'service area the desk does not serve',
    body: (d) => ({ ...base(d), serviceArea: 'y-te' }),
    code: 'submission.invalid',
    path: 'serviceArea',
    item: 'service_area.not_served',
    message: /does not serve/,
  },
  {
    name: 'service area that does not exist',
    body: (d) => ({ ...base(d), serviceArea: 'khong-co' }),
    code: 'submission.invalid',
    path: 'serviceArea',
    item: 'service_area.not_served',
  },
  {
    name: 'unknown desk',
    body: () => base('khong-co-quay-nay'),
    code: 'desk.unknown',
    path: 'desk',
    item: 'desk.unknown',
    message: /No active desk/,
  },
  {
    name: 'invalid submissionId',
    body: (d) => ({ ...base(d), submissionId: 'not-a-uuid' }),
    code: 'validation.failed',
    path: 'submissionId',
    item: 'validation.invalid_format',
  },
  {
    name: 'missing submissionId',
    body: (d) => ({ desk: d, serviceArea: 'dat-dai', answers: VALID_ANSWERS }),
    code: 'validation.failed',
    path: 'submissionId',
    item: 'validation.required',
  },
  {
    name: 'extra top-level field',
    body: (d) => ({ ...base(d), ipAddress: '203.0.113.7' }),
    code: 'validation.failed',
    path: 'ipAddress',
    item: 'validation.unrecognized_keys',
    message: /ipAddress/,
  },
  {
    name: "channel 'qr' is not the API's to claim",
    body: (d) => ({ ...base(d), channel: 'qr' }),
    code: 'validation.failed',
    path: 'channel',
    item: 'validation.invalid_value',
  },
  {
    name: 'a desk code of the wrong form',
    body: (d) => ({ ...base(d), desk: `${d.toUpperCase()}!` }),
    code: 'validation.failed',
    path: 'desk',
    item: 'validation.invalid_format',
  },
  {
    name: 'a text answer as an object',
    body: (d) => base(d, { ...VALID_ANSWERS, comment: { text: 'x' } }),
    code: 'validation.failed',
    path: 'answers.comment',
    item: 'validation.invalid_union',
  },
];

for (const c of INVALID) {
  t.test(`422 and nothing stored: ${c.name}`, async (t) => {
    const { app, db } = await testApp(t);
    const desk = await createDesk(db, ['dat-dai', 'xay-dung']);
    const res = await post(app, c.body(desk.code));
    const errors = errorsOf(t, res, c.code);
    const hit = errors.find((e) => e.path === c.path);
    t.ok(hit, `an error at ${c.path} (got ${JSON.stringify(errors.map((e) => e.path))})`);
    t.equal(hit?.code, c.item, `${c.path}: ${c.item}`);
    if (c.message) t.match(hit?.message.en, c.message);
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
  const errors = errorsOf(t, res, 'submission.invalid');
  t.same(errors.map((e) => `${e.path} ${e.code}`).sort(), [
    'answers.access answer.invalid_value',
    'answers.overall answer.required',
    'serviceArea service_area.not_served',
  ]);
  const area = errors.find((e) => e.path === 'serviceArea');
  t.equal(area?.message.vi, 'Quầy này không phục vụ lĩnh vực đã chọn.');
  t.same(await countRows(db), { responses: 0, answers: 0 });
});

t.test('every problem of the form is reported at once, in Vietnamese too', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const res = await post(app, { desk: desk.code, answers: [], submissionId: 'x', channel: 'fax', extra: 1, more: 2 });
  const errors = errorsOf(t, res, 'validation.failed');
  t.same(errors.map((e) => `${e.path} ${e.code}`).sort(), [
    'answers validation.invalid_type',
    'channel validation.invalid_value',
    'extra validation.unrecognized_keys',
    'more validation.unrecognized_keys',
    'submissionId validation.invalid_format',
  ]);
  const vi = Object.fromEntries(errors.map((e) => [e.path, e.message.vi]));
  t.equal(vi.answers, 'Sai kiểu dữ liệu: cần đối tượng JSON.');
  t.equal(vi.channel, 'Giá trị không hợp lệ: phải là một trong "kiosk", "paper", "link", "api".');
  t.equal(vi.extra, 'Trường không được chấp nhận: "extra"');
  t.equal(vi.submissionId, 'Không phải UUID hợp lệ.');
  const empty = errorsOf(t, await postRaw(app, '[]'), 'validation.failed');
  t.same(
    empty.map((e) => e.path),
    ['(body)'],
    'a body that is not an object is at fault as a whole',
  );
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
  const errors = errorsOf(t, refused, 'submission.invalid');
  t.same(
    errors.map((e) => `${e.path} ${e.code}`),
    ['serviceArea service_area.required'],
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
  expectApiError(t, malformed, 400, 'request.malformed_json');

  const plain = await postRaw(app, valid, 'text/plain');
  expectApiError(t, plain, 415, 'request.unsupported_media_type');
  const form = await postRaw(app, `desk=${desk.code}&overall=5`, 'application/x-www-form-urlencoded');
  expectApiError(t, form, 415, 'request.unsupported_media_type');

  const big = JSON.stringify({
    desk: desk.code,
    answers: { ...VALID_ANSWERS, comment: 'a'.repeat(65 * 1024) },
    submissionId: randomUUID(),
  });
  t.ok(Buffer.byteLength(big) > 64 * 1024);
  const tooLarge = await postRaw(app, big);
  expectApiError(t, tooLarge, 413, 'request.body_too_large');

  const empty = await postRaw(app, '');
  expectApiError(t, empty, 400, 'request.empty_body');

  for (const res of [malformed, plain, form, tooLarge, empty]) t.notOk(res.body.includes(STACK), 'no stack trace');
  t.same(await countRows(db), { responses: 0, answers: 0 }, 'nothing stored');

  // The control: the same valid body as JSON is accepted.
  const accepted = await postRaw(app, valid, 'application/json', desk.code);
  t.equal(accepted.statusCode, 201, accepted.body);
});

t.test('addresses the API cannot route get the one error body too', async (t) => {
  const { app } = await testApp(t);
  expectApiError(t, await app.inject('/api/v1/no-such-route'), 404, 'route.not_found');
  expectApiError(t, await app.inject('/api/v2/responses'), 404, 'route.not_found');
  expectApiError(t, await app.inject({ method: 'DELETE', url: RESPONSES }), 404, 'route.not_found');
  expectApiError(t, await app.inject('/api/v1/surveys/%E0%A4%A'), 400, 'request.bad_url');
  expectApiError(t, await app.inject(`/api/v1/surveys/${'a'.repeat(201)}`), 414, 'request.url_too_long');
  // Elsewhere Fastify's own answer stays as it was.
  const page = await app.inject('/q/%E0%A4%A');
  t.equal(page.statusCode, 400);
  t.equal(page.json().code, 'FST_ERR_BAD_URL');
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
