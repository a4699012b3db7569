import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { can, canReach } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import {
  type FeedbackChange,
  type FeedbackChangeErrors,
  FeedbackChangeSchema,
  STATUS_NAMES,
  TRANSITIONS,
} from './feedback-rules.ts';
import {
  canReadFeedback,
  feedbackInbox,
  feedbackPage,
  loadFeedback,
  refuseFeedbackRead,
  updateFeedbackItem,
} from './feedback-service.ts';

// The feedback inbox (PAKN): managers follow items up; officials read them.

const STATUS_FILTERS = ['open', 'all', 'new', 'in_progress', 'answered', 'closed', 'withheld'] as const;
const FILTER_NAMES: Record<(typeof STATUS_FILTERS)[number], string> = {
  open: 'Chưa xử lý xong (mới, đang xử lý)',
  all: 'Tất cả',
  ...STATUS_NAMES,
  // Where an item goes when its response is flagged, so a manager can find it.
  withheld: 'Tạm rút, không tính (phiếu nghi vấn)',
};
const InboxQuery = z.object({
  status: z.enum(STATUS_FILTERS).catch('open'),
  overdue: z.literal('1').optional().catch(undefined),
});

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

async function renderItem(
  req: FastifyRequest,
  reply: FastifyReply,
  item: NonNullable<Awaited<ReturnType<typeof itemInScope>>>,
  form?: { values: Partial<FeedbackChange>; errors: FeedbackChangeErrors },
) {
  const page = await feedbackPage(req.server.db, item);
  const canEdit = can(req.user!, 'manage') && item.status !== 'closed' && !item.withheld;
  const nextStatuses = [item.status, ...TRANSITIONS[item.status]].map((code) => ({ code, name: STATUS_NAMES[code] }));
  return staffPage(req, reply, 'feedback/feedback-item', {
    title: `Phản ánh, kiến nghị số ${item.id}`,
    ...page,
    canEdit,
    nextStatuses,
    values: {
      status: item.status,
      internalNote: item.internalNote ?? '',
      publicAnswer: item.publicAnswer ?? '',
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
    const inbox = await feedbackInbox(app.db, req.user!, { status: query.status, overdueOnly: query.overdue === '1' });
    return staffPage(req, reply, 'feedback/feedback-list', {
      title: 'Phản ánh, kiến nghị',
      ...inbox,
      filter: query,
      filters: STATUS_FILTERS.map((code) => ({ code, name: FILTER_NAMES[code] })),
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
    const result = parsed.success
      ? await updateFeedbackItem(app.db, req.user!, item, parsed.data)
      : {
          ok: false as const,
          errors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])),
        };
    if (!result.ok) {
      reply.code(422);
      const values = Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== undefined));
      return renderItem(req, reply, item, { values, errors: result.errors });
    }
    return reply.redirect(`/staff/feedback/${item.id}?saved=1`, 303);
  });
}
