import { randomBytes } from 'node:crypto';
import type { Answer } from '../../surveys/answers.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { Channel } from '../db/schema.ts';
import type { BatchScreen, NewResponse } from '../repositories/response-repository.ts';
import {
  countWindows,
  flagEarlier,
  forgetClientKeys,
  lockDeskSubmissions,
  watchDesks,
} from '../repositories/stuffing-repository.ts';
import {
  answerPattern,
  clientKey,
  countCaps,
  formReasons,
  REACHES_BACK,
  rateReasons,
  reachesBackNow,
  renderKey,
  type StuffingLimits,
  type StuffingReason,
  signRenderToken,
  underWatch,
  verifyRenderToken,
  type WindowCounts,
} from './stuffing-rules.ts';

// Anti-stuffing: the evidence a submission brings (form honeypot, render
// token, its source), and the rate, watch and burst checks run inside the
// submission's own transaction (stuffing-rules.ts says what they are).
// Flagged responses are stored like any other, marked suspect, and left out
// of the indices until an official clears them (suspect-review-service.ts).

export interface StuffingSettings {
  secret: Buffer;
  limits: StuffingLimits;
}

const settingsCache = new WeakMap<object, StuffingSettings>();
// Only for code that runs without buildApp (which always sets the secret,
// from FORM_SECRET or the database): such tokens do not outlive the process.
const PROCESS_SECRET = randomBytes(32);

export function stuffingSettings(config: Pick<Config, 'formSecret' | 'stuffing'>): StuffingSettings {
  let s = settingsCache.get(config);
  if (!s) {
    s = {
      secret: config.formSecret ? Buffer.from(config.formSecret, 'utf8') : PROCESS_SECRET,
      limits: { ...config.stuffing },
    };
    settingsCache.set(config, s);
  }
  return s;
}

/** The signed render time the survey form carries back. */
export function renderTokenFor(settings: StuffingSettings, deskCode: string, now = new Date()): string {
  return signRenderToken(settings.secret, deskCode, now.getTime());
}

/** The token again when it is genuine (a form shown again keeps its first render time), else undefined. */
export function keepRenderToken(settings: StuffingSettings, deskCode: string, token: string | undefined) {
  return verifyRenderToken(settings.secret, deskCode, token, Date.now()) === undefined ? undefined : token;
}

/** What a submission brings to the checks. */
export interface StuffingEvidence {
  limits: StuffingLimits;
  /** Reasons known from the request alone. */
  reasons: StuffingReason[];
  /** The source: a daily keyed hash of the client address, or of the API credential. */
  clientKey: string | null;
  /** Keyed hash of the render token, when the form brought a genuine one. */
  renderKey: string | null;
  /** The per-source rate and watch checks; off for one-time codes. */
  perSource: boolean;
  /** Whether the in-transaction checks run at all. */
  rateChecks: boolean;
}

/**
 * Evidence of a posted survey form. A one-time code (`verified`) keeps the
 * honeypot, token, timing and burst checks and only skips the per-source
 * ones: receipts prove a transaction, and citizens with them often share the
 * centre's Wi-Fi; but a code does not prove that the one who answers it is
 * the citizen rather than the counter.
 */
export function formEvidence(
  settings: StuffingSettings,
  input: {
    address: string | undefined;
    honeypot: string | undefined;
    renderToken: string | undefined;
    deskCode: string;
    verified: boolean;
  },
  now = new Date(),
): StuffingEvidence {
  const nowMs = now.getTime();
  const renderedAtMs = verifyRenderToken(settings.secret, input.deskCode, input.renderToken, nowMs);
  return {
    limits: settings.limits,
    reasons: formReasons({
      honeypot: input.honeypot,
      renderedAtMs,
      nowMs,
      minSeconds: settings.limits.minSeconds,
    }),
    clientKey: input.address ? clientKey(settings.secret, input.address, now) : null,
    renderKey: renderedAtMs !== undefined && input.renderToken ? renderKey(settings.secret, input.renderToken) : null,
    perSource: !input.verified,
    rateChecks: true,
  };
}

/**
 * Evidence of a JSON API submission. The credential is the source: a kiosk
 * or an integration posting more than a desk can serve is flagged, and the
 * desk's other sources are not. Paper entry is bulk typing of forms by
 * design, so it skips the rate checks; only keys granted the paper channel
 * may use it, and every such key is created and audited by name.
 */
export function apiEvidence(
  settings: StuffingSettings,
  input: { keyId: number; channel: Channel },
  now = new Date(),
): StuffingEvidence {
  return {
    limits: settings.limits,
    reasons: [],
    clientKey: clientKey(settings.secret, `api-key/${input.keyId}`, now),
    renderKey: null,
    perSource: true,
    rateChecks: input.channel !== 'paper',
  };
}

/** Client keys (and render keys) are kept this long, then erased. */
export const CLIENT_KEY_HOURS = 24;

/**
 * Erases client and render keys older than CLIENT_KEY_HOURS, a batch at a
 * time (at most `maxBatches`), outside any citizen's transaction: the server
 * runs it on a timer (plugins/client-key-sweep.ts), the CLI on demand.
 */
export async function forgetOldClientKeys(db: Db, maxBatches = 100): Promise<number> {
  const batch = 5_000;
  let erased = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await forgetClientKeys(db, CLIENT_KEY_HOURS, batch);
    erased += n;
    if (n < batch) break;
  }
  return erased;
}

/** The fields of the response insert that carry the checks (screenBatch runs them in its transaction). */
export function stuffingFields(
  evidence: StuffingEvidence | undefined,
  deskId: number,
  submissionId: string,
  answers: readonly Answer[],
): Pick<NewResponse, 'clientKey' | 'renderKey' | 'answerPattern' | 'suspectReasons' | 'rateChecks'> {
  const pattern = answerPattern(answers);
  if (!evidence) return { answerPattern: pattern };
  const e = evidence;
  return {
    clientKey: e.clientKey,
    renderKey: e.renderKey,
    answerPattern: pattern,
    suspectReasons: e.reasons,
    rateChecks: e.rateChecks
      ? {
          deskId,
          submissionId,
          clientKey: e.clientKey,
          renderKey: e.renderKey,
          answerPattern: pattern,
          windowMinutes: e.limits.windowMinutes,
          caps: countCaps(e.limits),
          reasons: (counts) => rateReasons(counts, e.limits, { perSource: e.perSource }),
          underWatch: (counts) => underWatch(counts, e.limits),
          reachesBackNow: (reason, counts) => reachesBackNow(reason as StuffingReason, counts, e.limits),
        }
      : undefined,
  };
}

type Check = NonNullable<NewResponse['rateChecks']>;

/** Whether an earlier row `p` is reached by a reason of row `c` (REACHES_BACK); a replay never counts itself. */
function sameScope(scope: 'token' | 'source' | 'sourcePattern', c: Check, p: Check): boolean {
  if (p.submissionId === c.submissionId) return false;
  if (scope === 'token') return c.renderKey !== null && p.renderKey === c.renderKey;
  if (c.clientKey === null || p.clientKey !== c.clientKey) return false;
  return scope === 'source' || p.answerPattern === c.answerPattern;
}

/**
 * The rate, watch and burst checks of a batch of submissions, inside its
 * transaction: the desks are locked, the windows counted once, and each row
 * also counts the rows before it in the batch, so a flood gets the same
 * flags whether it arrives in one batch, in several, or one by one. A source
 * caught is flagged back to the start of the window, stored rows and rows
 * earlier in the batch alike; desks under watch are recorded for reviewers.
 */
export const screenBatch: BatchScreen = async (trx, rows) => {
  const checked = rows.flatMap((r, i) => (r.rateChecks ? [{ i, check: r.rateChecks }] : []));
  if (!checked.length) return [];
  const checks = checked.map((x) => x.check);
  await lockDeskSubmissions(
    trx,
    checks.map((c) => c.deskId),
  );
  const stored = await countWindows(trx, checks);
  const out: string[][] = rows.map(() => []);
  const watched = new Map<number, number>();
  const reachBack = new Map<string, { check: Check; scope: 'token' | 'source' | 'sourcePattern'; reason: string }>();
  checked.forEach(({ i, check: c }, k) => {
    const before = checked
      .slice(0, k)
      .filter((x) => x.check.deskId === c.deskId && x.check.submissionId !== c.submissionId);
    const s = stored[k] ?? { desk: 0, source: 0, sourcePattern: 0, token: 0 };
    const counts: WindowCounts = {
      desk: s.desk + before.length,
      source: s.source + before.filter((x) => sameScope('source', c, x.check)).length,
      sourcePattern: s.sourcePattern + before.filter((x) => sameScope('sourcePattern', c, x.check)).length,
      token: s.token + before.filter((x) => sameScope('token', c, x.check)).length,
    };
    if (c.underWatch(counts)) watched.set(c.deskId, (watched.get(c.deskId) ?? 0) + 1);
    const reasons = c.reasons(counts);
    out[i] = reasons;
    for (const reason of reasons) {
      const scope = REACHES_BACK[reason as StuffingReason];
      if (!scope) continue;
      // Earlier rows of this batch now; stored rows once, below.
      for (const x of before) {
        const earlier = out[x.i] ?? [];
        if (sameScope(scope, c, x.check) && !earlier.includes(reason)) earlier.push(reason);
      }
      if (!c.reachesBackNow(reason, counts)) continue;
      const key = `${c.deskId}|${scope}|${c.clientKey}|${scope === 'token' ? c.renderKey : ''}|${scope === 'sourcePattern' ? c.answerPattern : ''}`;
      reachBack.set(`${key}|${reason}`, { check: c, scope, reason });
    }
  });
  for (const { check: c, scope, reason } of reachBack.values()) {
    await flagEarlier(trx, {
      deskId: c.deskId,
      submissionId: c.submissionId,
      reason,
      windowMinutes: c.windowMinutes,
      renderKey: scope === 'token' ? c.renderKey : undefined,
      clientKey: scope === 'token' ? undefined : c.clientKey,
      answerPattern: scope === 'sourcePattern' ? c.answerPattern : undefined,
    });
  }
  if (watched.size)
    await watchDesks(
      trx,
      [...watched].map(([deskId, responses]) => ({ deskId, responses })),
    );
  return out;
};
