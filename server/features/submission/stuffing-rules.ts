import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { todayIso } from '../../../analysis/local-time.ts';
import type { Answer } from '../../../surveys/answers.ts';
import { FACTOR_SHORT_NAMES } from '../../../surveys/factor-names.ts';
import { NA, NA_LABEL } from '../../../surveys/scale.ts';
import { questionsOf, type SurveyDefinition } from '../../../surveys/schema.ts';

// The anti-stuffing rules, pure (no Fastify, no database): the signed render
// time of the form, the daily keyed hash of the client address, the
// fingerprint of the answers, the thresholds, and the words the review shows.
// A submission that trips a check is stored and flagged with the reason,
// never dropped.
//
// The checks punish the source of a flood, not the desk it floods: a source
// is a client address (as a daily keyed hash) or an API credential. Honest
// citizens each come from their own page load and, mostly, their own
// address; a flood comes from few sources, or replays a page, or has no page
// at all. So a desk's volume alone never flags anybody: it only puts the desk
// under watch, where a source that sends a second response is flagged, and
// a source caught is flagged back to the start of the window.
//
// A counter tablet is one source serving everyone at its desk, so it has no
// per-source volume limit; instead two of its answers may not come closer
// than a citizen can step up and tap (kiosk_rapid).

/**
 * Client keys and render keys are kept this long, then erased
 * (client-key-sweep.ts); the render-key check looks back no further.
 */
export const CLIENT_KEY_HOURS = 24;

export const STUFFING_REASONS = [
  'honeypot',
  'no_token',
  'too_fast',
  'token_reuse',
  'client_rate',
  'desk_rate',
  'burst',
  'kiosk_rapid',
] as const;
export type StuffingReason = (typeof STUFFING_REASONS)[number];

/** How officials read each reason on the review page. */
export const REASON_VI: Record<StuffingReason, string> = {
  honeypot: 'Điền vào ô ẩn mà người thật không thấy (máy tự động)',
  no_token: 'Không gửi từ trang phiếu khảo sát của quầy (thiếu hoặc sai mã trang)',
  too_fast: 'Gửi quá nhanh sau khi mở phiếu',
  token_reuse: 'Một trang phiếu được dùng để gửi nhiều phiếu khác nhau (máy tự động)',
  client_rate: 'Quá nhiều phiếu từ cùng một nguồn (mạng, thiết bị hoặc khóa API) tại quầy trong thời gian ngắn',
  desk_rate: 'Quầy đang bị theo dõi vì lượng phiếu bất thường, và nguồn này đã gửi phiếu khác tại quầy',
  burst: 'Cùng một nguồn gửi nhiều phiếu trả lời giống hệt nhau',
  kiosk_rapid: 'Máy tính bảng tại quầy nhận hai phiếu cách nhau quá ít giây, không kịp để hai người lần lượt đánh giá',
};

export interface StuffingLimits {
  /** A form posted sooner than this after it was rendered is too fast. */
  minSeconds: number;
  /** The sliding window of the rate and burst checks. */
  windowMinutes: number;
  /** More responses than this from one source at one desk in the window: the source is flagged. */
  maxPerClient: number;
  /** This many responses at one desk in the window put it under watch: a repeating source is flagged. */
  maxPerDesk: number;
  /** The same scale answers this many times from one source at one desk in the window: the source is flagged. */
  burstSize: number;
}

/** What the desk has already received, as the checks count it (each up to countCaps). */
export interface WindowCounts {
  /** All responses at the desk in the window. */
  desk: number;
  /** From the same source; 0 when the submission has none. */
  source: number;
  /** From the same source with the same answer pattern. */
  sourcePattern: number;
  /** Earlier responses sent from the same rendered page (kept as long as client keys). */
  token: number;
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

function renderSignature(secret: Buffer, deskCode: string, renderedAtMs: number, nonce: string): string {
  return createHmac('sha256', subKey(secret, 'form-render'))
    .update(`${deskCode}\n${renderedAtMs}\n${nonce}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The hidden form field that tells the server, on post, when the form was
 * rendered and for which desk. A random nonce makes each page's token its
 * own, even for pages rendered in the same millisecond: a token seen twice
 * is one page posted twice (token_reuse).
 */
export function signRenderToken(
  secret: Buffer,
  deskCode: string,
  renderedAtMs: number,
  nonce = randomBytes(8).toString('base64url'),
): string {
  return `${renderedAtMs}.${nonce}.${renderSignature(secret, deskCode, renderedAtMs, nonce)}`;
}

// A browser may be a little ahead of nobody: the time is the server's own.
// The slack only covers several servers whose clocks differ slightly.
const FUTURE_SLACK_MS = 60_000;

/**
 * When the form was rendered, or undefined when the token is missing, forged,
 * for another desk or from another secret. The secret outlives restarts
 * (FORM_SECRET, or the one kept in the database), so undefined means the post
 * did not come from the desk's page: it is flagged no_token.
 */
export function verifyRenderToken(secret: Buffer, deskCode: string, token: unknown, nowMs: number): number | undefined {
  if (typeof token !== 'string' || token.length > 64) return undefined;
  const m = /^([0-9]{10,15})\.([A-Za-z0-9_-]{11})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return undefined;
  const renderedAt = Number(m[1]);
  if (renderedAt > nowMs + FUTURE_SLACK_MS) return undefined;
  const expected = Buffer.from(renderSignature(secret, deskCode, renderedAt, m[2]!));
  const given = Buffer.from(m[3]!);
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

/** A keyed hash of a render token: a page sent twice is seen, the token (and its time) never kept. */
export function renderKey(secret: Buffer, token: string): string {
  return createHmac('sha256', subKey(secret, 'render-key')).update(token).digest('hex').slice(0, 32);
}

/**
 * Fewer scale answers than this make a pattern too common to be evidence:
 * the quick survey can be sent with the overall item alone, and five honest
 * "Rất hài lòng" from a centre's shared Wi-Fi are not a burst. Floods of
 * such posts are still caught by the per-source and per-desk limits.
 */
export const MIN_TELLING_ANSWERS = 3;

/** Whether identical answers of this kind from one source may count as a burst. */
export function tellingPattern(answers: readonly Answer[]): boolean {
  return answers.filter((a) => a.kind === 'scale').length >= MIN_TELLING_ANSWERS;
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

/**
 * Reasons the posted form alone gives: a filled honeypot, no genuine render
 * token (the post did not come from the desk's page, or the page was
 * forged), a post too soon after rendering.
 */
export function formReasons(input: {
  honeypot: string | undefined;
  renderedAtMs: number | undefined;
  nowMs: number;
  minSeconds: number;
}): StuffingReason[] {
  const reasons: StuffingReason[] = [];
  if (input.honeypot !== undefined && input.honeypot.trim() !== '') reasons.push('honeypot');
  if (input.renderedAtMs === undefined) reasons.push('no_token');
  else if (input.nowMs - input.renderedAtMs < input.minSeconds * 1000) reasons.push('too_fast');
  return reasons;
}

/**
 * How far each window count has to go: the checks only compare a count with
 * its limit, and reachesBackNow with the limit exactly, so counting stops one
 * past it. A desk under attack holds thousands of rows in its window; each
 * new submission still reads a few dozen.
 */
export function countCaps(limits: StuffingLimits): WindowCounts {
  return { desk: limits.maxPerDesk, source: limits.maxPerClient + 1, sourcePattern: limits.burstSize, token: 2 };
}

/** Whether the desk is under watch once this submission is counted. */
export function underWatch(counts: WindowCounts, limits: StuffingLimits): boolean {
  return counts.desk + 1 >= limits.maxPerDesk;
}

/**
 * Reasons from what the desk has already received. `perSource` is off for
 * one-time codes: citizens with receipts often share the centre's Wi-Fi, and
 * the code already admits one response; the token and burst checks still apply.
 * `sourceLimit: false` (a counter tablet) drops only the per-source volume
 * limit: a desk under watch still flags its repeating sources.
 */
export function rateReasons(
  counts: WindowCounts,
  limits: StuffingLimits,
  opts: { perSource: boolean; sourceLimit?: boolean; telling?: boolean },
): StuffingReason[] {
  const reasons: StuffingReason[] = [];
  if (counts.token > 0) reasons.push('token_reuse');
  const limited = opts.perSource && opts.sourceLimit !== false;
  if (limited && counts.source >= limits.maxPerClient) reasons.push('client_rate');
  else if (opts.perSource && counts.source > 0 && underWatch(counts, limits)) reasons.push('desk_rate');
  if (opts.telling !== false && counts.sourcePattern >= limits.burstSize - 1) reasons.push('burst');
  return reasons;
}

/**
 * Whether a tablet's answer came too soon after its previous one (kiosk_rapid).
 * Times are the device's, as stored; a queue sent out of order is judged by
 * the distance either way, so an honest queue sent late is not flagged.
 */
export function kioskRapid(answeredAtMs: number, previousMs: number | null, minSeconds: number): boolean {
  return previousMs !== null && Math.abs(answeredAtMs - previousMs) < minSeconds * 1000;
}

/**
 * Which earlier responses a reason reaches back to: the first posts of a
 * flood looked innocent when they came, so when a source is caught, its
 * earlier responses in the window are flagged too (the same page for a
 * replayed token, the same source for a rate, the same source and answers
 * for a burst). Form-only reasons concern the one post.
 */
/**
 * Whether a reason has to reach back now: only when its count has just
 * reached the limit (the second use of a page, the source's first post over
 * its limit). Before that nothing was flagged; after it, every earlier
 * response of that page or source already was, so a steady flood costs no
 * more queries. Under watch a source can repeat at any count, so desk_rate
 * always looks.
 */
export function reachesBackNow(reason: StuffingReason, counts: WindowCounts, limits: StuffingLimits): boolean {
  if (reason === 'token_reuse') return counts.token === 1;
  if (reason === 'client_rate') return counts.source === limits.maxPerClient;
  if (reason === 'burst') return counts.sourcePattern === limits.burstSize - 1;
  return reason === 'desk_rate';
}

export const REACHES_BACK: Partial<Record<StuffingReason, 'token' | 'source' | 'sourcePattern'>> = {
  token_reuse: 'token',
  client_rate: 'source',
  desk_rate: 'source',
  burst: 'sourcePattern',
};

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
      label = q.key === q.factor ? FACTOR_SHORT_NAMES[q.factor] : `${FACTOR_SHORT_NAMES[q.factor]} ${n}`;
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
