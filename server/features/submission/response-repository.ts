import { type Insertable, sql } from 'kysely';
import type { Answer } from '../../../surveys/answers.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Channel, NewAnswer, ResponseTable } from '../../platform/db/schema.ts';

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
  /** Verified by a one-time code, used up in the same transaction. */
  verified?: boolean;
  /** Keyed hash of the client address for the stuffing checks (never the address). */
  clientKey?: string | null;
  /** Keyed hash of the form's render token, to see a page replayed (never the token). */
  renderKey?: string | null;
  /** Fingerprint of the scale answers, for burst detection. */
  answerPattern?: string | null;
  /** Why the row is suspect (stuffing-rules.ts), in the order the checks ran: stored as suspect, never dropped. */
  suspectReasons?: string[];
  /** When it was answered, if not now: a counter tablet's queued answer counts on the day it was given. */
  submittedAt?: Date;
  /** The counter tablet it came from. */
  kioskDeviceId?: number | null;
  /** The survey round a paper form was entered for: kept out of the continuous figures (issue 16). */
  roundId?: number | null;
}

/**
 * Inserts responses and their answers in one statement, with one array per
 * column (its cost does not grow with the number of bind parameters), inside
 * the caller's transaction (store-responses.ts). A submission id already
 * stored inserts nothing: the result maps each newly stored submission id to
 * its response id. Rows must have distinct submission ids; the caller orders
 * them.
 */
export async function insertResponseRows(trx: Db, rows: readonly NewResponse[]): Promise<Map<string, string>> {
  const { rows: inserted } = await insertResponseRowsQuery(rows).execute(trx);
  return new Map(inserted.map((x) => [x.submission_id, x.id]));
}

/**
 * The statement insertResponseRows runs, built but not run: its SQL is
 * committed in response-repository.sql (scripts/sql-snapshots.ts), so that a
 * change to it shows in the diff.
 */
export function insertResponseRowsQuery(rows: readonly NewResponse[]) {
  const answers = rows.flatMap((r) =>
    r.answers.map((a) => ({ id: r.submissionId, a: answerRow('0', new Date(0), a) })),
  );
  const col = <T>(f: (r: NewResponse) => T) => rows.map(f);
  return sql<{ id: string; submission_id: string }>`
    with x as (
      select *
        from unnest(${col((r) => r.submissionId)}::uuid[], ${col((r) => r.payloadHash)}::text[],
                    ${col((r) => r.surveyVersionId)}::int[], ${col((r) => r.unitId)}::int[],
                    ${col((r) => r.deskId)}::int[], ${col((r) => r.serviceArea)}::text[],
                    ${col((r) => r.channel)}::text[], ${col((r) => r.locale)}::text[],
                    ${col((r) => r.verified ?? false)}::bool[], ${col((r) => Boolean(r.suspectReasons?.length))}::bool[],
                    ${col((r) => suspectReason(r.suspectReasons ?? []))}::text[], ${col((r) => r.clientKey ?? null)}::text[],
                    ${col((r) => r.answerPattern ?? null)}::text[], ${col((r) => r.renderKey ?? null)}::text[],
                    ${col((r) => r.submittedAt ?? null)}::timestamptz[], ${col((r) => r.kioskDeviceId ?? null)}::int[],
                    ${col((r) => r.roundId ?? null)}::int[])
             with ordinality as x(s, h, v, u, d, a, c, l, ver, sus, why, ck, ap, rk, at, kd, rd, n)
    ), s as (
      -- submission keeps submission ids unique across the monthly partitions and hands out the ids.
      insert into submission (submission_id)
      select s from x order by n
      on conflict (submission_id) do nothing
      returning response_id, submission_id
    ), r as (
      insert into response (id, submission_id, payload_hash, survey_version_id, unit_id, desk_id, service_area_code,
                            channel, locale, verified, suspect, suspect_reason, client_key, answer_pattern,
                            render_key, submitted_at, kiosk_device_id, round_id)
      select s.response_id, x.s, h, v, u, d, a, c, l, ver, sus, why, ck, ap, rk, coalesce(at, now()), kd, rd
        from x join s on s.submission_id = x.s
       order by n
      returning id, submission_id, submitted_at
    ), a as (
      insert into answer (response_id, submitted_at, indicator_key, value_num, value_option, value_text)
      select r.id, r.submitted_at, x.k, x.num, x.opt, x.txt
        from unnest(${answers.map((x) => x.id)}::uuid[], ${answers.map((x) => x.a.indicator_key)}::text[],
                    ${answers.map((x) => x.a.value_num)}::smallint[], ${answers.map((x) => x.a.value_option)}::text[],
                    ${answers.map((x) => x.a.value_text)}::text[]) as x(s, k, num, opt, txt)
        join r on r.submission_id = x.s
    )
    select id, submission_id from r`;
}

/** The stored rows of these submission ids (to tell a replay from a conflict). */
export async function findSubmissions(
  trx: Db,
  submissionIds: readonly string[],
): Promise<{ id: string; payload_hash: string; submission_id: string }[]> {
  if (!submissionIds.length) return [];
  return trx
    .selectFrom('submission as s')
    .innerJoin('response as r', 'r.id', 's.response_id')
    .select(['r.id', 'r.payload_hash', 's.submission_id'])
    .where('s.submission_id', 'in', submissionIds)
    .execute();
}

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
    // Registered in one statement, so the per-row trigger that would do it (response_register) has nothing to do.
    const registered = await trx
      .insertInto('submission')
      .values(rows.map((r) => ({ submission_id: r.submissionId })))
      .returning(['response_id', 'submission_id'])
      .execute();
    const idOf = new Map(registered.map((x) => [x.submission_id, x.response_id]));
    await trx
      .insertInto('response')
      .values(rows.map((r) => ({ ...responseRow(r), id: idOf.get(r.submissionId), submitted_at: r.submittedAt })))
      .execute();
    await insertAnswers(
      trx,
      rows.flatMap((r) => r.answers.map((a) => answerRow(idOf.get(r.submissionId)!, r.submittedAt, a))),
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
    ...(r.kioskDeviceId ? { kiosk_device_id: r.kioskDeviceId } : {}),
    ...(r.roundId ? { round_id: r.roundId } : {}),
    submission_id: r.submissionId,
    payload_hash: r.payloadHash,
    survey_version_id: r.surveyVersionId,
    unit_id: r.unitId,
    desk_id: r.deskId,
    service_area_code: r.serviceArea,
    channel: r.channel,
    locale: r.locale,
    verified: r.verified ?? false,
  };
}

function answerRow(responseId: string, submittedAt: Date, a: Answer): NewAnswer {
  return { response_id: responseId, submitted_at: submittedAt, indicator_key: a.key, ...answerValues(a) };
}

/** The value columns of an answer row: exactly one is set. */
export function answerValues(a: Answer): Pick<NewAnswer, 'value_num' | 'value_option' | 'value_text'> {
  const none = { value_num: null, value_option: null, value_text: null };
  switch (a.kind) {
    case 'scale':
      return { ...none, value_num: a.value };
    case 'na':
      return { ...none, value_option: 'na' };
    case 'option':
      return { ...none, value_option: a.value };
    case 'text':
      return { ...none, value_text: a.value };
  }
}
