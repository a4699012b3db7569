import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../../plugins/session.ts';
import { recordAudit } from '../../repositories/audit-repository.ts';
import { findDeskById } from '../../repositories/desk-repository.ts';
import { can, canReach } from '../../services/scope.ts';
import { reviewSuspects, suspectReview } from '../../services/stuffing-service.ts';
import { idParam, staffNotFound, staffPage } from './staff-view.ts';

// The officials' review of responses the anti-stuffing checks flagged:
// listed by desk and reason; confirmed (stay out of the indices) or cleared
// (counted again), one response or a whole group at once. A response id
// travels in a form field, never in the URL; the desk in the URL is
// checked against the user's subtree.

const FILTERS = ['pending', 'confirmed', 'cleared'] as const;
const FILTER_NAMES: Record<(typeof FILTERS)[number], string> = {
  pending: 'Chưa xem xét',
  confirmed: 'Đã xác nhận nghi vấn (không tính)',
  cleared: 'Đã bỏ đánh dấu (được tính lại)',
};
const ListQuery = z.object({
  status: z.enum(FILTERS).catch('pending'),
  done: z.enum(['confirm', 'clear']).optional().catch(undefined),
  n: z.coerce.number().int().min(0).max(100_000).optional().catch(undefined),
});

/** Up to the page's whole list in one group action; ids are bigints as text. */
const ReviewBody = z.object({
  decision: z.enum(['confirm', 'clear']),
  responseId: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => [...new Set([v].flat())])
    .pipe(
      z
        .array(z.string().regex(/^[1-9][0-9]{0,15}$/))
        .min(1)
        .max(1000),
    ),
  status: z.enum(FILTERS).catch('pending'),
  from: z.enum(['all', 'desk']).catch('all'),
});

const DONE_TEXT = {
  confirm: (n: number) => `Đã xác nhận ${n} phiếu nghi vấn; các phiếu này tiếp tục không được tính vào chỉ số.`,
  clear: (n: number) => `Đã bỏ đánh dấu ${n} phiếu; các phiếu này được tính lại vào chỉ số.`,
};

/** Officials (oversee) and managers (manage) review; counter staff are refused, and that is audited. */
async function refuseNonReviewers(req: FastifyRequest, reply: FastifyReply) {
  const user = req.user!;
  if (can(user, 'oversee') || can(user, 'manage')) return undefined;
  await recordAudit(req.server.db, {
    actorUserId: user.userId,
    unitId: user.unitId,
    action: 'permission.denied',
    detail: { route: req.routeOptions.url, method: req.method },
  });
  reply.code(403);
  return staffPage(req, reply, 'message', {
    title: 'Không có quyền',
    text: 'Tài khoản của Ông/Bà không có quyền xem xét phiếu nghi vấn.',
  });
}

/** The desk named in the URL if it exists and lies in the user's subtree. */
async function deskInScope(req: FastifyRequest) {
  const id = idParam(req.params, 'deskId');
  const desk = id ? await findDeskById(req.server.db, id) : undefined;
  return desk && canReach(req.user!, desk.unitPath) ? desk : undefined;
}

async function listPage(
  req: FastifyRequest,
  reply: FastifyReply,
  desk?: { id: number; name: string; unitName: string },
) {
  const query = ListQuery.parse(req.query ?? {});
  const review = await suspectReview(req.server.db, req.user!, { filter: query.status, deskId: desk?.id });
  return staffPage(req, reply, 'suspects', {
    title: desk ? `Phiếu nghi vấn · ${desk.name}` : 'Phiếu nghi vấn',
    ...review,
    desk,
    listUrl: desk ? `/staff/desks/${desk.id}/suspects` : '/staff/suspects',
    from: desk ? 'desk' : 'all',
    filter: query.status,
    filters: FILTERS.map((code) => ({ code, name: FILTER_NAMES[code] })),
    done: query.done && query.n !== undefined ? DONE_TEXT[query.done](query.n) : undefined,
  });
}

export default async function suspectRoutes(app: FastifyInstance) {
  app.get('/staff/suspects', { preHandler: requireUser() }, async (req, reply) => {
    return (await refuseNonReviewers(req, reply)) ?? listPage(req, reply);
  });

  app.get('/staff/desks/:deskId/suspects', { preHandler: requireUser() }, async (req, reply) => {
    const refused = await refuseNonReviewers(req, reply);
    if (refused) return refused;
    const desk = await deskInScope(req);
    if (!desk) return staffNotFound(req, reply);
    return listPage(req, reply, desk);
  });

  app.post('/staff/desks/:deskId/suspects', { preHandler: requireUser() }, async (req, reply) => {
    const refused = await refuseNonReviewers(req, reply);
    if (refused) return refused;
    const desk = await deskInScope(req);
    if (!desk) return staffNotFound(req, reply);
    const parsed = ReviewBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      reply.code(422);
      return staffPage(req, reply, 'message', {
        title: 'Yêu cầu không hợp lệ',
        text: 'Vui lòng chọn phiếu cần xem xét và thao tác (xác nhận hoặc bỏ đánh dấu).',
      });
    }
    const b = parsed.data;
    const result = await reviewSuspects(app.db, req.user!, desk, b.responseId, b.decision);
    // A response of another desk, or one nobody flagged: nothing changed.
    if (!result.ok) return staffNotFound(req, reply);
    const back = b.from === 'desk' ? `/staff/desks/${desk.id}/suspects` : '/staff/suspects';
    return reply.redirect(`${back}?status=${b.status}&done=${b.decision}&n=${result.count}`, 303);
  });
}
