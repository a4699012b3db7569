import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import { idParam, ROLE_NAMES, staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { type FormState, textField, validated } from '../organisation/units-routes.ts';
import {
  type AccountResult,
  createAccount,
  type IssuedLink,
  loadAccountPage,
  loadAccountsPage,
  passwordLinkUrl,
  resetAccountPassword,
  setAccountActive,
  updateAccount,
} from './account-service.ts';
import { type LinkMailResult, mailPasswordLink } from './password-link-mail.ts';
import { requireUser } from './session-plugin.ts';

// Staff accounts of the actor's subtree (issue 13, item 4), for admins and
// managers. A one-time set-password link is shown on the page that answers
// the POST, once: only its hash is kept, so no later page can show it again.

const ROLES = ['admin', 'official', 'manager', 'staff'] as const;
const roleField = z.enum(ROLES, 'Vui lòng chọn vai trò.');
// '' is "no unit" (a system administrator); anything else must be an id.
const unitField = z
  .unknown()
  .transform((v) => (v === '' ? null : typeof v === 'string' && /^[1-9][0-9]{0,9}$/.test(v) ? Number(v) : -1))
  .refine((v) => v === null || (v > 0 && v <= 2_147_483_647), 'Vui lòng chọn đơn vị.');

const PlacementBody = z.object({ role: roleField, unitId: unitField });
const CreateBody = PlacementBody.extend({
  name: textField('Vui lòng nhập họ và tên.'),
  email: z
    .unknown()
    .transform((v) => (typeof v === 'string' ? v.normalize('NFC').trim().toLowerCase() : ''))
    .pipe(z.email('Vui lòng nhập thư điện tử hợp lệ.').max(254, 'Tối đa 254 ký tự.')),
});
const ActiveBody = z.object({ value: z.enum(['0', '1'], 'Giá trị không hợp lệ.').transform((v) => v === '1') });

const ABOVE = 'Ông/Bà không thể thay đổi tài khoản có vai trò mà Ông/Bà không được giao.';
const bodyOf = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

export default async function accountRoutes(app: FastifyInstance) {
  const manage = { preHandler: requireUser('manage') };
  const view = { roleNames: ROLE_NAMES, formatDateTime: formatDateTimeVi };
  const linkOf = (link: IssuedLink) => ({
    url: passwordLinkUrl(app.config.publicUrl, link.token),
    expires: formatDateTimeVi(link.expiresAt),
  });

  async function showList(req: FastifyRequest, reply: FastifyReply, form?: FormState) {
    const page = await loadAccountsPage(app.db, req.user!);
    return staffPage(req, reply, 'access/accounts', { title: 'Tài khoản', ...page, ...view, form });
  }

  /** A link just issued, by mail too when the server can send: the page says whether it went. */
  async function mailLink(req: FastifyRequest, userId: number, link: IssuedLink, purpose: 'create' | 'reset') {
    const url = passwordLinkUrl(app.config.publicUrl, link.token);
    const actor = req.user!;
    const sent = await mailPasswordLink(app.db, app.mailer, {
      userId,
      link,
      url,
      purpose,
      actor,
      publicUrl: app.config.publicUrl,
    });
    // The reason only: never the link, nor the address it was for.
    if (sent?.status === 'failed') req.log.warn({ reason: sent.error }, 'password link mail not sent');
    return sent;
  }

  async function showAccount(
    req: FastifyRequest,
    reply: FastifyReply,
    userId: number | undefined,
    extra: { forms?: Record<string, FormState>; link?: IssuedLink; created?: boolean; mailed?: LinkMailResult } = {},
  ) {
    const page = userId ? await loadAccountPage(app.db, req.user!, userId) : undefined;
    if (!page) return staffNotFound(req, reply);
    return staffPage(req, reply, 'access/account', {
      title: `Tài khoản · ${page.account.name}`,
      ...page,
      ...view,
      forms: extra.forms ?? {},
      created: extra.created ?? false,
      link: extra.link ? linkOf(extra.link) : undefined,
      mailed: extra.mailed,
    });
  }

  /** The answer to a change on one account: its page again, a 404, a 403 or the form with messages. */
  async function answer(
    req: FastifyRequest,
    reply: FastifyReply,
    userId: number,
    form: string,
    result: AccountResult<{ link?: IssuedLink }> | { status: 'invalid'; errors: Record<string, string> },
  ) {
    if (result.status === 'not_found') return staffNotFound(req, reply);
    if (result.status === 'above') return staffRefused(req, reply, ABOVE, { unitId: result.unitId, why: 'role' });
    if (result.status === 'invalid') {
      reply.code(422);
      return showAccount(req, reply, userId, { forms: { [form]: { values: bodyOf(req), errors: result.errors } } });
    }
    if (result.link) {
      // Rendered here, not redirected: after this response the link is gone.
      const mailed = await mailLink(req, userId, result.link, 'reset');
      reply.code(201);
      return showAccount(req, reply, userId, { link: result.link, mailed });
    }
    return reply.redirect(`/staff/accounts/${userId}`, 303);
  }

  app.get('/staff/accounts', manage, (req, reply) => showList(req, reply));

  app.post('/staff/accounts', manage, async (req, reply) => {
    const result = await validated(CreateBody, req.body, (d) => createAccount(app.db, req.user!, d));
    if (result.status === 'invalid') {
      reply.code(422);
      return showList(req, reply, { values: bodyOf(req), errors: result.errors });
    }
    if (result.status !== 'ok') return staffNotFound(req, reply);
    const mailed = await mailLink(req, result.id, result.link, 'create');
    reply.code(201);
    return showAccount(req, reply, result.id, { link: result.link, created: true, mailed });
  });

  app.get('/staff/accounts/:userId', manage, (req, reply) => showAccount(req, reply, idParam(req.params, 'userId')));

  app.post('/staff/accounts/:userId/role', manage, async (req, reply) => {
    const userId = idParam(req.params, 'userId');
    if (!userId) return staffNotFound(req, reply);
    const result = await validated(PlacementBody, req.body, (d) => updateAccount(app.db, req.user!, userId, d));
    return answer(req, reply, userId, 'role', result);
  });

  app.post('/staff/accounts/:userId/active', manage, async (req, reply) => {
    const userId = idParam(req.params, 'userId');
    if (!userId) return staffNotFound(req, reply);
    const result = await validated(ActiveBody, req.body, (d) => setAccountActive(app.db, req.user!, userId, d.value));
    return answer(req, reply, userId, 'active', result);
  });

  app.post('/staff/accounts/:userId/reset', manage, async (req, reply) => {
    const userId = idParam(req.params, 'userId');
    if (!userId) return staffNotFound(req, reply);
    return answer(req, reply, userId, 'reset', await resetAccountPassword(app.db, req.user!, userId));
  });
}
