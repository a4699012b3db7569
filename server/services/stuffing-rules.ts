import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Answer } from '../../surveys/answers.ts';
import { FACTOR_VI } from '../../surveys/definition-text-vi.ts';
import { NA, NA_LABEL } from '../../surveys/scale.ts';
import { questionsOf, type SurveyDefinition } from '../../surveys/schema.ts';
import { todayIso } from './local-time.ts';

// The anti-stuffing rules for open posters, pure (no Fastify, no database):
// the signed render time of the form, the daily keyed hash of the client
// address, the fingerprint of the answers and the thresholds; and the words
// the review shows. A submission that trips a check is stored and flagged
// with the reason, never dropped.

export const STUFFING_REASONS = ['honeypot', 'too_fast', 'client_rate', 'desk_rate', 'burst'] as const;
export type StuffingReason = (typeof STUFFING_REASONS)[number];

/** How officials read each reason on the review page. */
export const REASON_VI: Record<StuffingReason, string> = {
  honeypot: 'Điền vào ô ẩn mà người thật không thấy (máy tự động)',
  too_fast: 'Gửi quá nhanh sau khi mở phiếu',
  client_rate: 'Quá nhiều phiếu từ cùng một mạng, thiết bị tại quầy',
  desk_rate: 'Quá nhiều phiếu tại quầy trong thời gian ngắn',
  burst: 'Nhiều phiếu trả lời giống hệt nhau liên tiếp tại quầy',
};

export interface StuffingLimits {
  /** A form posted sooner than this after it was rendered is too fast. */
  minSeconds: number;
  /** The sliding window of the rate and burst checks. */
  windowMinutes: number;
  /** More responses than this from one client at one desk in the window: flagged. */
  maxPerClient: number;
  /** More responses than this at one desk in the window: flagged. */
  maxPerDesk: number;
  /** The same scale answers this many times at one desk in the window: this one and later ones flagged. */
  burstSize: number;
}

export const DEFAULT_LIMITS: StuffingLimits = {
  minSeconds: 4,
  windowMinutes: 10,
  maxPerClient: 10,
  maxPerDesk: 60,
  burstSize: 5,
};

/** Responses already stored at the desk within the window (one-time-code responses left out). */
export interface WindowCounts {
  desk: number;
  /** From the same client key; 0 when the submission has none. */
  client: number;
  /** With the same answer pattern. */
  samePattern: number;
}

/** Separate keys for separate uses of the one secret. */
function subKey(secret: Buffer, purpose: string): Buffer {
  // Derived once per secret and purpose: every page view signs with one.
  let keys = subKeys.get(secret);
  if (!keys) {
    keys = new Map();
    subKeys.set(secret, keys);
  }
  let key = keys.get(purpose);
  if (!key) {
    key = createHmac('sha256', secret).update(`hai-long/${purpose}`).digest();
    // Client keys change purpose daily: keep only the last few.
    if (keys.size >= 8) keys.clear();
    keys.set(purpose, key);
  }
  return key;
}
const subKeys = new WeakMap<Buffer, Map<string, Buffer>>();

function renderSignature(secret: Buffer, deskCode: string, renderedAtMs: number): string {
  return createHmac('sha256', subKey(secret, 'form-render'))
    .update(`${deskCode}\n${renderedAtMs}`)
    .digest('base64url')
    .slice(0, 22);
}

/** The hidden form field that tells the server, on post, when the form was rendered and for which desk. */
export function signRenderToken(secret: Buffer, deskCode: string, renderedAtMs: number): string {
  return `${renderedAtMs}.${renderSignature(secret, deskCode, renderedAtMs)}`;
}

// A browser may be a little ahead of nobody: the time is the server's own.
// The slack only covers several servers whose clocks differ slightly.
const FUTURE_SLACK_MS = 60_000;

/**
 * When the form was rendered, or undefined when the token is missing, forged,
 * for another desk or from another secret (a restart without FORM_SECRET):
 * that is only "no timing evidence", never a reason to flag.
 */
export function verifyRenderToken(secret: Buffer, deskCode: string, token: unknown, nowMs: number): number | undefined {
  if (typeof token !== 'string' || token.length > 64) return undefined;
  const m = /^([0-9]{10,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return undefined;
  const renderedAt = Number(m[1]);
  if (renderedAt > nowMs + FUTURE_SLACK_MS) return undefined;
  const expected = Buffer.from(renderSignature(secret, deskCode, renderedAt));
  const given = Buffer.from(m[2]!);
  return timingSafeEqual(expected, given) ? renderedAt : undefined;
}

/**
 * A keyed hash of the client address with a key that changes at midnight in
 * Vietnam: the same address gives the same key all day (enough for rate
 * checks) and an unrelated one the next day. The address itself is never kept.
 */
export function clientKey(secret: Buffer, address: string, now: Date): string {
  return createHmac('sha256', subKey(secret, `client-key/${todayIso(now)}`))
    .update(address)
    .digest('hex')
    .slice(0, 32);
}

/**
 * A fingerprint of the scale answers (comments and choices left out, so that
 * a different comment does not hide a repeated score).
 */
export function answerPattern(answers: readonly Answer[]): string {
  const scale = answers
    .filter((a) => a.kind === 'scale' || a.kind === 'na')
    .map((a) => `${a.key}=${a.kind === 'scale' ? a.value : 'na'}`)
    .sort();
  return createHash('sha256').update(scale.join(';')).digest('hex').slice(0, 16);
}

/** Reasons the posted form alone gives: a filled honeypot, a post too soon after rendering. */
export function formReasons(input: {
  honeypot: string | undefined;
  renderedAtMs: number | undefined;
  nowMs: number;
  minSeconds: number;
  checkTiming: boolean;
}): StuffingReason[] {
  const reasons: StuffingReason[] = [];
  if (input.honeypot !== undefined && input.honeypot.trim() !== '') reasons.push('honeypot');
  if (
    input.checkTiming &&
    input.renderedAtMs !== undefined &&
    input.nowMs - input.renderedAtMs < input.minSeconds * 1000
  ) {
    reasons.push('too_fast');
  }
  return reasons;
}

/** Reasons from what the desk has already received in the window. */
/**
 * How far each window count has to go: rateReasons only compares them with
 * these, so counting stops there. A desk under attack holds thousands of
 * rows in its window; each new submission still reads a few dozen.
 */
export function countCaps(limits: StuffingLimits): WindowCounts {
  return { desk: limits.maxPerDesk, client: limits.maxPerClient, samePattern: limits.burstSize - 1 };
}

export function rateReasons(counts: WindowCounts, limits: StuffingLimits, hasClientKey: boolean): StuffingReason[] {
  const reasons: StuffingReason[] = [];
  if (hasClientKey && counts.client >= limits.maxPerClient) reasons.push('client_rate');
  if (counts.desk >= limits.maxPerDesk) reasons.push('desk_rate');
  if (counts.samePattern >= limits.burstSize - 1) reasons.push('burst');
  return reasons;
}

/** A stored reason as words; a code set by other means (a test, an import) is shown as it is. */
export function reasonWords(stored: string): string[] {
  return stored
    .split(',')
    .map((code) => code.trim())
    .filter(Boolean)
    .map((code) => REASON_VI[code as StuffingReason] ?? code);
}

/** A stored answer row as the review reads it. */
export interface BriefAnswer {
  key: string;
  num: number | null;
  opt: string | null;
  text: string | null;
}

/** Scale and choice answers in the survey's order, short enough to compare rows at a glance. */
export function briefAnswers(def: SurveyDefinition | undefined, answers: readonly BriefAnswer[]): string {
  const byKey = new Map(answers.map((a) => [a.key, a]));
  const perFactor = new Map<string, number>();
  const parts: string[] = [];
  for (const q of def ? questionsOf(def) : []) {
    const a = byKey.get(q.key);
    byKey.delete(q.key);
    if (q.type === 'text') continue;
    let label = q.key === 'overall' ? 'Hài lòng chung' : q.text.vi;
    if (q.type === 'scale' && q.factor) {
      const n = (perFactor.get(q.factor) ?? 0) + 1;
      perFactor.set(q.factor, n);
      label = q.key === q.factor ? FACTOR_VI[q.factor] : `${FACTOR_VI[q.factor]} ${n}`;
    }
    if (!a) continue;
    if (q.type === 'choice') {
      const option = q.options.find((o) => o.code === a.opt)?.text.vi ?? a.opt;
      parts.push(`${label.length > 40 ? `${label.slice(0, 40)}…` : label}: ${option}`);
    } else parts.push(`${label} ${a.opt === NA ? NA_LABEL.vi.toLowerCase() : a.num}`);
  }
  for (const a of byKey.values()) if (a.text === null) parts.push(`${a.key} ${a.num ?? a.opt}`);
  return parts.join(' · ');
}
