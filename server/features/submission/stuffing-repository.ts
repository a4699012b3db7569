import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import { CLIENT_KEY_HOURS, type WindowCounts } from './stuffing-rules.ts';

// Queries of the anti-stuffing checks (in a submission's transaction) and of
// the officials' review of flagged responses.

// The two-integer advisory lock space, kept apart from the one-bigint keys
// that the migrator and start-up use.
const DESK_LOCK_CLASS = 0x484c5354; // 'HLST'

/** How far this process's clock may be from the database's without a window missing a response. */
const SKEW_MINUTES = 60;

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

/**
 * Rows in the order of the daily counters they move (day, area, channel,
 * version): a review and the flagging of a caught source, or two reviews,
 * take those locks in the same order and cannot deadlock.
 */
const COUNTER_ORDER = sql`aggregate_day(submitted_at), service_area_code, channel, survey_version_id, id`;

export interface WindowQuery {
  deskId: number;
  /** The submission's own id: a replay never counts its stored original. */
  submissionId: string;
  clientKey: string | null;
  renderKey: string | null;
  answerPattern: string;
  windowMinutes: number;
  /** Each count stops here: the checks only compare it with these. */
  caps: WindowCounts;
}

/**
 * For each query, the responses at its desk in the last `windowMinutes`, as
 * the checks count them (up to the caps), in one round trip: all of them,
 * those of the same source, of the same source and answers, and those sent
 * from the same rendered page (as long as render keys are kept: bounded in
 * time too, so that only the last month's partitions are searched). The desk's
 * count leaves paper forms out: clerks type them in piles, and a pile must not
 * put the desk under watch and get another source flagged.
 */
export async function countWindows(trx: Db, qs: readonly WindowQuery[]): Promise<WindowCounts[]> {
  if (!qs.length) return [];
  // The exact windows are the database's now() minus each query's minutes;
  // the same bounds from this clock, an hour looser for any skew between the
  // two, let the planner leave out the older monthly partitions while it
  // plans (a bound on now() only prunes when the plan runs, after every
  // partition was planned: 5 ms a call at 17 partitions, more each month).
  const looser = (minutes: number) => new Date(Date.now() - (minutes + SKEW_MINUTES) * 60_000);
  const since = looser(Math.max(...qs.map((q) => q.windowMinutes)));
  const tokenSince = looser(CLIENT_KEY_HOURS * 60);
  const window = sql`r.desk_id = q.desk_id and r.submitted_at > now() - make_interval(mins => q.minutes)
    and r.submitted_at > ${since}::timestamptz and r.submission_id <> q.submission_id`;
  const { rows } = await sql<{ desk: number; source: number; same: number; token: number }>`
    select (select count(*) from (select from response r where ${window} and r.channel <> 'paper'
                                   limit q.cap_desk) x)::int as desk,
           (select count(*) from (select from response r where ${window} and r.client_key = q.client_key
                                   limit q.cap_source) x)::int as source,
           (select count(*) from (select from response r where ${window} and r.client_key = q.client_key
                                     and r.answer_pattern = q.answer_pattern limit q.cap_same) x)::int as same,
           (select count(*) from (select from response r where r.desk_id = q.desk_id and r.render_key = q.render_key
                                     and r.submitted_at > now() - make_interval(hours => ${CLIENT_KEY_HOURS})
                                     and r.submitted_at > ${tokenSince}::timestamptz
                                     and r.submission_id <> q.submission_id limit q.cap_token) x)::int as token
      from unnest(${qs.map((q) => q.deskId)}::int[], ${qs.map((q) => q.submissionId)}::uuid[],
                  ${qs.map((q) => q.clientKey)}::text[], ${qs.map((q) => q.renderKey)}::text[],
                  ${qs.map((q) => q.answerPattern)}::text[], ${qs.map((q) => q.windowMinutes)}::int[],
                  ${qs.map((q) => q.caps.desk)}::int[], ${qs.map((q) => q.caps.source)}::int[],
                  ${qs.map((q) => q.caps.sourcePattern)}::int[], ${qs.map((q) => q.caps.token)}::int[])
           with ordinality as q(desk_id, submission_id, client_key, render_key, answer_pattern, minutes,
                                cap_desk, cap_source, cap_same, cap_token, i)
     order by q.i`.execute(trx);
  return rows.map((r) => ({ desk: r.desk, source: r.source, sourcePattern: r.same, token: r.token }));
}

/**
 * Flags the stored responses a caught source sent earlier (stuffing-rules.ts
 * REACHES_BACK): by render key (any time it is kept), or by client key and
 * optionally answer pattern within the window. Responses already flagged or
 * already reviewed are left as they are: an official's decision stands.
 * Row by row, in COUNTER_ORDER.
 */
export async function flagEarlier(
  trx: Db,
  q: {
    deskId: number;
    submissionId: string;
    reason: string;
    windowMinutes: number;
    renderKey?: string | null;
    clientKey?: string | null;
    answerPattern?: string;
  },
): Promise<number> {
  if (q.renderKey === null || q.clientKey === null) return 0;
  const rows = await trx
    .selectFrom('response')
    .select('id')
    .where('desk_id', '=', q.deskId)
    .where('suspect', '=', false)
    .where('suspect_review', 'is', null)
    .where('submission_id', '<>', q.submissionId)
    .$if(q.renderKey !== undefined, (qb) => qb.where('render_key', '=', q.renderKey!))
    .$if(q.renderKey === undefined, (qb) =>
      qb.where('submitted_at', '>', sql<Date>`now() - make_interval(mins => ${q.windowMinutes})`),
    )
    .$if(q.clientKey !== undefined, (qb) => qb.where('client_key', '=', q.clientKey!))
    .$if(q.answerPattern !== undefined, (qb) => qb.where('answer_pattern', '=', q.answerPattern!))
    .orderBy(COUNTER_ORDER)
    .forUpdate()
    .execute();
  for (const r of rows) {
    // The aggregate trigger moves the response's counts with its flag.
    await trx.updateTable('response').set({ suspect: true, suspect_reason: q.reason }).where('id', '=', r.id).execute();
  }
  return rows.length;
}

/** Counts responses that came while each desk was under watch, by day in Vietnam. */
export async function watchDesks(trx: Db, desks: readonly { deskId: number; responses: number }[]): Promise<void> {
  await sql`
    insert into desk_watch (desk_id, day, responses)
    select d, (now() at time zone 'Asia/Ho_Chi_Minh')::date, n
      from unnest(${desks.map((d) => d.deskId)}::int[], ${desks.map((d) => d.responses)}::int[]) as x(d, n)
    on conflict (desk_id, day) do update set responses = desk_watch.responses + excluded.responses`.execute(trx);
}

/** Desks of a subtree that were under watch since `since`, most recent first. */
export async function listWatchedDesks(
  db: Db,
  q: { scopePath: string; since: string },
): Promise<{ deskId: number; deskName: string; unitName: string; day: string; responses: number }[]> {
  return db
    .selectFrom('desk_watch as w')
    .innerJoin('desk as d', 'd.id', 'w.desk_id')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select([
      'd.id as deskId',
      'd.name as deskName',
      'u.name as unitName',
      sql<string>`w.day::text`.as('day'),
      'w.responses',
    ])
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('w.day', '>=', q.since)
    .orderBy('w.day', 'desc')
    .orderBy('d.id')
    .limit(200)
    .execute();
}

/**
 * Erases client keys and render keys older than `hours`, a batch at a time.
 * Rows another transaction holds are skipped (the next sweep gets them), so
 * the sweep never waits and never deadlocks with a review.
 */
export async function forgetClientKeys(db: Db, hours: number, batch = 5_000): Promise<number> {
  const result = await sql`
    update response set client_key = null, render_key = null
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

/**
 * Flagged responses of a subtree (or of one desk), newest day first; within
 * a day in an order unrelated to arrival, since the review shows responses
 * by day only. `strictlyBelow` leaves out the desks of the subtree's own unit.
 */
export async function listFlagged(
  db: Db,
  q: { scopePath: string; strictlyBelow: boolean; deskId?: number; filter: ReviewFilter; limit: number },
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
    .$if(q.strictlyBelow, (qb) => qb.where('u.path', '<>', q.scopePath))
    .$if(q.deskId !== undefined, (qb) => qb.where('r.desk_id', '=', q.deskId!))
    .$if(q.filter === 'pending', (qb) => qb.where('r.suspect_review', 'is', null))
    .$if(q.filter !== 'pending', (qb) => qb.where('r.suspect_review', '=', q.filter as 'confirmed' | 'cleared'))
    .orderBy(sql`aggregate_day(r.submitted_at)`, 'desc')
    .orderBy(sql`md5(r.id::text)`)
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
    .orderBy(COUNTER_ORDER)
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
