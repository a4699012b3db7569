import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { showDesk } from '../organisation/units-routes.ts';
import { revokeKioskDevice, setKioskIdleSeconds } from './kiosk-device-service.ts';
import { groupPairingCode, PAIRING_MINUTES } from './kiosk-pairing-code.ts';
import { createPairing } from './kiosk-pairing-service.ts';

// The desk page's counter tablets (its section is in views/organisation/desk.eta):
// a pairing code with its QR, revoking a tablet, the pause after thanks.
// Managers only, within their units. The code exists only in the response
// that shows it (only its hash is stored), so that page is rendered straight
// from the POST, not redirected.

function message(req: FastifyRequest, reply: FastifyReply, status: number, title: string, text: string) {
  reply.code(status);
  return staffPage(req, reply, 'platform/staff-message', { title, text });
}

const backToDesk = (reply: FastifyReply, deskId: number) => reply.redirect(`/staff/desks/${deskId}#kiosk`, 303);

export default async function kioskStaffRoutes(app: FastifyInstance) {
  const manage = { preHandler: requireUser('manage') };

  app.post('/staff/desks/:deskId/kiosk-pairings', manage, async (req, reply) => {
    const deskId = idParam(req.params, 'deskId');
    const made = deskId
      ? await createPairing(app.db, req.user!, { id: deskId }, app.config.publicUrl)
      : ({ status: 'not_found' } as const);
    switch (made.status) {
      case 'not_found':
      case 'forbidden':
        return staffNotFound(req, reply);
      case 'inactive':
        return message(
          req,
          reply,
          422,
          'Quầy đã ngừng hoạt động',
          'Quầy này (hoặc đơn vị của quầy) đã ngừng hoạt động nên không ghép máy tính bảng được.',
        );
      case 'too_many':
        reply.header('Retry-After', String(PAIRING_MINUTES * 60));
        return message(
          req,
          reply,
          429,
          'Đã có nhiều mã ghép chưa dùng',
          `Quầy này đã có ${made.max} mã ghép chưa dùng. Vui lòng dùng một mã đã tạo, hoặc chờ ${PAIRING_MINUTES} phút để các mã hết hạn.`,
        );
      case 'created':
        return staffPage(req, reply, 'kiosk/staff-pairing', {
          title: `Ghép máy tính bảng – ${made.desk.name}`,
          desk: made.desk,
          code: groupPairingCode(made.code),
          url: made.url,
          kioskUrl: `${app.config.publicUrl}/kiosk`,
          qrSvg: made.qrSvg,
          expires: formatDateTimeVi(made.expiresAt),
          minutes: PAIRING_MINUTES,
        });
    }
  });

  app.post('/staff/desks/:deskId/kiosk-devices/:deviceId/revoke', manage, async (req, reply) => {
    const deskId = idParam(req.params, 'deskId');
    const deviceId = idParam(req.params, 'deviceId');
    const done = deskId && deviceId ? await revokeKioskDevice(app.db, req.user!, deviceId, deskId) : undefined;
    if (!deskId || done?.status !== 'ok') return staffNotFound(req, reply);
    return backToDesk(reply, deskId);
  });

  app.post('/staff/desks/:deskId/kiosk-idle', manage, async (req, reply) => {
    const deskId = idParam(req.params, 'deskId');
    const raw = (req.body as { seconds?: unknown } | undefined)?.seconds;
    const seconds = typeof raw === 'string' && /^\s*\d{1,4}\s*$/.test(raw) ? Number(raw) : Number.NaN;
    const done = deskId ? await setKioskIdleSeconds(app.db, req.user!, deskId, seconds) : undefined;
    if (!deskId || !done || done.status === 'not_found' || done.status === 'forbidden') {
      return staffNotFound(req, reply);
    }
    if (done.status === 'invalid') {
      return showDesk(req, reply, deskId, { kioskIdle: { values: { seconds: raw }, errors: done.errors } });
    }
    return backToDesk(reply, deskId);
  });
}
