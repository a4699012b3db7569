import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { staffPage } from '../../platform/http/staff-view.ts';
import { newSecret } from '../../platform/secrets.ts';
import { passwordLinkUsable, setPasswordWithLink } from './account-service.ts';
import { MIN_PASSWORD_LENGTH } from './auth-service.ts';

// The page a one-time link opens: the person chooses their own password,
// without being signed in. The token in the address is the credential; as
// on the sign-in form, a double-submit cookie guards the POST, since there is
// no session to carry a CSRF token. The server log never shows the token
// (app.ts hideCodes). Unknown, used, expired and revoked links get one
// message and one status: nothing tells them apart.

const PRE_COOKIE = 'hl_pre_pw';
const TITLE = 'Đặt mật khẩu';
const INVALID = {
  title: 'Liên kết không dùng được',
  text:
    'Liên kết đặt mật khẩu không đúng, đã được sử dụng hoặc đã hết hạn (mỗi liên kết chỉ dùng được một lần, ' +
    'trong 24 giờ). Vui lòng liên hệ người quản lý tài khoản của đơn vị để được cấp liên kết mới.',
};

// Tokens are 32 random bytes in base64url; anything else is not looked up.
const tokenOf = (req: FastifyRequest) => {
  const raw = (req.params as { token?: string }).token ?? '';
  return /^[A-Za-z0-9_-]{43}$/.test(raw) ? raw : undefined;
};

export default async function passwordLinkRoutes(app: FastifyInstance) {
  function form(req: FastifyRequest, reply: FastifyReply, token: string, error?: string) {
    const pre = newSecret(16);
    reply.setCookie(PRE_COOKIE, pre, {
      path: '/staff/set-password',
      httpOnly: true,
      sameSite: 'strict',
      secure: app.sessionCookie.secure,
    });
    return staffPage(req, reply, 'access/set-password', {
      title: TITLE,
      token,
      pre,
      minLength: MIN_PASSWORD_LENGTH,
      error,
    });
  }

  function invalid(req: FastifyRequest, reply: FastifyReply) {
    reply.code(404);
    return staffPage(req, reply, 'platform/staff-message', INVALID);
  }

  app.get('/staff/set-password/:token', async (req, reply) => {
    const token = tokenOf(req);
    if (!token || !(await passwordLinkUsable(app.db, token))) return invalid(req, reply);
    return form(req, reply, token);
  });

  app.post('/staff/set-password/:token', async (req, reply) => {
    const token = tokenOf(req);
    if (!token || !(await passwordLinkUsable(app.db, token))) return invalid(req, reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pre = req.cookies[PRE_COOKIE];
    if (!pre || body._pre !== pre) {
      reply.code(403);
      return form(req, reply, token, 'Biểu mẫu đã cũ. Vui lòng nhập lại mật khẩu.');
    }
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1000) : '');
    const password = str(body.password);
    if (password !== str(body.confirm)) {
      reply.code(422);
      return form(req, reply, token, 'Hai lần nhập mật khẩu không giống nhau.');
    }
    const result = await setPasswordWithLink(app.db, token, password);
    if (result.status === 'invalid_link') return invalid(req, reply);
    if (result.status === 'too_short') {
      reply.code(422);
      return form(req, reply, token, `Mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`);
    }
    reply.clearCookie(PRE_COOKIE, { path: '/staff/set-password' });
    return staffPage(req, reply, 'access/set-password', { title: TITLE, done: true });
  });
}
