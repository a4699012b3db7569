import { createHmac, timingSafeEqual } from 'node:crypto';
import { addWorkingDays } from '../../../analysis/local-time.ts';
import type { ContactKind } from '../../platform/db/schema-callbacks.ts';

// Callbacks after a low score (issue 18, part 4): the signed offer a
// thank-you page carries, what counts as a phone number or an e-mail, and
// the deadlines. Pure: no database, no Fastify.

/** The item promises a call back within one working day of the contact being left. */
export const CALLBACK_WORKING_DAYS = 1;
/** Days after the item closes that the contact is kept (Decree 356/2025 on personal data). */
export const CONTACT_KEEP_DAYS = 30;
/** How long the thank-you page's offer can be taken up. */
export const OFFER_TTL_MS = 2 * 3_600_000;

const DAY_MS = 86_400_000;

/** The moment a contact of an item closed at `closedAt` is due for deletion. */
export const contactDeletedAt = (closedAt: Date) => new Date(closedAt.getTime() + CONTACT_KEEP_DAYS * DAY_MS);

/** When the callback is due: one working day after the contact was left (weekends skipped). */
export const callbackDueAt = (leftAt: Date) => addWorkingDays(leftAt, CALLBACK_WORKING_DAYS);

function offerSignature(secret: Buffer, responseId: string, expiresMs: number): string {
  return createHmac('sha256', secret).update(`callback-offer\0${responseId}\0${expiresMs}`).digest('base64url');
}

/**
 * The token the callback form posts: the response, until when it may be
 * used, and a keyed signature of both. Nobody can make one for another
 * response or stretch its time without the form secret.
 */
export function signOfferToken(secret: Buffer, responseId: string, nowMs: number): string {
  const expires = nowMs + OFFER_TTL_MS;
  return `${responseId}.${expires}.${offerSignature(secret, responseId, expires)}`;
}

/** The response a token names, 'expired' once its time is past, or undefined when it is not genuine. */
export function verifyOfferToken(secret: Buffer, token: unknown, nowMs: number): string | 'expired' | undefined {
  if (typeof token !== 'string' || token.length > 120) return undefined;
  const m = /^([1-9][0-9]{0,18})\.([0-9]{10,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const [, responseId, expiresText, given] = m as unknown as [string, string, string, string];
  const expected = Buffer.from(offerSignature(secret, responseId, Number(expiresText)));
  if (!timingSafeEqual(expected, Buffer.from(given))) return undefined;
  return Number(expiresText) < nowMs ? 'expired' : responseId;
}

export type ContactProblem = 'empty' | 'phone' | 'email';
export type ParsedContact = { ok: true; kind: ContactKind; contact: string } | { ok: false; problem: ContactProblem };

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]{2,}$/;

/**
 * A phone number or an e-mail as a citizen types it. Anything with an @ is
 * an e-mail. A phone number is Vietnamese: ten digits starting with 0, or
 * +84 and the nine digits after the 0 (spaces, dots and dashes allowed); it
 * is kept as the ten digits staff dial.
 */
export function parseContact(raw: string): ParsedContact {
  const typed = raw.trim();
  if (!typed) return { ok: false, problem: 'empty' };
  if (typed.includes('@')) {
    return typed.length <= 254 && EMAIL.test(typed)
      ? { ok: true, kind: 'email', contact: typed }
      : { ok: false, problem: 'email' };
  }
  const compact = typed.replace(/[\s.\-()]/g, '');
  const national = compact.startsWith('+84') ? `0${compact.slice(3).replace(/^0/, '')}` : compact;
  return /^0[1-9][0-9]{8}$/.test(national)
    ? { ok: true, kind: 'phone', contact: national }
    : { ok: false, problem: 'phone' };
}
