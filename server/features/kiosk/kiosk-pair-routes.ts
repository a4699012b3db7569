import type { FastifyInstance } from 'fastify';
import { apiError } from '../../platform/http/api-errors.ts';
import { KIOSK_COOKIE, kioskCookieOptions } from './kiosk-device-auth.ts';
import { PairThrottle } from './kiosk-pair-throttle.ts';
import { normalisePairingCode } from './kiosk-pairing-code.ts';
import { redeemPairing } from './kiosk-pairing-service.ts';

// POST /kiosk/api/pair: the tablet trades a pairing code for its device
// credential, set as an HttpOnly cookie the tablet's script never sees. No
// staff session is involved: whoever holds a valid code pairs a tablet with
// its desk, which is why codes are short-lived, single-use and throttled.
// JSON only: a cross-site form cannot post it (its content types are refused).

export default async function kioskPairRoutes(app: FastifyInstance) {
  const throttle = new PairThrottle(app.db);

  app.post('/kiosk/api/pair', { bodyLimit: 1024 }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const typed = (req.body as { code?: unknown } | undefined)?.code;
    // What cannot be a code is refused before it counts as a guess: it could match nothing.
    if (!normalisePairingCode(typed)) return reply.code(422).send(apiError('kiosk.pairing_invalid'));
    const guess = await throttle.reserve(req.ip);
    if (!guess.ok) {
      return reply
        .code(429)
        .header('Retry-After', String(guess.retryAfterSeconds))
        .send(apiError('kiosk.pairing_throttled'));
    }
    const paired = await redeemPairing(app.db, typed);
    // Which of unknown, used or expired it was is not said: that would help a guesser.
    if (paired.status === 'invalid') return reply.code(422).send(apiError('kiosk.pairing_invalid'));
    await throttle.forgive(guess.id);
    reply.setCookie(KIOSK_COOKIE, paired.token, kioskCookieOptions(app.sessionCookie.secure));
    return { desk: paired.desk, unit: paired.unit };
  });
}
