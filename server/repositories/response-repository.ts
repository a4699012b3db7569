import type { Insertable } from 'kysely';
import type { Answer } from '../../surveys/answers.ts';
import type { Db } from '../db/connect.ts';
import type { Channel, NewAnswer, ResponseTable } from '../db/schema.ts';
import type { WindowCounts } from '../services/stuffing-rules.ts';
import { consumeTransactionCode } from './transaction-code-repository.ts';

export interface NewResponse {
  submissionId: string;
  payloadHash: string;
  surveyVersionId: number;
  unitId: number;
  deskId: number | null;
  serviceArea: string;
  channel: Channel;
  locale: 'vi' | 'en';
  answers: Answer[];
  /** A one-time code to use up in the same transaction; the response is then verified. */
  consumeCodeHash?: string;
  /** Keyed hash of the client address for the stuffing checks (never the address). */
  clientKey?: string | null;
  /** Fingerprint of the scale answers, for burst detection. */
  answerPattern?: string | null;
  /** Stuffing reasons known before the insert (honeypot, too_fast): stored as suspect, never dropped. */
  suspectReasons?: string[];
  /** Run the rate and burst checks on this row (stuffing-service.ts screens a whole batch at once). */
  rateChecks?: RateCheck;
}

/** What the in-transaction stuffing checks need to know of a row. */
export interface RateCheck {
  deskId: number;
  clientKey: string | null;
  answerPattern: string;
  windowMinutes: number;
  /** The rules (stuffing-rules.ts): reasons to flag the row, given what came before it. */
  reasons: (counts: WindowCounts) => string[];
}

/**
 * The stuffing checks of a batch, run first in its transaction: more reasons
 * for each row, in order, so the flag is stored with the row and counted
 * where it belongs from the start.
 */
export type BatchScreen = (trx: Db, rows: readonly NewResponse[]) => Promise<string[][]>;

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
 * Rows with a one-time code go one at a time: a used code throws, which
 * rolls back the whole transaction.
 */
export async function insertResponses(
  db: Db,
  rows: readonly NewResponse[],
  screen?: BatchScreen,
): Promise<InsertOutcome[]> {
  if (rows.some((r) => r.consumeCodeHash) && rows.length > 1)
    throw new Error('one-time codes are stored one at a time');
  try {
    return await db.transaction().execute((trx) => insertInTransaction(trx, rows, screen));
  } catch (err) {
    if (err instanceof CodeAlreadyUsed) return [{ inserted: false, codeUsed: true }];
    throw err;
  }
}

/** One response on its own (the one-time code path, tests). */
export async function insertResponse(db: Db, r: NewResponse, screen?: BatchScreen): Promise<InsertOutcome> {
  const [outcome] = await insertResponses(db, [r], screen);
  if (!outcome) throw new Error('no outcome for the response');
  return outcome;
}

async function insertInTransaction(
  trx: Db,
  rows: readonly NewResponse[],
  screen: BatchScreen | undefined,
): Promise<InsertOutcome[]> {
  const screened = screen ? await screen(trx, rows) : [];
  const values = rows.map((r, i) => responseRow(r, [...(r.suspectReasons ?? []), ...(screened[i] ?? [])]));
  // In submission id order, so that two batches racing on the same ids wait
  // on each other in one order and cannot deadlock.
  const order = values.map((_, i) => i).sort((a, b) => cmp(values[a]?.submission_id, values[b]?.submission_id));
  const inserted = await trx
    .insertInto('response')
    .values(order.map((i) => values[i] as Insertable<ResponseTable>))
    .onConflict((oc) => oc.column('submission_id').doNothing())
    .returning(['id', 'submission_id'])
    .execute();
  const newId = new Map(inserted.map((x) => [x.submission_id, x.id]));
  // A row whose id was already taken, or taken by an earlier row of this batch.
  const claimed = new Set<string>();
  const isNew = rows.map((r) => {
    const fresh = newId.has(r.submissionId) && !claimed.has(r.submissionId);
    claimed.add(r.submissionId);
    return fresh;
  });
  const coded = rows[0]?.consumeCodeHash;
  // Throwing rolls the response back: a used or expired code stores nothing.
  if (coded && isNew[0] && !(await consumeTransactionCode(trx, coded))) throw new CodeAlreadyUsed();

  const answers = rows.flatMap((r, i) =>
    isNew[i] ? r.answers.map((a) => answerRow(newId.get(r.submissionId)!, a)) : [],
  );
  await insertAnswers(trx, answers);

  const seen = rows.filter((_, i) => !isNew[i]).map((r) => r.submissionId);
  const earlier = seen.length
    ? await trx
        .selectFrom('response')
        .select(['id', 'payload_hash', 'submission_id'])
        .where('submission_id', 'in', seen)
        .execute()
    : [];
  const earlierRow = new Map(earlier.map((e) => [e.submission_id, e]));
  return rows.map((r, i): InsertOutcome => {
    if (isNew[i]) return { inserted: true, id: newId.get(r.submissionId)! };
    const e = earlierRow.get(r.submissionId);
    if (!e) throw new Error(`submission ${r.submissionId} neither inserted nor found`);
    return { inserted: false, id: e.id, payloadHash: e.payload_hash };
  });
}

const cmp = (a: string | undefined, b: string | undefined) =>
  (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;

/** Answers in statements well under PostgreSQL's limit of 65,535 bind parameters. */
async function insertAnswers(trx: Db, answers: NewAnswer[]): Promise<void> {
  for (let i = 0; i < answers.length; i += 5_000) {
    await trx
      .insertInto('answer')
      .values(answers.slice(i, i + 5_000))
      .execute();
  }
}

/**
 * Stores many responses at once (demo data, later paper-batch imports), in
 * one transaction. Rows must have fresh submission ids.
 */
export async function insertResponsesBulk(db: Db, rows: (NewResponse & { submittedAt: Date })[]): Promise<void> {
  if (!rows.length) return;
  await db.transaction().execute(async (trx) => {
    const ids = await trx
      .insertInto('response')
      .values(rows.map((r) => ({ ...responseRow(r), submitted_at: r.submittedAt })))
      .returning(['id', 'submission_id'])
      .execute();
    const idBySubmission = new Map(ids.map((x) => [x.submission_id, x.id]));
    await insertAnswers(
      trx,
      rows.flatMap((r) => r.answers.map((a) => answerRow(idBySubmission.get(r.submissionId)!, a))),
    );
  });
}

function responseRow(r: NewResponse, reasons = r.suspectReasons ?? []): Insertable<ResponseTable> {
  // Comma-joined codes, in the order the checks ran (stuffing-rules.ts).
  const suspectReason = reasons.length ? [...new Set(reasons)].join(',') : null;
  return {
    // Only what is set: the bulk path (demo, imports) inserts the columns it always did.
    ...(suspectReason ? { suspect: true, suspect_reason: suspectReason } : {}),
    ...(r.clientKey ? { client_key: r.clientKey } : {}),
    ...(r.answerPattern ? { answer_pattern: r.answerPattern } : {}),
    submission_id: r.submissionId,
    payload_hash: r.payloadHash,
    survey_version_id: r.surveyVersionId,
    unit_id: r.unitId,
    desk_id: r.deskId,
    service_area_code: r.serviceArea,
    channel: r.channel,
    locale: r.locale,
    verified: Boolean(r.consumeCodeHash),
  };
}

function answerRow(responseId: string, a: Answer): NewAnswer {
  const base = { response_id: responseId, indicator_key: a.key, value_num: null, value_option: null, value_text: null };
  switch (a.kind) {
    case 'scale':
      return { ...base, value_num: a.value };
    case 'na':
      return { ...base, value_option: 'na' };
    case 'option':
      return { ...base, value_option: a.value };
    case 'text':
      return { ...base, value_text: a.value };
  }
}
