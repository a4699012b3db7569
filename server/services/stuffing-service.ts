import { randomBytes } from 'node:crypto';
import type { Answer } from '../../surveys/answers.ts';
import type { SurveyDefinition } from '../../surveys/schema.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { recordAudit } from '../repositories/audit-repository.ts';
import { surveyDefinitionOf } from '../repositories/feedback-repository.ts';
import type { BatchScreen, NewResponse } from '../repositories/response-repository.ts';
import {
  countWindows,
  type FlaggedRow,
  forgetClientKeys,
  listFlagged,
  lockDeskSubmissions,
  type ReviewFilter,
  reviewFlagged,
} from '../repositories/stuffing-repository.ts';
import { formatDateTimeVi } from './local-time.ts';
import { CHANNEL_NAMES } from './report-export/report-text.ts';
import type { Actor } from './scope.ts';
import {
  answerPattern,
  briefAnswers,
  clientKey,
  countCaps,
  formReasons,
  rateReasons,
  reasonWords,
  type StuffingLimits,
  type StuffingReason,
  signRenderToken,
  verifyRenderToken,
} from './stuffing-rules.ts';

// Anti-stuffing on open posters: the evidence a submission brings (form
// honeypot, render time, client key), the rate and burst checks run inside
// the submission's own transaction, and the officials' review of what was
// flagged. Flagged responses are stored like any other, marked suspect, and
// left out of the indices until an official clears them.

// Without FORM_SECRET each process makes its own: forms rendered before a
// restart then carry a signature nobody can check, which only means "no
// timing evidence", never a flag.
const PROCESS_SECRET = randomBytes(32);

export interface StuffingSettings {
  secret: Buffer;
  limits: StuffingLimits;
}

const settingsCache = new WeakMap<object, StuffingSettings>();

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
  /** Keyed hash of the client address; null where the client does not count (API, one-time codes). */
  clientKey: string | null;
  /** The open-poster checks (per client, per desk, burst); off for one-time codes, which admit one response each. */
  rateChecks: boolean;
}

/**
 * Evidence of a posted survey form. A one-time code (`verified`) keeps the
 * honeypot but skips the timing and rate checks: the code is the strong
 * guard, and a fast but genuine citizen with a receipt must not be hidden.
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
  return {
    limits: settings.limits,
    reasons: formReasons({
      honeypot: input.honeypot,
      renderedAtMs: verifyRenderToken(settings.secret, input.deskCode, input.renderToken, nowMs),
      nowMs,
      minSeconds: settings.limits.minSeconds,
      checkTiming: !input.verified,
    }),
    clientKey: input.verified || !input.address ? null : clientKey(settings.secret, input.address, now),
    rateChecks: !input.verified,
  };
}

/**
 * Evidence of a JSON API submission (kiosks, paper entry): there is no form,
 * so no honeypot or timing; a kiosk is one client for all its citizens, so
 * no per-client limit. The per-desk and burst checks apply.
 */
export function apiEvidence(settings: StuffingSettings): StuffingEvidence {
  return { limits: settings.limits, reasons: [], clientKey: null, rateChecks: true };
}

/** Client keys are kept this long, then erased. */
export const CLIENT_KEY_HOURS = 24;
const SWEEP_EVERY_MS = 10 * 60_000;
let nextSweepAt = 0;

/** The fields of the response insert that carry the checks (screenBatch runs them in its transaction). */
export function stuffingFields(
  evidence: StuffingEvidence | undefined,
  deskId: number,
  answers: readonly Answer[],
): Pick<NewResponse, 'clientKey' | 'answerPattern' | 'suspectReasons' | 'rateChecks'> {
  const pattern = answerPattern(answers);
  if (!evidence) return { answerPattern: pattern };
  const e = evidence;
  return {
    clientKey: e.clientKey,
    answerPattern: pattern,
    suspectReasons: e.reasons,
    rateChecks: e.rateChecks
      ? {
          deskId,
          clientKey: e.clientKey,
          answerPattern: pattern,
          windowMinutes: e.limits.windowMinutes,
          caps: countCaps(e.limits),
          reasons: (counts) => rateReasons(counts, e.limits, e.clientKey !== null),
        }
      : undefined,
  };
}

/**
 * The rate and burst checks of a batch of submissions, inside its
 * transaction: the desks are locked, the window counted once, and each row
 * also counts the rows before it in the batch, so a burst gets the same flags
 * whether it arrives in one batch, in several, or one by one.
 */
export const screenBatch: BatchScreen = async (trx, rows) => {
  const checked = rows.map((r, i) => ({ i, check: r.rateChecks })).filter((x) => x.check !== undefined);
  if (!checked.length) return [];
  if (Date.now() >= nextSweepAt) {
    nextSweepAt = Date.now() + SWEEP_EVERY_MS;
    await forgetClientKeys(trx, CLIENT_KEY_HOURS);
  }
  await lockDeskSubmissions(
    trx,
    checked.map((x) => x.check!.deskId),
  );
  const stored = await countWindows(
    trx,
    checked.map((x) => x.check!),
  );
  const out: string[][] = rows.map(() => []);
  checked.forEach(({ i, check }, k) => {
    const c = check!;
    const before = checked
      .slice(0, k)
      .map((x) => x.check!)
      .filter((p) => p.deskId === c.deskId);
    const counts = stored[k] ?? { desk: 0, client: 0, samePattern: 0 };
    out[i] = c.reasons({
      desk: counts.desk + before.length,
      client: counts.client + (c.clientKey === null ? 0 : before.filter((p) => p.clientKey === c.clientKey).length),
      samePattern: counts.samePattern + before.filter((p) => p.answerPattern === c.answerPattern).length,
    });
  });
  return out;
};

// ---- The officials' review ----

const LIST_LIMIT = 500;

export interface SuspectItem {
  id: string;
  submittedText: string;
  serviceAreaName: string;
  channel: string;
  answers: string;
  comment: string | null;
}

export interface SuspectGroup {
  reason: string;
  reasonWords: string[];
  firstText: string;
  lastText: string;
  ids: string[];
  items: SuspectItem[];
}

export interface SuspectDesk {
  deskId: number;
  deskName: string;
  deskCode: string;
  unitName: string;
  count: number;
  groups: SuspectGroup[];
}

/** Flagged responses of the actor's subtree (or of one desk), by desk and reason, newest first. */
export async function suspectReview(
  db: Db,
  actor: Actor,
  q: { filter: ReviewFilter; deskId?: number },
): Promise<{ desks: SuspectDesk[]; total: number; truncated: boolean }> {
  const rows = await listFlagged(db, {
    scopePath: actor.unitPath,
    deskId: q.deskId,
    filter: q.filter,
    limit: LIST_LIMIT,
  });
  const definitions = new Map<number, SurveyDefinition>();
  for (const id of new Set(rows.map((r) => r.surveyVersionId))) definitions.set(id, await surveyDefinitionOf(db, id));
  const desks = new Map<number, SuspectDesk>();
  for (const r of rows) {
    const desk = desks.get(r.deskId) ?? {
      deskId: r.deskId,
      deskName: r.deskName,
      deskCode: r.deskCode,
      unitName: r.unitName,
      count: 0,
      groups: [],
    };
    desks.set(r.deskId, desk);
    desk.count += 1;
    let group = desk.groups.find((g) => g.reason === r.reason);
    if (!group) {
      group = { reason: r.reason, reasonWords: reasonWords(r.reason), firstText: '', lastText: '', ids: [], items: [] };
      desk.groups.push(group);
    }
    group.ids.push(r.id);
    group.items.push(suspectItem(r, definitions.get(r.surveyVersionId)));
    // Rows come newest first.
    group.firstText = formatDateTimeVi(r.submittedAt);
    group.lastText ||= group.firstText;
  }
  return { desks: [...desks.values()], total: rows.length, truncated: rows.length === LIST_LIMIT };
}

function suspectItem(r: FlaggedRow, def: SurveyDefinition | undefined): SuspectItem {
  const text = r.answers.find((a) => a.text !== null)?.text ?? null;
  return {
    id: r.id,
    submittedText: formatDateTimeVi(r.submittedAt),
    serviceAreaName: r.serviceAreaName,
    channel: CHANNEL_NAMES[r.channel] ?? r.channel,
    answers: briefAnswers(def, r.answers),
    comment: text && text.length > 160 ? `${text.slice(0, 160)}…` : text,
  };
}

export type ReviewDecision = 'confirm' | 'clear';

/**
 * Confirms (stays out of the indices) or clears (counted again) flagged
 * responses of one desk, audited as suspect.confirm / suspect.clear. The
 * caller has checked that the desk lies in the actor's scope. The flags,
 * the daily counts (by trigger) and the audit log change together.
 */
export async function reviewSuspects(
  db: Db,
  actor: Actor,
  desk: { id: number; unitId: number },
  ids: string[],
  decision: ReviewDecision,
): Promise<{ ok: true; count: number } | { ok: false }> {
  return db.transaction().execute(async (trx) => {
    const changed = await reviewFlagged(trx, {
      deskId: desk.id,
      ids,
      decision: decision === 'confirm' ? 'confirmed' : 'cleared',
    });
    if (!changed) return { ok: false as const };
    await recordAudit(trx, {
      actorUserId: actor.userId,
      actorKeyId: actor.keyId,
      unitId: desk.unitId,
      action: decision === 'confirm' ? 'suspect.confirm' : 'suspect.clear',
      detail: {
        deskId: desk.id,
        count: changed.length,
        responseIds: changed.map((r) => r.id),
        reasons: [...new Set(changed.map((r) => r.reason))],
      },
    });
    return { ok: true as const, count: changed.length };
  });
}
