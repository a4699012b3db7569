import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { POSTER_SIZE_NAMES, POSTER_SIZES } from './poster-content.ts';
import { deskPoster, deskPosterPdf, type PosterPdf, unitPostersPdf } from './poster-service.ts';

// QR posters: a print page (A4 poster or A5 table card) and the same as PDF,
// per desk; and one PDF with every desk of a centre for its manager.

const SizeQuery = z.object({ size: z.enum(POSTER_SIZES).default('a4') });
const sizeOf = (query: unknown) => SizeQuery.safeParse(query).data?.size;

function badSize(req: FastifyRequest, reply: FastifyReply) {
  reply.code(400);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Khổ giấy không hợp lệ',
    text: 'Vui lòng chọn khổ A4 (áp phích) hoặc A5 (thẻ đặt bàn).',
  });
}

function inactive(req: FastifyRequest, reply: FastifyReply) {
  reply.code(404);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Quầy đã ngừng hoạt động',
    text: 'Quầy này (hoặc đơn vị của quầy) đã ngừng hoạt động nên mã QR của quầy không còn mở được phiếu khảo sát.',
  });
}

function sendPdf(req: FastifyRequest, reply: FastifyReply, result: PosterPdf) {
  switch (result.status) {
    case 'not_found':
      return staffNotFound(req, reply);
    case 'inactive':
      return inactive(req, reply);
    case 'empty':
      reply.code(404);
      return staffPage(req, reply, 'platform/staff-message', {
        title: 'Chưa có quầy để in',
        text: 'Đơn vị này và các đơn vị trực thuộc chưa có quầy nào đang hoạt động.',
      });
    case 'ok':
      return reply
        .type('application/pdf')
        .header('Cache-Control', 'no-store')
        .header('Content-Disposition', `attachment; filename="${result.filename}"`)
        .send(result.pdf);
  }
}

export default async function posterRoutes(app: FastifyInstance) {
  app.get('/staff/desks/:deskId/poster', { preHandler: requireUser('serve') }, async (req, reply) => {
    const deskId = idParam(req.params, 'deskId');
    if (!deskId) return staffNotFound(req, reply);
    const size = sizeOf(req.query);
    if (!size) return badSize(req, reply);
    const result = await deskPoster(app.db, req.user!, deskId, app.config.publicUrl);
    if (result.status === 'not_found') return staffNotFound(req, reply);
    if (result.status === 'inactive') return inactive(req, reply);
    return staffPage(req, reply, 'posters-codes/poster', {
      title: `${POSTER_SIZE_NAMES[size]} – ${result.poster.deskName}`,
      deskId,
      size,
      sizes: POSTER_SIZES.map((s) => ({ size: s, name: POSTER_SIZE_NAMES[s] })),
      poster: result.poster,
      qrSvg: result.qrSvg,
    });
  });

  app.get('/staff/desks/:deskId/poster.pdf', { preHandler: requireUser('serve') }, async (req, reply) => {
    const deskId = idParam(req.params, 'deskId');
    if (!deskId) return staffNotFound(req, reply);
    const size = sizeOf(req.query);
    if (!size) return badSize(req, reply);
    return sendPdf(req, reply, await deskPosterPdf(app.db, req.user!, deskId, size, app.config.publicUrl));
  });

  app.get('/staff/units/:unitId/posters.pdf', { preHandler: requireUser('manage') }, async (req, reply) => {
    const unitId = idParam(req.params, 'unitId');
    if (!unitId) return staffNotFound(req, reply);
    const size = sizeOf(req.query);
    if (!size) return badSize(req, reply);
    return sendPdf(req, reply, await unitPostersPdf(app.db, req.user!, unitId, size, app.config.publicUrl));
  });
}
