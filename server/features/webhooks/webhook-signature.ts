import { createHmac, timingSafeEqual } from 'node:crypto';

// X-Hai-Long-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The time is signed with the body, so a captured delivery cannot be
// replayed later than the receiver's tolerance; the receiver also keeps the
// delivery ids it has seen (retries reuse the id).

export const SIGNATURE_HEADER = 'x-hai-long-signature';
export const EVENT_HEADER = 'x-hai-long-event';

const mac = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/** The header value for `body` sent at unix time `t`. */
export function signatureHeader(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${mac(secret, t, body)}`;
}

/**
 * Whether `header` signs `body` with `secret` within `toleranceSeconds` of
 * `now` (unix seconds). What a receiver does; the tests use it.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  { toleranceSeconds = 300, now = Math.floor(Date.now() / 1000) } = {},
): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  if (!Number.isInteger(t) || Math.abs(now - t) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, t, body), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
