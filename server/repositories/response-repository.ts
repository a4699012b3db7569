import { type Insertable, sql } from 'kysely';
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
  /** Keyed hash of the form's render token, to see a page replayed (never the token). */
  renderKey?: string | null;
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
  // The first row of each submission id is the one that can be stored; a
  // later row with the same id is a replay or a conflict of it.
  const first = rows.map((r, i) => rows.findIndex((x) => x.submissionId === r.submissionId) === i);
  // In submission id order, so that two batches racing on the same ids wait
  // on each other in one order and cannot deadlock.
  const candidates = rows
    .map((r, i) => ({ r, i, reasons: [...(r.suspectReasons ?? []), ...(screened[i] ?? [])] }))
    .filter((c) => first[c.i])
    .sort((a, b) => cmp(a.r.submissionId, b.r.submissionId));
  const answers = candidates.flatMap((c) => c.r.answers.map((a) => ({ id: c.r.submissionId, a: answerRow('0', a) })));
  const col = <T>(f: (c: (typeof candidates)[number]) => T) => candidates.map(f);
  // One statement for the responses and their answers, with one array per
  // column: its cost does not grow with the number of bind parameters.
  const { rows: inserted } = await sql<{ id: string; submission_id: string }>`
    with r as (
      insert into response (submission_id, payload_hash, survey_version_id, unit_id, desk_id, service_area_code,
                            channel, locale, verified, suspect, suspect_reason, client_key, answer_pattern,
                            render_key)
      select s, h, v, u, d, a, c, l, ver, sus, why, ck, ap, rk
        from unnest(${col((c) => c.r.submissionId)}::uuid[], ${col((c) => c.r.payloadHash)}::text[],
                    ${col((c) => c.r.surveyVersionId)}::int[], ${col((c) => c.r.unitId)}::int[],
                    ${col((c) => c.r.deskId)}::int[], ${col((c) => c.r.serviceArea)}::text[],
                    ${col((c) => c.r.channel)}::text[], ${col((c) => c.r.locale)}::text[],
                    ${col((c) => Boolean(c.r.consumeCodeHash))}::bool[], ${col((c) => c.reasons.length > 0)}::bool[],
                    ${col((c) => suspectReason(c.reasons))}::text[], ${col((c) => c.r.clientKey ?? null)}::text[],
                    ${col((c) => c.r.answerPattern ?? null)}::text[], ${col((c) => c.r.renderKey ?? null)}::text[])
             with ordinality as x(s, h, v, u, d, a, c, l, ver, sus, why, ck, ap, rk, n)
       order by n
      on conflict (submission_id) do nothing
      returning id, submission_id
    ), a as (
      insert into answer (response_id, indicator_key, value_num, value_option, value_text)
      select r.id, x.k, x.num, x.opt, x.txt
        from unnest(${answers.map((x) => x.id)}::uuid[], ${answers.map((x) => x.a.indicator_key)}::text[],
                    ${answers.map((x) => x.a.value_num)}::smallint[], ${answers.map((x) => x.a.value_option)}::text[],
                    ${answers.map((x) => x.a.value_text)}::text[]) as x(s, k, num, opt, txt)
        join r on r.submission_id = x.s
    )
    select id, submission_id from r`.execute(trx);
  const newId = new Map(inserted.map((x) => [x.submission_id, x.id]));
  const isNew = rows.map((r, i) => first[i] === true && newId.has(r.submissionId));
  const coded = rows[0]?.consumeCodeHash;
  // Throwing rolls the response back: a used or expired code stores nothing.
  if (coded && isNew[0] && !(await consumeTransactionCode(trx, coded))) throw new CodeAlreadyUsed();

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

/** Comma-joined codes, in the order the checks ran (stuffing-rules.ts); null when none. */
function suspectReason(reasons: readonly string[]): string | null {
  return reasons.length ? [...new Set(reasons)].join(',') : null;
}

function responseRow(r: NewResponse): Insertable<ResponseTable> {
  const reasons = r.suspectReasons ?? [];
  const why = suspectReason(reasons);
  return {
    // Only what is set: the bulk path (demo, imports) inserts the columns it always did.
    ...(why ? { suspect: true, suspect_reason: why } : {}),
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
