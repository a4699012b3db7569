import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, canReach } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { callbackPanel } from '../callbacks/callback-service.ts';
import {
  assignFeedback,
  canAssign,
  commentPublishable,
  convertPraise,
  feedbackPage,
  loadFeedback,
  type UpdateResult,
  updateFeedbackItem,
} from './feedback-item-service.ts';
import {
  type FeedbackChange,
  type FeedbackChangeErrors,
  FeedbackChangeSchema,
  STATUS_NAMES,
  TRANSITIONS,
} from './feedback-rules.ts';
import { canReadFeedback, feedbackInbox, refuseFeedbackRead } from './feedback-service.ts';

// The feedback inbox (PAKN): managers follow items up; officials read them.

const STATUS_FILTERS = ['open', 'all', 'new', 'in_progress', 'answered', 'closed', 'withheld'] as const;
const FILTER_NAMES: Record<(typeof STATUS_FILTERS)[number], string> = {
  open: 'Chưa xử lý xong (mới, đang xử lý)',
  all: 'Tất cả',
  ...STATUS_NAMES,
  // Where an item goes when its response is flagged, so a manager can find it.
  withheld: 'Tạm rút, không tính (phiếu nghi vấn)',
};
const VIEWS = ['items', 'mine', 'praise'] as const;
const optionalId = z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined);
const optionalText = (max: number) => z.string().trim().max(max).optional().catch(undefined);
/** A filter that cannot be read falls back to none: the page still answers. */
const InboxQuery = z.object({
  status: z.enum(STATUS_FILTERS).catch('open'),
  overdue: z.literal('1').optional().catch(undefined),
  view: z.enum(VIEWS).catch('items'),
  unitId: optionalId,
  deskId: optionalId,
  serviceArea: optionalText(64),
  from: optionalText(20),
  to: optionalText(20),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
type InboxQuery = z.infer<typeof InboxQuery>;

/** The inbox's address with the current filter, some of it changed (pages, views). */
function inboxUrl(q: InboxQuery, change: Partial<Record<keyof InboxQuery, string | number | undefined>>) {
  const merged: Record<string, unknown> = { ...q, ...change };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === undefined || v === '' || (k === 'page' && v === 1) || (k === 'view' && v === 'items')) continue;
    if (k === 'status' && v === 'open') continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `/staff/feedback?${s}` : '/staff/feedback';
}

/** Readers are managers, officials and admins; counter staff are refused (and audited). */
async function readersOnly(req: FastifyRequest, reply: FastifyReply) {
  if (canReadFeedback(req.user!)) return undefined;
  await refuseFeedbackRead(req.server.db, req.user!, req.routeOptions.url ?? '');
  reply.code(403);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Không có quyền',
    text: 'Tài khoản của Ông/Bà không có quyền xem phản ánh, kiến nghị.',
  });
}

/** The item named in the URL if it exists and lies in the user's subtree. */
async function itemInScope(req: FastifyRequest) {
  const id = idParam(req.params, 'feedbackId');
  const item = id ? await loadFeedback(req.server.db, id) : undefined;
  return item && canReach(req.user!, item.unitPath) ? item : undefined;
}

type Item = NonNullable<Awaited<ReturnType<typeof itemInScope>>>;

async function renderItem(
  req: FastifyRequest,
  reply: FastifyReply,
  item: Item,
  form?: { values: Partial<FeedbackChange> & { commentPublishable?: boolean }; errors: FeedbackChangeErrors },
) {
  const page = await feedbackPage(req.server.db, req.user!, item);
  // The citizen's callback, if they asked for one: its contact only for whoever handles the item.
  const callback = await callbackPanel(req.server.db, req.user!, item);
  const publishable = await commentPublishable(req.server.db, item);
  const manager = can(req.user!, 'manage');
  const canEdit = manager && item.kind === 'item' && item.status !== 'closed' && !item.withheld;
  const nextStatuses = [item.status, ...TRANSITIONS[item.status]].map((code) => ({ code, name: STATUS_NAMES[code] }));
  return staffPage(req, reply, 'feedback/feedback-item', {
    title: `Phản ánh, kiến nghị số ${item.id}`,
    ...page,
    canEdit,
    callback,
    canAssign: manager && canAssign(item),
    canConvert: manager && item.kind === 'praise' && !item.withheld,
    nextStatuses,
    values: {
      status: item.status,
      internalNote: item.internalNote ?? '',
      publicAnswer: item.publicAnswer ?? '',
      commentPublishable: publishable,
      ...form?.values,
    },
    errors: form?.errors ?? {},
    saved: (req.query as { saved?: string } | undefined)?.saved === '1',
  });
}

export default async function feedbackRoutes(app: FastifyInstance) {
  app.get('/staff/feedback', { preHandler: requireUser() }, async (req, reply) => {
    const refused = await readersOnly(req, reply);
    if (refused) return refused;
    const query = InboxQuery.parse(req.query ?? {});
    const inbox = await feedbackInbox(app.db, req.user!, { ...query, overdueOnly: query.overdue === '1' });
    const shown = { ...query, page: inbox.paging.page };
    return staffPage(req, reply, 'feedback/feedback-list', {
      title: 'Phản ánh, kiến nghị',
      ...inbox,
      filter: query,
      filters: STATUS_FILTERS.map((code) => ({ code, name: FILTER_NAMES[code] })),
      links: {
        prev: shown.page > 1 ? inboxUrl(shown, { page: shown.page - 1 }) : null,
        next: shown.page < inbox.paging.pages ? inboxUrl(shown, { page: shown.page + 1 }) : null,
        // A view keeps the place filters (unit, desk, area, dates), not the page.
        views: Object.fromEntries(VIEWS.map((v) => [v, inboxUrl(shown, { view: v, page: undefined })])),
      },
    });
  });

  app.get('/staff/feedback/:feedbackId', { preHandler: requireUser() }, async (req, reply) => {
    const refused = await readersOnly(req, reply);
    if (refused) return refused;
    const item = await itemInScope(req);
    if (!item) return staffNotFound(req, reply);
    return renderItem(req, reply, item);
  });

  app.post('/staff/feedback/:feedbackId', { preHandler: requireUser('manage') }, async (req, reply) => {
    const item = await itemInScope(req);
    if (!item) return staffNotFound(req, reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 8000) : undefined);
    const typed = {
      status: str(body.status),
      internalNote: str(body.internalNote),
      publicAnswer: str(body.publicAnswer),
    };
    const parsed = FeedbackChangeSchema.safeParse(typed);
    // The checkbox is in the form only when there is a comment: absent then means unticked.
    const publishable = item.comment ? body.commentPublishable === '1' : undefined;
    const result = parsed.success
      ? await updateFeedbackItem(app.db, req.user!, item, parsed.data, undefined, publishable)
      : {
          ok: false as const,
          errors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])),
        };
    if (!result.ok) {
      reply.code(422);
      const values = {
        ...Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== undefined)),
        ...(publishable === undefined ? {} : { commentPublishable: publishable }),
      };
      return renderItem(req, reply, item, { values, errors: result.errors });
    }
    return reply.redirect(`/staff/feedback/${item.id}?saved=1`, 303);
  });

  /** The answer to an assignment or a conversion: back to the item, or its page with why not. */
  async function afterAction(req: FastifyRequest, reply: FastifyReply, item: Item, result: UpdateResult) {
    if (result.ok) return reply.redirect(`/staff/feedback/${item.id}?saved=1`, 303);
    reply.code(422);
    return renderItem(req, reply, item, { values: {}, errors: result.errors });
  }

  app.post('/staff/feedback/:feedbackId/assign', { preHandler: requireUser('manage') }, async (req, reply) => {
    const item = await itemInScope(req);
    if (!item) return staffNotFound(req, reply);
    const raw = (req.body as Record<string, unknown> | undefined)?.assigneeId;
    // '' gives the item to nobody; anything else must be an id on the item's list.
    const id = raw === '' ? null : typeof raw === 'string' && /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : undefined;
    const result =
      id === undefined
        ? ({ ok: false, errors: { assignee: 'Chọn một người trong danh sách.' } } as const)
        : await assignFeedback(app.db, req.user!, item, id);
    return afterAction(req, reply, item, result);
  });

  app.post('/staff/feedback/:feedbackId/convert', { preHandler: requireUser('manage') }, async (req, reply) => {
    const item = await itemInScope(req);
    if (!item) return staffNotFound(req, reply);
    return afterAction(req, reply, item, await convertPraise(app.db, req.user!, item));
  });
}
