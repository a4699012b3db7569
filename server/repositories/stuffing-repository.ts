import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { WindowCounts } from '../services/stuffing-rules.ts';

// Queries of the anti-stuffing checks (in a submission's transaction) and of
// the officials' review of flagged responses.

// The two-integer advisory lock space, kept apart from the one-bigint keys
// that the migrator and start-up use.
const DESK_LOCK_CLASS = 0x484c5354; // 'HLST'

/**
 * Makes submissions at these desks take turns for the rest of the
 * transaction, so that a burst posted in parallel is counted as exactly as
 * one posted in sequence. Other desks are not held up. The locks are taken in
 * ascending desk order, so two batches cannot deadlock on each other.
 */
export async function lockDeskSubmissions(trx: Db, deskIds: readonly number[]): Promise<void> {
  const ids = [...new Set(deskIds)].sort((a, b) => a - b);
  if (!ids.length) return;
  await sql`select count(pg_advisory_xact_lock(${DESK_LOCK_CLASS}::int, d)) from unnest(${ids}::int[]) as t(d)`.execute(
    trx,
  );
}

export interface WindowQuery {
  deskId: number;
  clientKey: string | null;
  answerPattern: string;
  windowMinutes: number;
  /** Each count stops here: the checks only compare it with these. */
  caps: WindowCounts;
}

/**
 * For each query, the responses at its desk in the last `windowMinutes`, as
 * the checks count them (up to the caps), in one round trip.
 */
export async function countWindows(trx: Db, qs: readonly WindowQuery[]): Promise<WindowCounts[]> {
  if (!qs.length) return [];
  // One-time codes admit one response each: they are not poster traffic.
  const window = sql`r.desk_id = q.desk_id and r.submitted_at > now() - make_interval(mins => q.minutes)
    and r.verified = false`;
  const { rows } = await sql<{ desk: number; client: number; same: number }>`
    select (select count(*) from (select from response r where ${window} limit q.cap_desk) x)::int as desk,
           (select count(*) from (select from response r where ${window} and r.client_key = q.client_key
                                   limit q.cap_client) x)::int as client,
           (select count(*) from (select from response r where ${window} and r.answer_pattern = q.answer_pattern
                                   limit q.cap_same) x)::int as same
      from unnest(${qs.map((q) => q.deskId)}::int[], ${qs.map((q) => q.clientKey)}::text[],
                  ${qs.map((q) => q.answerPattern)}::text[], ${qs.map((q) => q.windowMinutes)}::int[],
                  ${qs.map((q) => q.caps.desk)}::int[], ${qs.map((q) => q.caps.client)}::int[],
                  ${qs.map((q) => q.caps.samePattern)}::int[])
           with ordinality as q(desk_id, client_key, answer_pattern, minutes, cap_desk, cap_client, cap_same, i)
     order by q.i`.execute(trx);
  return rows.map((r) => ({ desk: r.desk, client: r.client, samePattern: r.same }));
}

/**
 * Erases client keys older than `hours`, a batch at a time. Rows another
 * transaction holds are skipped (the next sweep gets them), so the sweep
 * never waits and never deadlocks with a review.
 */
export async function forgetClientKeys(db: Db, hours: number, batch = 5_000): Promise<number> {
  const result = await sql`
    update response set client_key = null
     where id in (select id from response
                   where client_key is not null and submitted_at < now() - make_interval(hours => ${hours})
                   limit ${batch}
                     for update skip locked)`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export type ReviewFilter = 'pending' | 'confirmed' | 'cleared';

export interface FlaggedRow {
  id: string;
  submittedAt: Date;
  unitId: number;
  unitName: string;
  deskId: number;
  deskCode: string;
  deskName: string;
  serviceAreaName: string;
  channel: string;
  reason: string;
  review: 'confirmed' | 'cleared' | null;
  surveyVersionId: number;
  answers: { key: string; num: number | null; opt: string | null; text: string | null }[];
}

/** Flagged responses of a subtree (or of one desk), newest first. */
export async function listFlagged(
  db: Db,
  q: { scopePath: string; deskId?: number; filter: ReviewFilter; limit: number },
): Promise<FlaggedRow[]> {
  return db
    .selectFrom('response as r')
    .innerJoin('desk as d', 'd.id', 'r.desk_id')
    .innerJoin('unit as u', 'u.id', 'r.unit_id')
    .innerJoin('service_area as a', 'a.code', 'r.service_area_code')
    .select([
      'r.id',
      'r.submitted_at as submittedAt',
      'u.id as unitId',
      'u.name as unitName',
      'd.id as deskId',
      'd.code as deskCode',
      'd.name as deskName',
      'a.name_vi as serviceAreaName',
      'r.channel',
      sql<string>`r.suspect_reason`.as('reason'),
      'r.suspect_review as review',
      'r.survey_version_id as surveyVersionId',
      sql<FlaggedRow['answers']>`coalesce((
        select json_agg(json_build_object('key', x.indicator_key, 'num', x.value_num,
                                          'opt', x.value_option, 'text', x.value_text))
          from answer x where x.response_id = r.id), '[]')`.as('answers'),
    ])
    .where('r.suspect_reason', 'is not', null)
    .where('u.path', 'like', `${q.scopePath}%`)
    .$if(q.deskId !== undefined, (qb) => qb.where('r.desk_id', '=', q.deskId!))
    .$if(q.filter === 'pending', (qb) => qb.where('r.suspect_review', 'is', null))
    .$if(q.filter !== 'pending', (qb) => qb.where('r.suspect_review', '=', q.filter as 'confirmed' | 'cleared'))
    .orderBy('r.submitted_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(q.limit)
    .execute();
}

/**
 * Confirms or clears flagged responses of one desk; call it in a transaction.
 * Only responses the checks flagged can be reviewed: an official cannot
 * exclude a response nobody flagged. Returns the rows changed, or undefined
 * (nothing changed) when an id is not a flagged response of that desk.
 */
export async function reviewFlagged(
  trx: Db,
  q: { deskId: number; ids: string[]; decision: 'confirmed' | 'cleared' },
): Promise<{ id: string; reason: string }[] | undefined> {
  const rows = await trx
    .selectFrom('response')
    .select(['id', sql<string>`suspect_reason`.as('reason')])
    .where('id', 'in', q.ids)
    .where('desk_id', '=', q.deskId)
    .where('suspect_reason', 'is not', null)
    // Rows in the order of the daily counters they move (day, area,
    // channel, version): two reviews at once take those locks in the
    // same order and cannot deadlock.
    .orderBy(sql`aggregate_day(submitted_at)`)
    .orderBy('service_area_code')
    .orderBy('channel')
    .orderBy('survey_version_id')
    .orderBy('id')
    .forUpdate()
    .execute();
  if (rows.length !== new Set(q.ids).size) return undefined;
  for (const r of rows) {
    // The aggregate trigger moves the response's counts with its suspect flag.
    await trx
      .updateTable('response')
      .set({
        suspect: q.decision === 'confirmed',
        suspect_review: q.decision,
        suspect_reviewed_at: sql<Date>`now()`,
      })
      .where('id', '=', r.id)
      .execute();
  }
  return rows;
}
