import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// The queries of the low-score alert (low-score-mail.ts): the unit's
// throttle row, the low scores it has not mailed yet, and who manages it.

const KIND = 'low_score';

/** Lines of the mail at most; a burst beyond that is counted, not listed. */
const MAX_GROUPS = 200;

/**
 * Event times go back to the database as text: a JavaScript Date keeps
 * milliseconds, PostgreSQL microseconds, and a rounded cursor would mail the
 * newest event twice or skip one.
 */
export type EventCursor = string & { readonly cursor: unique symbol };

export interface Throttle {
  lastSentAt: Date;
  coveredUntil: EventCursor;
}

/**
 * The unit's throttle row, locked until `trx` ends, so that of two workers
 * one mails and the other then sees the mail sent. A unit never mailed gets
 * a row whose window is long over, covering what is older than a day: its
 * first alert is about today's scores, not the whole history of the outbox.
 */
export async function lockThrottle(trx: Db, unitId: number, now: Date): Promise<Throttle> {
  await trx
    .insertInto('mail_throttle')
    .values({
      unit_id: unitId,
      kind: KIND,
      last_sent_at: new Date(0),
      covered_until: new Date(now.getTime() - 86_400_000),
    })
    .onConflict((oc) => oc.columns(['unit_id', 'kind']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('mail_throttle')
    .select(['last_sent_at as lastSentAt', sql<EventCursor>`covered_until::text`.as('coveredUntil')])
    .where('unit_id', '=', unitId)
    .where('kind', '=', KIND)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return row;
}

/** After a mail (lastSentAt) or a batch nobody was to receive (coveredUntil alone). */
export async function advanceThrottle(trx: Db, unitId: number, set: { lastSentAt?: Date; coveredUntil: EventCursor }) {
  await trx
    .updateTable('mail_throttle')
    .set({
      covered_until: sql<Date>`${set.coveredUntil}::timestamptz`,
      ...(set.lastSentAt ? { last_sent_at: set.lastSentAt } : {}),
    })
    .where('unit_id', '=', unitId)
    .where('kind', '=', KIND)
    .execute();
}

/** Low scores of one desk, service area, day and score. */
export interface LowScoreGroup {
  deskName: string | null;
  deskCode: string | null;
  serviceAreaName: string;
  day: string;
  score: number;
  n: number;
}

export interface PendingLowScores {
  groups: LowScoreGroup[];
  total: number;
  /** The newest event's time: the next mail starts after it. */
  newest: EventCursor;
}

/**
 * The unit's low scores recorded after `after`, grouped for the mail. Only
 * what the event carries (desk code, service area, score, local day): the
 * mail can hold nothing a webhook may not.
 */
export async function pendingLowScores(
  trx: Db,
  unitId: number,
  after: EventCursor,
): Promise<PendingLowScores | undefined> {
  const summary = await trx
    .selectFrom('outbox_event')
    .select([sql<number>`count(*)::int`.as('total'), sql<EventCursor | null>`max(created_at)::text`.as('newest')])
    .where('event', '=', 'response.low_score')
    .where('unit_id', '=', unitId)
    .where('created_at', '>', sql<Date>`${after}::timestamptz`)
    .executeTakeFirstOrThrow();
  if (!summary.total || !summary.newest) return undefined;
  const { rows } = await sql<LowScoreGroup>`
    select d.name as "deskName", e.data->>'desk' as "deskCode",
           coalesce(sa.name_vi, e.data->>'serviceArea', '') as "serviceAreaName",
           e.data->>'day' as day, (e.data->>'score')::int as score, count(*)::int as n
      from outbox_event e
      left join desk d on d.code = e.data->>'desk'
      left join service_area sa on sa.code = e.data->>'serviceArea'
     where e.event = 'response.low_score' and e.unit_id = ${unitId}
       and e.created_at > ${after}::timestamptz and e.created_at <= ${summary.newest}::timestamptz
     group by 1, 2, 3, 4, 5
     order by 1 nulls last, 2, 3, 4 desc, 5
     limit ${MAX_GROUPS}`.execute(trx);
  return { groups: rows, total: summary.total, newest: summary.newest };
}

/**
 * Who hears of a unit's low scores: the active managers of the unit, or, if
 * it has none, of the nearest unit above it that has some (a centre whose
 * manager left still reaches someone responsible).
 */
export async function managersFor(
  trx: Db,
  unitId: number,
): Promise<{
  unitName: string;
  userIds: number[] /** The unit above whose managers are asked instead. */;
  above?: string;
}> {
  const unit = await trx.selectFrom('unit').select(['name', 'path']).where('id', '=', unitId).executeTakeFirst();
  if (!unit) return { unitName: '', userIds: [] };
  const { rows } = await sql<{ id: number; unitId: number; unitName: string }>`
    with nearest as (
      select u.id, u.name
        from unit u
       where ${unit.path} like u.path || '%'
         and exists (select 1 from app_user m where m.unit_id = u.id and m.role = 'manager' and m.active)
       order by length(u.path) desc
       limit 1)
    select m.id, nearest.id as "unitId", nearest.name as "unitName"
      from app_user m join nearest on m.unit_id = nearest.id
     where m.role = 'manager' and m.active
     order by m.id`.execute(trx);
  const at = rows[0];
  return {
    unitName: unit.name,
    userIds: rows.map((r) => r.id),
    ...(at && at.unitId !== unitId ? { above: at.unitName } : {}),
  };
}

/**
 * The unit's next alert, when its window ends. Unlike the trigger
 * (migrations/2026-12-05T2315_low-score-mail.ts), this moves a job already
 * waiting: the window's end is known here, and an earlier run would only
 * find the window still open.
 */
export async function queueLowScoreMail(trx: Db, unitId: number, runAt: Date): Promise<void> {
  await sql`
    select graphile_worker.add_job('mail_low_scores', json_build_object('unitId', ${unitId}::int),
      run_at => ${runAt}::timestamptz, job_key => ${`mail_low_scores:${unitId}`}, job_key_mode => 'replace')`.execute(
    trx,
  );
}
