import type { Db } from '../../platform/db/connect.ts';
import { insertReplyKey } from '../feedback/feedback-reply-repository.ts';
import { consumeTransactionCode } from '../posters-codes/transaction-code-repository.ts';
import { findSubmissions, insertResponseRows, type NewResponse } from './response-repository.ts';
import { type RateCheck, screenBatch } from './stuffing-screen.ts';

// The transaction of a citizen's submission, or of a group of them
// (submission-batcher.ts): the stuffing screen, the insert, the one-time
// code, and the outcome of each row, all in one transaction that the caller
// learns about only after COMMIT.

/** A response on its way in, with what the transaction must do besides storing it. */
export interface PendingResponse extends NewResponse {
  /** A one-time code to use up in the same transaction; the response is then verified. */
  consumeCodeHash?: string;
  /** With a code: the key under which its citizen reads the public reply (feedback-rules.ts replyKeyOf). */
  replyKey?: string;
  /** Run the rate and burst checks on this row (stuffing-screen.ts). */
  rateChecks?: RateCheck;
}

export type InsertOutcome =
  | { inserted: true; id: string }
  | { inserted: false; id: string; payloadHash: string }
  | { inserted: false; codeUsed: true };

class CodeAlreadyUsed extends Error {}

/**
 * Stores responses and their answers in one transaction, and tells for each
 * row what happened. A submission id seen before (in an earlier transaction
 * or earlier in this batch) stores nothing and returns the earlier row, so
 * the caller can tell a harmless replay from a conflicting one. Concurrent
 * inserts of one id wait on the unique index, and the loser then sees the
 * winner's committed row.
 *
 * A row with a one-time code goes alone: a used code rolls the whole
 * transaction back.
 */
export async function storeResponses(db: Db, rows: readonly PendingResponse[]): Promise<InsertOutcome[]> {
  if (rows.some((r) => r.consumeCodeHash) && rows.length > 1)
    throw new Error('one-time codes are stored one at a time');
  try {
    return await db.transaction().execute((trx) => storeInTransaction(trx, rows));
  } catch (err) {
    if (err instanceof CodeAlreadyUsed) return [{ inserted: false, codeUsed: true }];
    throw err;
  }
}

/**
 * The body of storeResponses in the caller's own transaction, for a caller
 * that does more in it (a counter tablet's pace and invitation,
 * kiosk-submission-service.ts). Rows with one-time codes go through
 * storeResponses, which rolls their transaction back.
 */
export async function storeInTransaction(trx: Db, rows: readonly PendingResponse[]): Promise<InsertOutcome[]> {
  // The stuffing checks first, so each flag is stored with its row.
  const screened = await screenBatch(trx, rows);
  // The first row of each submission id is the one that can be stored; a
  // later row with the same id is a replay or a conflict of it.
  const first = rows.map((r, i) => rows.findIndex((x) => x.submissionId === r.submissionId) === i);
  // In submission id order, so that two batches racing on the same ids wait
  // on each other in one order and cannot deadlock.
  const candidates = rows
    .flatMap((r, i): NewResponse[] =>
      first[i]
        ? [
            {
              ...r,
              // A code used up here, or an invitation the caller used up in this transaction.
              verified: Boolean(r.consumeCodeHash) || r.verified === true,
              suspectReasons: [...(r.suspectReasons ?? []), ...(screened[i] ?? [])],
            },
          ]
        : [],
    )
    .sort((a, b) => cmp(a.submissionId, b.submissionId));
  const newId = await insertResponseRows(trx, candidates);
  const isNew = rows.map((r, i) => first[i] === true && newId.has(r.submissionId));
  const coded = rows[0]?.consumeCodeHash;
  // Throwing rolls the response back: a used or expired code stores nothing.
  if (coded && isNew[0] && !(await consumeTransactionCode(trx, coded))) throw new CodeAlreadyUsed();
  const replyKey = rows[0]?.replyKey;
  if (coded && isNew[0] && replyKey) await insertReplyKey(trx, replyKey, newId.get(rows[0]!.submissionId)!);

  const earlier = await findSubmissions(
    trx,
    rows.filter((_, i) => !isNew[i]).map((r) => r.submissionId),
  );
  const earlierRow = new Map(earlier.map((e) => [e.submission_id, e]));
  return rows.map((r, i): InsertOutcome => {
    if (isNew[i]) return { inserted: true, id: newId.get(r.submissionId)! };
    const e = earlierRow.get(r.submissionId);
    if (!e) throw new Error(`submission ${r.submissionId} neither inserted nor found`);
    return { inserted: false, id: e.id, payloadHash: e.payload_hash };
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
