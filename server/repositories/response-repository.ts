import type { Insertable } from 'kysely';
import type { Answer } from '../../surveys/answers.ts';
import type { Db } from '../db/connect.ts';
import type { Channel, NewAnswer, ResponseTable } from '../db/schema.ts';
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
  /**
   * Runs first in the submission's transaction and returns more reasons
   * (rate and burst checks, stuffing-service.ts), so the flag is stored
   * with the row and counted where it belongs from the start.
   */
  screen?: (trx: Db) => Promise<string[]>;
}

export type InsertOutcome =
  | { inserted: true; id: string }
  | { inserted: false; id: string; payloadHash: string }
  | { inserted: false; codeUsed: true };

class CodeAlreadyUsed extends Error {}

/**
 * Stores a response and its answers in one transaction. A submission id seen
 * before stores nothing and returns the earlier row, so the caller can tell a
 * harmless replay from a conflicting one. Concurrent inserts of one id wait
 * on the unique index, and the loser then sees the winner's committed row.
 */
export async function insertResponse(db: Db, r: NewResponse): Promise<InsertOutcome> {
  try {
    return await insertInTransaction(db, r);
  } catch (err) {
    if (err instanceof CodeAlreadyUsed) return { inserted: false, codeUsed: true };
    throw err;
  }
}

async function insertInTransaction(db: Db, r: NewResponse): Promise<InsertOutcome> {
  return db.transaction().execute(async (trx) => {
    const reasons = [...(r.suspectReasons ?? []), ...(r.screen ? await r.screen(trx) : [])];
    const row = await trx
      .insertInto('response')
      .values(responseRow(r, reasons))
      .onConflict((oc) => oc.column('submission_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) {
      const earlier = await trx
        .selectFrom('response')
        .select(['id', 'payload_hash'])
        .where('submission_id', '=', r.submissionId)
        .executeTakeFirstOrThrow();
      return { inserted: false, id: earlier.id, payloadHash: earlier.payload_hash };
    }
    // Throwing rolls the response back: a used or expired code stores nothing.
    if (r.consumeCodeHash && !(await consumeTransactionCode(trx, r.consumeCodeHash))) throw new CodeAlreadyUsed();
    if (r.answers.length) {
      await trx
        .insertInto('answer')
        .values(r.answers.map((a) => answerRow(row.id, a)))
        .execute();
    }
    return { inserted: true, id: row.id };
  });
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
    const answers = rows.flatMap((r) => r.answers.map((a) => answerRow(idBySubmission.get(r.submissionId)!, a)));
    // Stay well under PostgreSQL's limit of 65,535 bind parameters per statement.
    for (let i = 0; i < answers.length; i += 5_000) {
      await trx
        .insertInto('answer')
        .values(answers.slice(i, i + 5_000))
        .execute();
    }
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
