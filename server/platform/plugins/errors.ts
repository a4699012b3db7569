import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
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

/** `message` is for API clients; people get the page's wording in their language. */
export async function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
) {
  reply.code(status);
  if (isApi(req)) return reply.send({ error: code, message });
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
        return sendError(
          req,
          reply,
          503,
          'unavailable',
          'Service temporarily unavailable / Dịch vụ tạm thời gián đoạn',
        );
      }
      if ((err as { code?: string }).code === '22021') {
        // Text PostgreSQL cannot store (a NUL byte) slipped past validation.
        return sendError(req, reply, 400, 'bad_request', 'Invalid characters / Ký tự không hợp lệ');
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status >= 500) {
        req.log.error({ err }, 'request failed');
        return sendError(req, reply, 500, 'internal', 'Internal error / Lỗi hệ thống');
      }
      return sendError(req, reply, status, err.code ?? 'bad_request', err.message);
    });

    app.setNotFoundHandler(async (req, reply) => sendError(req, reply, 404, 'not_found', 'Not found / Không tìm thấy'));

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
