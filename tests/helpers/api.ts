import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import type { Db } from '../../server/platform/db/connect.ts';
import {
  API_ERROR_CODES,
  ApiError,
  type ApiErrorCode,
  type ApiErrorItem,
} from '../../server/platform/http/api-errors.ts';
import { deskSubmitHeaders } from './fixtures.ts';

// What the JSON API tests share: the response endpoint, answers the quick
// survey accepts, and the check that an error carries the one error body.

export const RESPONSES = '/api/v1/responses';

/** Answers the quick survey accepts, typed as the JSON API takes them. */
export const VALID_ANSWERS = {
  access: 4,
  procedure: 5,
  staff: 5,
  result: 4,
  feedback: 'na',
  overall: 5,
  trips: '1',
  comment: 'Cán bộ hướng dẫn tận tình.',
};

/** Posts as a kiosk app of the desk would, with a submit key that reaches it. */
export async function post(app: FastifyInstance, payload: object): Promise<LightMyRequestResponse> {
  const headers = await deskSubmitHeaders(app.db, (payload as { desk?: unknown }).desk);
  return app.inject({ method: 'POST', url: RESPONSES, headers, payload });
}

/** A raw body with an explicit content type, for what a JSON object cannot express. */
export async function postRaw(
  app: FastifyInstance,
  body: string | Buffer,
  contentType = 'application/json',
  desk?: string,
) {
  const headers = { ...(await deskSubmitHeaders(app.db, desk)), 'content-type': contentType };
  return app.inject({ method: 'POST', url: RESPONSES, headers, payload: body });
}

export async function countRows(db: Db): Promise<{ responses: number; answers: number }> {
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

/**
 * Checks that a response is the API's one error body (ApiError) with the
 * status and code expected, the code documented for that status, and both
 * languages filled in, at the top and for every field.
 */
export function expectApiError(
  t: Test,
  res: LightMyRequestResponse,
  status: number,
  code: ApiErrorCode,
): { code: string; message: { vi: string; en: string }; errors: ApiErrorItem[] } {
  t.equal(res.statusCode, status, `${status} expected, got ${res.statusCode}: ${res.body.slice(0, 300)}`);
  t.match(res.headers['content-type'], /^application\/json/, `${code}: JSON`);
  const parsed = ApiError.safeParse(res.json());
  t.ok(parsed.success, `the one error body: ${parsed.error?.message ?? ''}`);
  const body = parsed.data ?? { code: '', message: { vi: '', en: '' }, errors: [] };
  t.equal(body.code, code);
  t.ok((API_ERROR_CODES[code].status as readonly number[]).includes(status), `${code} is documented with ${status}`);
  t.ok(body.message.vi && body.message.en, `${code}: a message in both languages`);
  for (const e of body.errors) t.ok(e.message.vi && e.message.en, `${e.path}: a message in both languages`);
  return body;
}
