import type { FastifyReply, FastifyRequest } from 'fastify';
import { secretHash } from '../../platform/secrets.ts';
import { findDeviceByTokenHash, type KioskDevice, noteContact } from './kiosk-device-repository.ts';

// A paired tablet's credential: a long random token in an HttpOnly cookie
// scoped to /kiosk, bound to one desk; the database keeps its hash only. No
// staff session ever lives on the tablet: this cookie lets it fetch its
// survey, send answers and wait for invitations, nothing else.

declare module 'fastify' {
  interface FastifyRequest {
    kioskDevice?: KioskDevice;
  }
}

export const KIOSK_COOKIE = 'hl_kiosk';
/** A tablet stays paired until revoked; the cookie outlives any sensible use. */
export const KIOSK_COOKIE_DAYS = 400;

export function kioskCookieOptions(secure: boolean) {
  return {
    path: '/kiosk',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure,
    maxAge: KIOSK_COOKIE_DAYS * 86_400,
  };
}

/** What the tablet gets back when its credential is missing or revoked: it then stores nothing more. */
export const REVOKED_BODY = {
  code: 'kiosk.revoked',
  message: { vi: 'Thiết bị đã bị thu hồi', en: 'This device has been revoked' },
  errors: [],
};
export const UNPAIRED_BODY = {
  code: 'kiosk.not_paired',
  message: { vi: 'Máy chưa được ghép với quầy nào', en: 'This device is not paired with a desk' },
  errors: [],
};

/**
 * preHandler of the tablet's own routes: the device of the cookie, or 401
 * (`kiosk.not_paired`, or `kiosk.revoked` for a revoked one). Notes the
 * contact; with `queued` in the query string, the queue length too.
 */
export async function requireDevice(req: FastifyRequest, reply: FastifyReply) {
  const token = req.cookies[KIOSK_COOKIE];
  const device =
    token && token.length <= 200 ? await findDeviceByTokenHash(req.server.db, secretHash(token)) : undefined;
  if (!device) return reply.code(401).send(UNPAIRED_BODY);
  if (device.revoked) return reply.code(401).send(REVOKED_BODY);
  const queued = Number((req.query as Record<string, unknown> | undefined)?.queued);
  await noteContact(req.server.db, device.id, Number.isFinite(queued) ? queued : undefined);
  req.kioskDevice = device;
}
