import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { pickLocale, UI } from '../i18n.ts';

// One place that turns errors into answers: 4xx pass through with a clear
// message; 5xx hide internals and are logged with the request id; a database
// that does not answer is a 503 with Retry-After, never a hang.

const isApi = (req: FastifyRequest) => req.url.startsWith('/api/');

// Connection failures and "server shutting down / cannot connect" classes.
function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (
    typeof e?.code === 'string' &&
    (/^(08|57P)/.test(e.code) || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(e.code))
  ) {
    return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated/i.test(e?.message ?? '');
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
    .viewAsync('pages/message.eta', { t, title, text, lang: t === UI.en ? 'en' : 'vi' });
}

export default fp(
  async (app) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
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
  },
  { name: 'errors', dependencies: ['views'] },
);
