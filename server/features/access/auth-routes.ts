import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isTrialAddress } from '../../platform/config.ts';
import { ROLE_NAMES, staffPage } from '../../platform/http/staff-view.ts';
import { newSecret } from '../../platform/secrets.ts';
import { loadMailPreferences } from '../notifications/notification-service.ts';
import { stuffingSettings } from '../submission/stuffing-evidence.ts';
import { changePassword, clientKey, MIN_PASSWORD_LENGTH, signIn, signOut } from './auth-service.ts';
import { clearSessionCookie, requireUser, setSessionCookie } from './session-plugin.ts';

// Sign-in, sign-out, the user's own account page and the staff home page.

const PRE_COOKIE = 'hl_pre';

/**
 * Only a path under /staff may follow sign-in: no open redirect, and only
 * printable ASCII without a backslash, since the value goes into a Location
 * header (a non-ASCII one made the redirect a 500) and browsers read `\` as
 * `/`. Dot segments, also percent-encoded, would climb out of /staff.
 */
function safeNext(next: unknown): string {
  const fallback = '/staff';
  if (typeof next !== 'string' || next.length > 1000) return fallback;
  if (!/^\/staff(?:[/?#][\x21-\x5b\x5d-\x7e]*)?$/.test(next)) return fallback;
  const path = (next.split(/[?#]/)[0] ?? '').replace(/%2e/gi, '.');
  return path.split('/').some((segment) => segment === '.' || segment === '..') ? fallback : next;
}

export default async function authRoutes(app: FastifyInstance) {
  app.get('/staff/sign-in', async (req, reply) => {
    // Before a session exists the form is guarded by a double-submit token.
    const pre = newSecret(16);
    reply.setCookie(PRE_COOKIE, pre, {
      path: '/staff',
      httpOnly: true,
      sameSite: 'strict',
      secure: app.sessionCookie.secure,
    });
    return staffPage(req, reply, 'access/sign-in', {
      title: 'Đăng nhập',
      pre,
      next: safeNext((req.query as { next?: string }).next),
    });
  });

  app.post('/staff/sign-in', async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const email = typeof body.email === 'string' ? body.email.slice(0, 254) : '';
    const again = (error: string, status: number) => {
      const pre = newSecret(16);
      reply.setCookie(PRE_COOKIE, pre, {
        path: '/staff',
        httpOnly: true,
        sameSite: 'strict',
        secure: app.sessionCookie.secure,
      });
      reply.code(status);
      return staffPage(req, reply, 'access/sign-in', { title: 'Đăng nhập', pre, next, email, error });
    };
    const pre = req.cookies[PRE_COOKIE];
    if (!pre || body._pre !== pre) {
      return again('Biểu mẫu đã cũ. Vui lòng đăng nhập lại.', 403);
    }
    const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
    const result = await signIn(app.db, {
      email,
      password,
      clientKey: clientKey(stuffingSettings(app.config).secret, req.ip),
    });
    if (result.status === 'throttled') {
      return again('Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.', 429);
    }
    if (result.status === 'invalid') return again('Thư điện tử hoặc mật khẩu không đúng.', 401);
    reply.clearCookie(PRE_COOKIE, { path: '/staff' });
    setSessionCookie(app, reply, result.token);
    return reply.redirect(next, 303);
  });

  app.post('/staff/sign-out', { preHandler: requireUser() }, async (req, reply) => {
    await signOut(app.db, req.user!);
    clearSessionCookie(app, reply);
    return reply.redirect('/staff/sign-in', 303);
  });

  app.get('/staff', { preHandler: requireUser() }, async (req, reply) =>
    staffPage(req, reply, 'access/home', {
      title: 'Trang chính',
      roleName: ROLE_NAMES[req.user!.role],
      // A first run's address opens on this machine only: say so before anyone prints a poster.
      trialUrl: isTrialAddress(app.config.publicUrl) ? app.config.publicUrl : undefined,
    }),
  );

  // The user's own account page: the password and the e-mail notices (notifications/).
  const mailSection = (req: FastifyRequest, saved = false) =>
    loadMailPreferences(app.db, req.user!, { mailConfigured: Boolean(app.mailer), saved });

  app.get('/staff/password', { preHandler: requireUser() }, async (req, reply) =>
    staffPage(req, reply, 'access/password', {
      title: 'Tài khoản của tôi',
      minLength: MIN_PASSWORD_LENGTH,
      mail: await mailSection(req, (req.query as { saved?: unknown }).saved === 'mail'),
    }),
  );

  app.post('/staff/password', { preHandler: requireUser() }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1000) : '');
    const result = await changePassword(app.db, req.user!, {
      current: str(body.current),
      next: str(body.next),
      clientKey: clientKey(stuffingSettings(app.config).secret, req.ip),
    });
    const error = {
      ok: undefined,
      wrong_current: 'Mật khẩu hiện tại không đúng.',
      too_short: `Mật khẩu mới cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`,
      throttled: 'Nhập sai mật khẩu hiện tại quá nhiều lần. Vui lòng thử lại sau 15 phút.',
    }[result.status];
    if (error) reply.code(result.status === 'throttled' ? 429 : 422);
    return staffPage(req, reply, 'access/password', {
      title: 'Tài khoản của tôi',
      minLength: MIN_PASSWORD_LENGTH,
      error,
      done: !error,
      mail: await mailSection(req),
    });
  });
}
