import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ANSWERS } from './context.ts';
import {
  BAD_ESCAPES,
  badFormScale,
  badScale,
  encodePath,
  forbiddenFormText,
  forbiddenText,
  hostileText,
  notUuid,
  pathSegment,
  queryString,
  RAW_REQUESTS,
  SCALE_KEYS,
} from './hostile-values.ts';
import type { RequestSpec } from './http.ts';

// Generated malformed and hostile requests for every public and API route.
// `invalid` cases are invalid by construction and must be refused with a 4xx;
// `any` cases may happen to be valid (a random language on a real page) and
// must only never be a 5xx. Every storing route gets only `invalid` cases,
// so nothing may be stored.

export interface HostileCase {
  route: string;
  expect: 'invalid' | 'any';
  spec?: RequestSpec;
  /** Bytes written as they are to a socket, for what no HTTP client sends. */
  raw?: string;
}

export interface Targets {
  desk: string;
  /** Unused one-time codes: invalid answers must not use them up. */
  codes: string[];
  managerKey: string;
  officialKey: string;
  /** A submit key that reaches the desk: the response API's bodies are checked behind it. */
  submitKey: string;
}

const valid = (desk: string) => ({ desk, answers: ANSWERS, submissionId: randomUUID() });
const formAnswers = Object.fromEntries(Object.entries(ANSWERS).map(([k, v]) => [k, String(v)]));

const BODY_KEYS = ['desk', 'answers', 'submissionId', 'serviceArea', 'channel', 'locale'];

/** Mutations of a valid JSON submission, each one invalid by construction. */
function jsonResponseBodies(desk: string): fc.Arbitrary<string> {
  const text = (patch: Record<string, unknown>) => JSON.stringify({ ...valid(desk), ...patch });
  const answer = (key: string, value: unknown) => text({ answers: { ...ANSWERS, [key]: value } });
  const validText = fc.constant(null).map(() => JSON.stringify(valid(desk)));
  return fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.tuple(fc.constantFrom(...SCALE_KEYS), badScale).map(([k, v]) => answer(k, v)),
    forbiddenText.map((v) => answer('comment', v)),
    fc
      .tuple(
        hostileText.filter((k) => !(k in ANSWERS)),
        fc.integer({ min: 1, max: 5 }),
      )
      .map(([k, v]) => answer(k, v)),
    hostileText.filter((d) => d !== desk).map((d) => text({ desk: d })),
    notUuid.map((id) => text({ submissionId: id })),
    hostileText.filter((c) => !['kiosk', 'paper', 'link', 'api'].includes(c)).map((c) => text({ channel: c })),
    fc
      .tuple(
        hostileText.filter((k) => !BODY_KEYS.includes(k)),
        fc.jsonValue(),
      )
      .map(([k, v]) => text({ [k]: v })),
    // Malformed JSON: a valid text cut short, or with a pair of quotes or NULs
    // spliced in (either breaks JSON wherever it lands, even inside a string).
    fc.tuple(validText, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length - 1))),
    fc.tuple(validText, fc.nat(), fc.constantFrom('""', '\u0000')).map(([t, n, s]) => {
      const at = 1 + (n % (t.length - 2));
      return `${t.slice(0, at)}${s}${t.slice(at)}`;
    }),
    fc.integer({ min: 1_000, max: 200_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    validText.map((t) => `{"__proto__":{"polluted":1},${t.slice(1)}`),
    validText.map((t) => `{"constructor":{"prototype":{"polluted":1}},${t.slice(1)}`),
    fc.integer({ min: 66_000, max: 300_000 }).map((n) => answer('comment', 'x'.repeat(n))),
  );
}

/** Mutations of a valid survey form post, each one invalid by construction. */
function formBodies(withId = true): fc.Arbitrary<string> {
  const base = () => ({ ...formAnswers, ...(withId ? { submissionId: randomUUID() } : {}) }) as Record<string, string>;
  const enc = (o: Record<string, string>) => new URLSearchParams(o).toString();
  return fc.oneof(
    fc.tuple(fc.constantFrom(...SCALE_KEYS), badFormScale).map(([k, v]) => enc({ ...base(), [k]: v })),
    forbiddenFormText.map((v) => enc({ ...base(), comment: v })),
    notUuid.map((v) => enc({ ...base(), submissionId: v })),
    fc.dictionary(hostileText, hostileText, { maxKeys: 6 }).map((d) => enc({ ...d, overall: '9' })),
    fc
      .tuple(fc.constantFrom(...SCALE_KEYS), badFormScale)
      .map(([k, v]) => `${enc(base())}&${k}=${encodePath(v)}`.replace(`${k}=`, `${k}=${encodePath(v)}&${k}=`)),
    fc.constantFrom(...BAD_ESCAPES).map((e) => `${enc(base())}&overall=${e}`.replace(/overall=5&?/, '')),
    fc.integer({ min: 33_000, max: 120_000 }).map((n) => enc({ ...base(), comment: 'x'.repeat(n) })),
  );
}

const bearer = fc.oneof(
  fc.constant(undefined),
  fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`),
  fc.constantFrom('Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer hl_', 'bearer hl_00000000000000000000000000000000'),
);

export function hostileCases(t: Targets, seed: number): HostileCase[] {
  const cases: HostileCase[] = [];
  const take = <T>(arb: fc.Arbitrary<T>, n: number, salt: number) => fc.sample(arb, { numRuns: n, seed: seed + salt });
  const add = (route: string, expect: HostileCase['expect'], specs: RequestSpec[]) =>
    cases.push(...specs.map((spec) => ({ route, expect, spec })));
  const get = (path: string): RequestSpec => ({ method: 'GET', path });
  const formPost = (path: string, body: string): RequestSpec => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

  add(
    'GET /q/:deskCode',
    'any',
    take(pathSegment, 60, 1).map((s) => get(`/q/${s}`)),
  );
  add(
    'GET /q/:deskCode',
    'any',
    take(queryString, 40, 2).map((q) => get(`/q/${t.desk}?${q}`)),
  );
  add(
    'GET /q/:deskCode/qr.png',
    'any',
    take(pathSegment, 40, 3).map((s) => get(`/q/${s}/qr.png`)),
  );
  add(
    'GET /q/:deskCode/qr.svg',
    'any',
    take(pathSegment, 40, 4).map((s) => get(`/q/${s}/qr.svg`)),
  );
  add(
    'GET /t/:code',
    'any',
    take(pathSegment, 50, 5).map((s) => get(`/t/${s}`)),
  );
  add(
    'GET /api/v1/surveys/:code',
    'any',
    take(pathSegment, 50, 6).map((s) => get(`/api/v1/surveys/${s}`)),
  );
  add(
    'GET /api/v1/surveys/:code',
    'any',
    take(queryString, 10, 7).map((q) => get(`/api/v1/surveys/sipas-quick?${q}`)),
  );
  add(
    'GET /healthz',
    'any',
    take(queryString, 30, 8).map((q) => get(`/healthz?${q}`)),
  );
  add(
    'GET /staff/sign-in',
    'any',
    take(queryString, 30, 9).map((q) => get(`/staff/sign-in?${q}`)),
  );

  add(
    'POST /q/:deskCode',
    'invalid',
    take(formBodies(), 150, 10).map((b) => formPost(`/q/${t.desk}`, b)),
  );
  add(
    'POST /q/:deskCode',
    'invalid',
    take(fc.tuple(pathSegment, formBodies()), 30, 11).map(([s, b]) => formPost(`/q/${s}`, b)),
  );
  add(
    'POST /q/:deskCode',
    'invalid',
    take(fc.constantFrom('multipart/form-data; boundary=x', 'application/xml', 'text/csv'), 10, 12).map((type) => ({
      method: 'POST',
      path: `/q/${t.desk}`,
      headers: { 'content-type': type },
      body: '--x\r\n',
    })),
  );
  const code = (i: number) => t.codes[i % t.codes.length]!;
  add(
    'POST /t/:code',
    'invalid',
    take(formBodies(), 60, 13).map((b, i) => formPost(`/t/${code(i)}`, b)),
  );
  add(
    'POST /t/:code',
    'invalid',
    take(fc.tuple(pathSegment, formBodies()), 40, 14).map(([s, b]) => formPost(`/t/${s}`, b)),
  );

  const apiPost = (body: string, type = 'application/json', auth: string | undefined = t.submitKey): RequestSpec => ({
    method: 'POST',
    path: '/api/v1/responses',
    headers: { 'content-type': type, ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body,
  });
  // Without a submit key a valid body is refused, whatever else the request carries.
  add(
    'POST /api/v1/responses',
    'invalid',
    take(bearer, 20, 17).map((auth) => ({
      ...apiPost(JSON.stringify(valid(t.desk)), 'application/json', undefined),
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    })),
  );
  add('POST /api/v1/responses', 'invalid', [
    apiPost(JSON.stringify(valid(t.desk)), 'application/json', t.managerKey),
    apiPost(JSON.stringify(valid(t.desk)), 'application/json', t.officialKey),
  ]);
  add(
    'POST /api/v1/responses',
    'invalid',
    take(jsonResponseBodies(t.desk), 300, 15).map((b) => apiPost(b)),
  );
  add(
    'POST /api/v1/responses',
    'invalid',
    take(
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
      ),
      15,
      16,
    ).map((type) => apiPost(JSON.stringify(valid(t.desk)), type)),
  );
  // A wrong charset label on UTF-8 bytes: Fastify reads JSON as UTF-8 whatever
  // the label says, so a valid body is stored (and its replay is a 200).
  add('POST /api/v1/responses', 'any', [apiPost(JSON.stringify(valid(t.desk)), 'application/json; charset=utf-16')]);
  add('POST /api/v1/responses', 'invalid', [
    apiPost(''),
    apiPost('null'),
    apiPost('[]'),
    apiPost('"x"'),
    apiPost('\uFEFF{}'),
  ]);

  const codePost = (auth: string | undefined, body: string): RequestSpec => ({
    method: 'POST',
    path: '/api/v1/transaction-codes',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body,
  });
  const validCode = { desk: t.desk, serviceArea: 'dat-dai', dossierRef: 'HS-HOSTILE-1' };
  add(
    'POST /api/v1/transaction-codes',
    'invalid',
    take(bearer, 40, 17).map((a) => codePost(a, JSON.stringify(validCode))),
  );
  const badCodeBodies = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    hostileText.filter((s) => s !== t.desk).map((d) => JSON.stringify({ ...validCode, desk: d })),
    hostileText.filter((s) => s !== 'dat-dai').map((a) => JSON.stringify({ ...validCode, serviceArea: a })),
    fc
      .oneof(
        fc.integer().filter((n) => n < 1 || n > 90),
        fc.double().filter((d) => !Number.isInteger(d)),
        hostileText,
      )
      .map((e) => JSON.stringify({ ...validCode, expiresInDays: e })),
    fc.string({ minLength: 201, maxLength: 300 }).map((r) => JSON.stringify({ ...validCode, dossierRef: r })),
    fc
      .tuple(
        hostileText.filter((k) => !['desk', 'serviceArea', 'dossierRef', 'expiresInDays'].includes(k)),
        fc.jsonValue(),
      )
      .map(([k, v]) => JSON.stringify({ ...validCode, [k]: v })),
  );
  add(
    'POST /api/v1/transaction-codes',
    'invalid',
    take(badCodeBodies, 80, 18).map((b) => codePost(`Bearer ${t.managerKey}`, b)),
  );
  add('POST /api/v1/transaction-codes', 'invalid', [codePost(`Bearer ${t.officialKey}`, JSON.stringify(validCode))]);

  add(
    'POST /staff/sign-in',
    'invalid',
    take(fc.dictionary(hostileText, hostileText, { maxKeys: 5 }), 40, 19).map((d) =>
      formPost('/staff/sign-in', new URLSearchParams(d).toString()),
    ),
  );
  add(
    'POST /staff/sign-in',
    'invalid',
    take(fc.tuple(hostileText, hostileText), 20, 20).map(([email, password]) =>
      formPost('/staff/sign-in', new URLSearchParams({ email, password, csrf: 'x' }).toString()),
    ),
  );

  for (const raw of RAW_REQUESTS) cases.push({ route: 'raw HTTP', expect: 'invalid', raw });
  // RFC 9112 asks for a 400 here; Node's parser keeps the first Host and the
  // app never reads Host (links come from PUBLIC_URL), so only "no 5xx" holds.
  cases.push({ route: 'raw HTTP', expect: 'any', raw: 'GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n' });
  return cases;
}
