import type { Answer } from '../../../surveys/answers.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { PendingResponse } from './store-responses.ts';
import type { StuffingEvidence } from './stuffing-evidence.ts';
import { countWindows, flagEarlier, lockDeskSubmissions, watchDesks } from './stuffing-repository.ts';
import {
  answerPattern,
  countCaps,
  REACHES_BACK,
  rateReasons,
  reachesBackNow,
  type StuffingReason,
  tellingPattern,
  underWatch,
  type WindowCounts,
} from './stuffing-rules.ts';

// The rate, watch and burst checks, run first in a batch's transaction
// (store-responses.ts) on the evidence each submission brought
// (stuffing-evidence.ts): more reasons for each row, in order, so the flag is
// stored with the row and counted where it belongs from the start.

/** What the in-transaction stuffing checks need to know of a row. */
export interface RateCheck {
  deskId: number;
  /** A replay of a stored submission never counts (or flags) its own row. */
  submissionId: string;
  clientKey: string | null;
  renderKey: string | null;
  answerPattern: string;
  windowMinutes: number;
  /** Counts above these change nothing (stuffing-rules.ts countCaps). */
  caps: WindowCounts;
  /** The rules (stuffing-rules.ts): reasons to flag the row, given what came before it. */
  reasons: (counts: WindowCounts) => string[];
  /** Whether the desk is under watch with this row counted. */
  underWatch: (counts: WindowCounts) => boolean;
  /** Whether a reason of this row must flag the source's earlier responses now. */
  reachesBackNow: (reason: string, counts: WindowCounts) => boolean;
}

/** The fields of the response insert that carry the checks (screenBatch runs them in its transaction). */
export function stuffingFields(
  evidence: StuffingEvidence | undefined,
  deskId: number,
  submissionId: string,
  answers: readonly Answer[],
): Pick<PendingResponse, 'clientKey' | 'renderKey' | 'answerPattern' | 'suspectReasons' | 'rateChecks'> {
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
          reasons: (counts) =>
            rateReasons(counts, e.limits, {
              perSource: e.perSource,
              sourceLimit: e.sourceLimit,
              telling: tellingPattern(answers),
            }),
          underWatch: (counts) => underWatch(counts, e.limits),
          reachesBackNow: (reason, counts) => reachesBackNow(reason as StuffingReason, counts, e.limits),
        }
      : undefined,
  };
}

type Check = RateCheck;

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
export async function screenBatch(trx: Db, rows: readonly PendingResponse[]): Promise<string[][]> {
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
}
