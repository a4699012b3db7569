import type { FastifyInstance } from 'fastify';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { inviteFromStaff } from './kiosk-invitation-service.ts';

// "Mời đánh giá" on the clerk's page for their desk (the one-time codes page,
// posters-codes/staff-code-routes.ts, shows the button while the desk has a
// paired tablet). A success goes back to that page with a confirmation, so
// a reload does not invite twice.

export const INVITED_QUERY = 'invited=1';

export default async function kioskInvitationRoutes(app: FastifyInstance) {
  app.post('/staff/desks/:deskId/kiosk-invitations', { preHandler: requireUser('serve') }, async (req, reply) => {
    const deskId = idParam(req.params, 'deskId');
    if (!deskId) return staffNotFound(req, reply);
    const raw = (req.body as Record<string, unknown> | undefined)?.serviceArea;
    const serviceArea = typeof raw === 'string' ? raw.trim().slice(0, 64) : '';
    const result = await inviteFromStaff(app.db, req.user!, { deskId, serviceArea });
    switch (result.status) {
      case 'not_found':
      case 'forbidden':
        return staffNotFound(req, reply);
      case 'area_not_served':
        reply.code(422);
        return staffPage(req, reply, 'platform/staff-message', {
          title: 'Chưa mời được',
          text: 'Vui lòng quay lại, chọn một lĩnh vực mà quầy này phục vụ rồi bấm «Mời đánh giá» lại.',
        });
      case 'no_device':
        reply.code(409);
        return staffPage(req, reply, 'platform/staff-message', {
          title: 'Chưa mời được',
          text: 'Quầy này không còn máy tính bảng đã ghép (máy có thể vừa bị thu hồi). Vui lòng nhờ quản lý ghép lại máy ở trang của quầy.',
        });
      case 'created':
        return reply.redirect(`/staff/desks/${deskId}/codes?${INVITED_QUERY}#kiosk-invite`, 303);
    }
  });
}
