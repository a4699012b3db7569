import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { databaseUrlOf } from '../../platform/db/database-url.ts';
import { requireDevice } from './kiosk-device-auth.ts';
import { DEFAULT_WAIT, InvitationWaits } from './kiosk-invitation-listener.ts';

// GET /kiosk/api/invitations/next?after=<id>: the idle tablet's long poll.
// Plain HTTP held open (no server-sent events): it passes any reverse proxy
// that forwards requests, nothing is buffered or cached on the way, and a
// tablet that loses the network simply asks again.
//   200 {"invitation": {"id", "serviceArea", "expiresAt"}} as soon as the
//       desk has an open invitation newer than `after` (at once if it has);
//   204 after the hold (25 s), and the tablet asks again;
//   401 for a missing or revoked credential (requireDevice);
//   503 with Retry-After when this process already holds its maximum.

declare module 'fastify' {
  interface FastifyInstance {
    /** The tablets waiting in this process; tests shorten `settings.holdMs`. */
    kioskInvitationWaits: InvitationWaits;
  }
}

/**
 * The listening connection's address: DATABASE_URL, or the embedded cluster
 * that server.ts started before building the app (startEmbedded reuses a
 * running one).
 */
const AFTER = /^(0|[1-9][0-9]{0,14})$/;

const BUSY_BODY = {
  code: 'service.unavailable',
  message: {
    vi: 'Máy chủ đang bận; máy tính bảng sẽ tự hỏi lại sau ít giây.',
    en: 'The server is busy; the tablet asks again in a few seconds.',
  },
  errors: [],
};

async function kioskWaitRoutes(app: FastifyInstance) {
  let url: Promise<string> | undefined;
  const waits = new InvitationWaits({
    db: app.db,
    log: app.log,
    url: () => {
      url ??= databaseUrlOf(app.config).catch((err) => {
        url = undefined;
        throw err;
      });
      return url;
    },
    settings: {
      // The hold stays under the idle timeout, or the socket would be cut while held.
      holdMs: Math.min(DEFAULT_WAIT.holdMs, Math.max(1_000, app.config.http.idleTimeout - 5_000)),
      // Held tablets never take more than half the connections: citizens' forms need the rest.
      maxWaiting: Math.min(DEFAULT_WAIT.maxWaiting, Math.floor(app.config.http.maxConnections / 2)),
    },
  });
  app.decorate('kioskInvitationWaits', waits);
  // Before the server waits for requests in flight: held requests end now, not after their hold.
  app.addHook('preClose', async () => {
    await waits.close();
  });
  app.addHook('onClose', async () => {
    await waits.close();
  });

  app.get('/kiosk/api/invitations/next', { preHandler: requireDevice }, async (req, reply) => {
    const device = req.kioskDevice!;
    const raw = (req.query as Record<string, unknown> | undefined)?.after;
    if (raw !== undefined && (typeof raw !== 'string' || !AFTER.test(raw))) {
      return reply.code(400).send({
        code: 'request.invalid',
        message: { vi: 'Tham số after không hợp lệ.', en: 'after must be an invitation id.' },
        errors: [],
      });
    }
    // Nothing on the way may keep or buffer the answer: each one is for this tablet, now.
    reply.header('Cache-Control', 'no-store').header('X-Accel-Buffering', 'no');
    const gone = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableEnded) gone.abort();
    });
    const result = await waits.wait(
      { deskId: device.deskId, deviceId: device.id, after: Number(raw ?? 0) },
      gone.signal,
    );
    if (result === 'busy') return reply.code(503).header('Retry-After', '10').send(BUSY_BODY);
    if (!result) return reply.code(204).send();
    return reply.send({
      invitation: { id: result.id, serviceArea: result.serviceArea, expiresAt: result.expiresAt.toISOString() },
    });
  });
}

export default fp(kioskWaitRoutes, { name: 'kiosk-wait-routes', dependencies: ['context'] });
