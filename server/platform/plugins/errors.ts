import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type ApiErrorCode, apiError } from '../http/api-errors.ts';
import { RequestValidationError } from '../http/api-validation.ts';
import { pickLocale, UI } from '../i18n.ts';

// One place that turns errors into answers: 4xx pass through with a clear
// message; 5xx hide internals and are logged with the request id; a database
// that does not answer is a 503 with Retry-After, never a hang.

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/');

/** How long a shutdown waits for requests in flight before closing anyway. */
const DRAIN_MS = 8_000;

// Connection failures and "server shutting down / cannot connect" classes;
// also an overloaded database (class 53, a statement or idle-in-transaction
// timeout): the client should come back later, nothing is wrong with its input.
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (
    typeof e?.code === 'string' &&
    (/^(08|53|57P)/.test(e.code) ||
      ['57014', '25P03', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code))
  ) {
    return true;
  }
  // "not queryable": a transaction's rollback on a connection that just died
  // replaces the original "Connection terminated" (seen in the fault suite).
  return /timeout exceeded when trying to connect|Connection terminated|not queryable/i.test(e?.message ?? '');
}

/** Fastify's own refusals of a request it could not read, by their stable API codes. */
const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.empty_body',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.body_too_large',
  FST_ERR_BAD_URL: 'request.bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'request.url_too_long',
};

/** API clients get the one error body (api-errors.ts); people get the page's wording in their language. */
export async function sendError(req: FastifyRequest, reply: FastifyReply, status: number, code: ApiErrorCode) {
  reply.code(status);
  if (isApi(req)) return reply.send(apiError(code));
  const t = UI[pickLocale((req.query as { lang?: string } | undefined)?.lang)];
  const [title, text] =
    status === 404
      ? [t.notFoundTitle, t.notFoundDesk]
      : status < 500
        ? [t.badRequest, t.badRequest]
        : [t.errorTitle, t.errorText];
  return reply
    .type('text/html; charset=utf-8')
    .viewAsync('platform/message.eta', { t, title, text, lang: t === UI.en ? 'en' : 'vi' });
}

/** The longest path segment a route parameter takes (app.ts routerOptions). */
export const MAX_PARAM_LENGTH = 200;

/**
 * Fastify's rewriteUrl: a page address with a segment longer than any route
 * takes (a mangled /t/… or /q/… link, pasted twice) goes to an address no
 * route serves, so that a person gets the not-found page with its headers;
 * frameworkErrors could only answer raw JSON, before any hook has run. The
 * API keeps its own 414 error body.
 */
export function overlongToNotFound(req: { url?: string }): string {
  const url = req.url ?? '/';
  if (url.startsWith('/api/')) return url;
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  if (!path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) return url;
  return `/not-found${query ? `?${query}` : ''}`;
}

/**
 * Fastify's answer to an address it cannot route (bad percent-encoding, a
 * parameter over maxParamLength), given before any route or hook runs: the
 * API's error body on /api/, elsewhere the body Fastify itself would send.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode ?? 400;
  reply.code(status);
  if (isApi(req)) return reply.send(apiError(FASTIFY_CODES[err.code] ?? 'request.invalid'));
  return reply.send({ error: 'Bad Request', code: err.code, message: err.message, statusCode: status });
}

export default fp(
  async (app) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      // A client that went away before its body arrived (a timeout cut it, or
      // it hung up): nobody is there to answer, and the database is fine.
      if (req.raw.aborted || (err.code === 'ECONNRESET' && err.message === 'aborted')) {
        req.log.debug('client went away before its request was read');
        return reply.code(400).send();
      }
      if (isDatabaseUnavailable(err)) {
        req.log.warn({ err: { code: err.code, message: err.message } }, 'database unavailable');
        reply.header('Retry-After', '5');
        return sendError(req, reply, 503, 'service.unavailable');
      }
      if ((err as { code?: string }).code === '22021') {
        // Text PostgreSQL cannot store (a NUL byte) slipped past validation.
        return sendError(req, reply, 400, 'request.invalid_characters');
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) {
        req.log.error({ err }, 'request failed');
        return sendError(req, reply, 500, 'server.internal_error');
      }
      if (err instanceof RequestValidationError) {
        return reply.code(422).send(apiError('validation.failed', { errors: err.items }));
      }
      return sendError(req, reply, status, FASTIFY_CODES[err.code] ?? 'request.invalid');
    });

    app.setNotFoundHandler(async (req, reply) => sendError(req, reply, 404, 'route.not_found'));

    // Draining at shutdown (SIGTERM → app.close()): Fastify marks itself
    // closing, so every new request, on a new connection too, gets its 503
    // with Connection: close, while this hook holds the listener open until
    // the requests in flight have finished (at most DRAIN_MS, inside
    // server.ts's 10 s grace). Only then does the server close and, in its
    // onClose hook, the pool. Their keep-alive connections are closed after
    // the answer: one left open would make server.close() wait for the client
    // (keepAliveTimeout is 72 s) past the grace period (seen in the fault suite).
    let inFlight = 0;
    let draining = false;
    app.addHook('onRequest', async (_req, reply) => {
      inFlight += 1;
      reply.raw.once('close', () => (inFlight -= 1));
    });
    app.addHook('onSend', async (_req, reply, payload) => {
      if (draining) reply.header('Connection', 'close');
      return payload;
    });
    app.addHook('preClose', async () => {
      draining = true;
      const until = Date.now() + DRAIN_MS;
      while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    });
  },
  { name: 'errors', dependencies: ['views'] },
);
