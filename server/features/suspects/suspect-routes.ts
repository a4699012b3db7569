import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canReach } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { findDeskById } from '../organisation/desk-repository.ts';
import { canReviewSuspects, mayReview, reviewSuspects, suspectReview } from './suspect-review-service.ts';

// The officials' review of responses the anti-stuffing checks flagged:
// listed by desk and reason; confirmed (stay out of the indices) or cleared
// (counted again), one response or a whole group at once, with a reason. A
// response id travels in a form field, never in the URL; the desk in the URL
// is checked against the user's subtree, and only an official of a unit above
// the desk's (or an administrator) may decide: nobody reviews their own score.

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
  note: z.string().trim().min(5).max(500),
  status: z.enum(FILTERS).catch('pending'),
  from: z.enum(['all', 'desk']).catch('all'),
});

const DONE_TEXT = {
  confirm: (n: number) => `Đã xác nhận ${n} phiếu nghi vấn; các phiếu này tiếp tục không được tính vào chỉ số.`,
  clear: (n: number) => `Đã bỏ đánh dấu ${n} phiếu; các phiếu này được tính lại vào chỉ số.`,
};

/**
 * Officials and administrators review; the measured (managers and counter
 * staff) are refused, and that is audited.
 */
async function refuseNonReviewers(req: FastifyRequest, reply: FastifyReply) {
  if (canReviewSuspects(req.user!)) return undefined;
  return staffRefused(
    req,
    reply,
    'Phiếu nghi vấn của một đơn vị do cán bộ đơn vị cấp trên xem xét; tài khoản của Ông/Bà không có quyền này.',
  );
}

/** The desk named in the URL if it exists and lies in the user's subtree. */
async function deskInScope(req: FastifyRequest) {
  const id = idParam(req.params, 'deskId');
  const desk = id ? await findDeskById(req.server.db, id) : undefined;
  return desk && canReach(req.user!, desk.unitPath) ? desk : undefined;
}

/** An official of the desk's own unit reaches it but may not judge it: 403, audited. */
async function refuseOwnUnit(req: FastifyRequest, reply: FastifyReply, desk: { unitId: number; unitPath: string }) {
  if (mayReview(req.user!, desk.unitPath)) return undefined;
  return staffRefused(
    req,
    reply,
    'Phiếu nghi vấn của đơn vị mình do cán bộ đơn vị cấp trên xem xét, không do chính đơn vị được đánh giá.',
    { unitId: desk.unitId, why: 'own_unit' },
  );
}

async function listPage(
  req: FastifyRequest,
  reply: FastifyReply,
  desk?: { id: number; name: string; unitName: string },
) {
  const query = ListQuery.parse(req.query ?? {});
  const review = await suspectReview(req.server.db, req.user!, { filter: query.status, deskId: desk?.id });
  return staffPage(req, reply, 'suspects/suspects', {
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
    return (await refuseOwnUnit(req, reply, desk)) ?? listPage(req, reply, desk);
  });

  app.post('/staff/desks/:deskId/suspects', { preHandler: requireUser() }, async (req, reply) => {
    const refused = await refuseNonReviewers(req, reply);
    if (refused) return refused;
    const desk = await deskInScope(req);
    if (!desk) return staffNotFound(req, reply);
    const ownUnit = await refuseOwnUnit(req, reply, desk);
    if (ownUnit) return ownUnit;
    const parsed = ReviewBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      reply.code(422);
      const noNote = parsed.error.issues.some((i) => i.path[0] === 'note');
      return staffPage(req, reply, 'platform/staff-message', {
        title: 'Yêu cầu không hợp lệ',
        text: noNote
          ? 'Vui lòng ghi lý do quyết định (từ 5 đến 500 ký tự); lý do được ghi vào nhật ký.'
          : 'Vui lòng chọn phiếu cần xem xét và thao tác (xác nhận hoặc bỏ đánh dấu).',
      });
    }
    const b = parsed.data;
    const result = await reviewSuspects(app.db, req.user!, desk, {
      ids: b.responseId,
      decision: b.decision,
      note: b.note,
    });
    // A response of another desk, or one nobody flagged: nothing changed.
    if (!result.ok) return staffNotFound(req, reply);
    const back = b.from === 'desk' ? `/staff/desks/${desk.id}/suspects` : '/staff/suspects';
    return reply.redirect(`${back}?status=${b.status}&done=${b.decision}&n=${result.count}`, 303);
  });
}
