import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Capability, can } from '../../platform/auth/scope.ts';
import { staffMenuOf } from '../../platform/http/staff-view.ts';
import { resolveSession, type SessionUser } from './auth-service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff user, set by requireUser. */
    user?: SessionUser;
  }
  interface FastifyInstance {
    /** Name and options of the session cookie (`__Host-` over https). */
    sessionCookie: { name: string; secure: boolean };
  }
}

export default fp(
  async (app) => {
    await app.register(cookie);
    const secure = app.config.publicUrl.startsWith('https://');
    // __Host- needs Secure, which a plain-http local run cannot set.
    app.decorate('sessionCookie', { name: secure ? '__Host-hl_session' : 'hl_session', secure });
    app.decorateRequest('user', undefined);
  },
  { name: 'session', dependencies: ['context'] },
);

export function setSessionCookie(
  app: { sessionCookie: { name: string; secure: boolean } },
  reply: FastifyReply,
  token: string,
) {
  reply.setCookie(app.sessionCookie.name, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.sessionCookie.secure,
  });
}

export function clearSessionCookie(app: { sessionCookie: { name: string; secure: boolean } }, reply: FastifyReply) {
  reply.clearCookie(app.sessionCookie.name, { path: '/', secure: app.sessionCookie.secure });
}

function sameToken(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The CSRF token a request carries: the form's `_csrf` field or htmx's header. */
function csrfOf(req: FastifyRequest): unknown {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  return (req.body as { _csrf?: unknown } | undefined)?._csrf;
}

/**
 * Ends a request from a hook. A hook must send and return the reply itself:
 * returning viewAsync()'s promise would let the route handler run anyway.
 */
async function halt(reply: FastifyReply, status: number, data: { title: string; text: string; user?: SessionUser }) {
  const menu = staffMenuOf(reply.server, data.user);
  const html = await reply.viewAsync('platform/staff-message.eta', { ...data, menu });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}

/**
 * preHandler for staff routes: a valid session (else to the sign-in page),
 * the capability when one is named (else 403, audited), and on every
 * state-changing request the session's CSRF token (else 403).
 */
export function requireUser(capability?: Capability): preHandlerAsyncHookHandler {
  const handler: preHandlerAsyncHookHandler = async function (req, reply) {
    const token = req.cookies[this.sessionCookie.name];
    const user = token ? await resolveSession(this.db, token) : undefined;
    if (!user) {
      if (req.method === 'GET') {
        return reply.redirect(`/staff/sign-in?next=${encodeURIComponent(req.url)}`, 303);
      }
      return halt(reply, 401, { title: 'Phiên làm việc đã hết hạn', text: 'Vui lòng đăng nhập lại.' });
    }
    req.user = user;
    if (req.method !== 'GET' && req.method !== 'HEAD' && !sameToken(csrfOf(req), user.csrfToken)) {
      return halt(reply, 403, {
        title: 'Yêu cầu không hợp lệ',
        text: 'Biểu mẫu đã cũ hoặc không đến từ trang này. Vui lòng tải lại trang và thử lại.',
        user,
      });
    }
    if (capability && !can(user, capability)) {
      await recordAudit(this.db, {
        actorUserId: user.userId,
        unitId: user.unitId,
        action: 'permission.denied',
        detail: { route: req.routeOptions.url, method: req.method },
      });
      return halt(reply, 403, {
        title: 'Không có quyền',
        text: 'Tài khoản của Ông/Bà không có quyền thực hiện việc này.',
        user,
      });
    }
  };
  GATES.set(handler, capability ?? null);
  return handler;
}

/** The capability each requireUser handler demands (null: any signed-in user). */
const GATES = new WeakMap<object, Capability | null>();

/**
 * What a route's preHandler demands of a signed-in user: its capability, null
 * for any signed-in user, undefined when no requireUser guards it. The staff
 * menu reads it, so a link shows exactly where the route would let the user in.
 */
export function routeGate(preHandler: unknown): Capability | null | undefined {
  for (const h of [preHandler].flat()) {
    if (typeof h === 'function' && GATES.has(h)) return GATES.get(h);
  }
  return undefined;
}
