import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatDateTimeVi, formatDateVi } from '../../../analysis/local-time.ts';
import { idParam, staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { emptyWebhookForm, readWebhookForm, type WebhookFormErrors, type WebhookFormValues } from './webhook-form.ts';
import { endpointState, eventLabel, eventOptions, STATUS_LABELS } from './webhook-labels.ts';
import {
  COUNT_DAYS,
  RESEND_FAILED_HOURS,
  resendDelivery,
  resendFailed,
  resumeWebhook,
  webhookInScope,
  webhookList,
  webhookLog,
} from './webhook-log-service.ts';
import { type EndpointRow, listUnitChoices } from './webhook-repository.ts';
import {
  canManageWebhooks,
  deleteWebhook,
  MAX_ENDPOINTS_PER_UNIT,
  newWebhookSecret,
  registerWebhook,
} from './webhook-service.ts';
import { checkWebhookUrl } from './webhook-url.ts';

// Staff pages for webhooks (issue 18): the endpoints of the user's subtree
// with their deliveries, registration with a secret the server makes (shown
// once, on the page that answers the POST), deletion, sending a delivery
// again, resuming a paused endpoint. Managers, officials and admins; counter
// staff are refused. An endpoint outside the subtree is a 404, as one that
// does not exist.

const DONE = {
  deleted: 'Đã xóa địa chỉ webhook; không còn gửi gì đến địa chỉ này.',
  resumed: 'Đã tiếp tục gửi: các sự kiện mới sẽ được gửi đến địa chỉ này.',
  resent: 'Đã xếp lịch gửi lại; máy nhận sẽ nhận lại đúng mã lần gửi (id) cũ.',
  resent_failed: 'Đã xếp lịch gửi lại các lần gửi thất bại.',
} as const;
const DoneQuery = z.object({
  done: z
    .enum(Object.keys(DONE) as [keyof typeof DONE])
    .optional()
    .catch(undefined),
  n: z.coerce.number().int().min(0).optional().catch(undefined),
});

function doneText(query: unknown): string | undefined {
  const { done, n } = DoneQuery.parse(query ?? {});
  if (!done) return undefined;
  return done === 'resent_failed' && n !== undefined ? `Đã xếp lịch gửi lại ${n} lần gửi thất bại.` : DONE[done];
}

function refuse(req: FastifyRequest, reply: FastifyReply) {
  return staffRefused(
    req,
    reply,
    'Webhook do cán bộ quản lý, lãnh đạo theo dõi của đơn vị quản lý; tài khoản của Ông/Bà không có quyền này.',
  );
}

const viewHelpers = {
  eventLabel,
  statusLabels: STATUS_LABELS,
  state: endpointState,
  dateTime: formatDateTimeVi,
  day: formatDateVi,
  origin: (url: string) => new URL(url).origin,
};

async function renderList(
  req: FastifyRequest,
  reply: FastifyReply,
  extra: {
    values?: WebhookFormValues;
    errors?: WebhookFormErrors;
    created?: { endpoint: EndpointRow; secret: string };
    done?: string;
  } = {},
) {
  const user = req.user!;
  const [endpoints, units] = await Promise.all([
    webhookList(req.server.db, user),
    listUnitChoices(req.server.db, user.unitPath),
  ]);
  return staffPage(req, reply, 'webhooks/webhooks', {
    title: 'Webhook',
    endpoints,
    units,
    events: eventOptions(),
    values: extra.values ?? emptyWebhookForm(units.length === 1 ? units[0]!.code : ''),
    errors: extra.errors ?? {},
    created: extra.created,
    done: extra.done,
    countDays: COUNT_DAYS,
    maxPerUnit: MAX_ENDPOINTS_PER_UNIT,
    allowPrivate: req.server.config.webhooks.allowPrivate,
    ...viewHelpers,
  });
}

async function renderEndpoint(
  req: FastifyRequest,
  reply: FastifyReply,
  endpoint: EndpointRow,
  extra: { done?: string; alert?: string; deleteError?: string } = {},
) {
  const log = await webhookLog(req.server.db, endpoint);
  return staffPage(req, reply, 'webhooks/webhook', {
    title: `Webhook · ${endpoint.unitName}`,
    endpoint,
    ...log,
    ...extra,
    resendHours: RESEND_FAILED_HOURS,
    ...viewHelpers,
  });
}

/** The endpoint named in the URL if it exists and lies in the user's subtree. */
async function endpointInScope(req: FastifyRequest) {
  const id = idParam(req.params, 'webhookId');
  return id ? webhookInScope(req.server.db, req.user!, id) : undefined;
}

export default async function webhookRoutes(app: FastifyInstance) {
  const signedIn = { preHandler: requireUser() };

  app.get('/staff/webhooks', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    return renderList(req, reply, { done: doneText(req.query) });
  });

  app.post('/staff/webhooks', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    const form = readWebhookForm(req.body);
    if (!form.ok) {
      // The URL's own rules too, so that one try shows every mistake.
      const url = form.values.url.trim();
      const checked = url && !form.errors.url ? checkWebhookUrl(url, app.config.webhooks) : undefined;
      if (checked && !checked.ok) form.errors.url = checked.reason.vi;
      reply.code(422);
      return renderList(req, reply, { values: form.values, errors: form.errors });
    }
    // Made here, never typed: the staff member copies it to the receiver.
    const secret = newWebhookSecret();
    const made = await registerWebhook(
      app.db,
      req.user!,
      { ...form.input, secret },
      { allowPrivate: app.config.webhooks.allowPrivate },
    );
    if (made.status !== 'created') {
      const errors: WebhookFormErrors =
        made.status === 'url_refused'
          ? { url: made.reason.vi }
          : made.status === 'too_many'
            ? { unit: `Mỗi đơn vị đăng ký tối đa ${MAX_ENDPOINTS_PER_UNIT} địa chỉ webhook.` }
            : { unit: 'Đơn vị không có hoặc không thuộc phạm vi của Ông/Bà.' };
      reply.code(made.status === 'too_many' ? 409 : 422);
      return renderList(req, reply, { values: form.values, errors });
    }
    // Rendered here, not redirected: after this response the secret is never shown again.
    reply.code(201);
    return renderList(req, reply, { created: { endpoint: made.endpoint, secret } });
  });

  app.get('/staff/webhooks/:webhookId', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    const endpoint = await endpointInScope(req);
    if (!endpoint) return staffNotFound(req, reply);
    return renderEndpoint(req, reply, endpoint, { done: doneText(req.query) });
  });

  app.post('/staff/webhooks/:webhookId/delete', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    const endpoint = await endpointInScope(req);
    if (!endpoint) return staffNotFound(req, reply);
    if ((req.body as { confirm?: unknown } | undefined)?.confirm !== '1') {
      reply.code(422);
      return renderEndpoint(req, reply, endpoint, {
        deleteError: 'Vui lòng đánh dấu ô xác nhận trước khi xóa.',
      });
    }
    if (!(await deleteWebhook(app.db, req.user!, endpoint.id))) return staffNotFound(req, reply);
    return reply.redirect('/staff/webhooks?done=deleted', 303);
  });

  app.post('/staff/webhooks/:webhookId/resume', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    const endpoint = await endpointInScope(req);
    if (!endpoint) return staffNotFound(req, reply);
    // Resuming one that is not paused (a second click) changes nothing.
    const resumed = await resumeWebhook(app.db, req.user!, endpoint);
    return reply.redirect(`/staff/webhooks/${endpoint.id}${resumed ? '?done=resumed' : ''}`, 303);
  });

  app.post('/staff/webhooks/:webhookId/resend-failed', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    const endpoint = await endpointInScope(req);
    if (!endpoint) return staffNotFound(req, reply);
    const n = await resendFailed(app.db, req.user!, endpoint);
    if (n === undefined) return pausedFirst(req, reply, endpoint);
    return reply.redirect(`/staff/webhooks/${endpoint.id}?done=resent_failed&n=${n}`, 303);
  });

  app.post('/staff/webhooks/:webhookId/deliveries/:deliveryId/resend', signedIn, async (req, reply) => {
    if (!canManageWebhooks(req.user!)) return refuse(req, reply);
    const endpoint = await endpointInScope(req);
    if (!endpoint) return staffNotFound(req, reply);
    const { deliveryId } = req.params as { deliveryId: string };
    const resent = await resendDelivery(app.db, req.user!, endpoint, deliveryId);
    if (resent === 'not_found') return staffNotFound(req, reply);
    if (resent === 'paused') return pausedFirst(req, reply, endpoint);
    return reply.redirect(`/staff/webhooks/${endpoint.id}?done=resent`, 303);
  });
}

/** Sending again to a paused endpoint would be skipped at once: resume it first. */
function pausedFirst(req: FastifyRequest, reply: FastifyReply, endpoint: EndpointRow) {
  reply.code(409);
  return renderEndpoint(req, reply, endpoint, {
    alert: 'Địa chỉ này đang tạm dừng: vui lòng bấm "Tiếp tục gửi" trước khi gửi lại.',
  });
}
