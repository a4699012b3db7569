import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { FeedbackStatus } from '../../platform/db/schema.ts';
import { type FeedbackRow, selectItems } from './feedback-repository.ts';

// The inbox's lists (work items, praise, an assignee's own), their filters
// and pages, the choices the filters offer, and the figures of a period.
// Every query is bounded by the actor's subtree (`scopePath`) here, whatever
// else a filter names, so a tampered filter can only narrow it.

/** 'withheld' lists the items of suspect responses, which every other filter leaves out. */
export type StatusFilter = 'all' | 'open' | 'withheld' | FeedbackStatus;
export type InboxView = 'items' | 'praise' | 'mine';

export interface InboxQuery {
  scopePath: string;
  view: InboxView;
  /** The signed-in user, for 'mine'. */
  userId: number | null;
  status: StatusFilter;
  overdueOnly: boolean;
  /** A unit's path inside the scope: its subtree only. */
  unitPath?: string;
  deskId?: number;
  serviceArea?: string;
  /** Local calendar days 'yyyy-mm-dd' (Vietnam), inclusive: the day the citizen sent the response. */
  from?: string;
  to?: string;
  now: Date;
}

const HANDLED = ['answered', 'closed'] as const;
const DAY_START = (day: string) => sql<Date>`(${day}::date)::timestamp at time zone 'Asia/Ho_Chi_Minh'`;
const DAY_END = (day: string) => sql<Date>`(${day}::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh'`;

function filtered(db: Db, q: InboxQuery) {
  let query = selectItems(db)
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('f.kind', '=', q.view === 'praise' ? 'praise' : 'item');
  if (q.view === 'mine') query = query.where('f.assignee_user_id', '=', q.userId ?? -1);
  if (q.unitPath) query = query.where('u.path', 'like', `${q.unitPath}%`);
  if (q.deskId !== undefined) query = query.where('f.desk_id', '=', q.deskId);
  if (q.serviceArea) query = query.where('f.service_area_code', '=', q.serviceArea);
  if (q.from) query = query.where('r.submitted_at', '>=', DAY_START(q.from));
  if (q.to) query = query.where('r.submitted_at', '<', DAY_END(q.to));
  if (q.view === 'praise') return query.where('f.withheld', 'is', null);
  query = query.where('f.withheld', q.status === 'withheld' ? 'is not' : 'is', null);
  if (q.status === 'open') query = query.where('f.status', 'not in', HANDLED);
  else if (q.status !== 'all' && q.status !== 'withheld') query = query.where('f.status', '=', q.status);
  if (q.overdueOnly) query = query.where('f.status', 'not in', HANDLED).where('f.due_at', '<', q.now);
  return query;
}

/** One page of the list, most urgent first (praise: newest first). */
export async function listFeedback(db: Db, q: InboxQuery & { limit: number; offset: number }): Promise<FeedbackRow[]> {
  let query = filtered(db, q).select([
    'f.id',
    'f.kind',
    'f.status',
    'f.reason',
    'f.withheld',
    'f.due_at as dueAt',
    'f.answered_at as answeredAt',
    'f.assignee_user_id as assigneeUserId',
    'p.name as assigneeName',
    'r.submitted_at as submittedAt',
    'u.name as unitName',
    'd.name as deskName',
    'a.name_vi as serviceAreaName',
    'c.value_text as comment',
    'o.value_num as overall',
  ]);
  query =
    q.view === 'praise'
      ? query.orderBy('r.submitted_at', 'desc')
      : query.orderBy(sql`f.status in ('answered', 'closed')`).orderBy('f.due_at');
  return query.orderBy('f.id').limit(q.limit).offset(q.offset).execute();
}

export async function countFeedback(db: Db, q: InboxQuery): Promise<number> {
  const row = await filtered(db, q).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** The desks of the subtree, for the filter. */
export async function listScopeDesks(db: Db, scopePath: string) {
  return db
    .selectFrom('desk as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .select(['d.id', 'd.name', 'u.name as unitName'])
    .where('u.path', 'like', `${scopePath}%`)
    .orderBy('u.path')
    .orderBy('d.name')
    .execute();
}

/**
 * Managers an item at `itemPath` can be given to: active, of a unit inside
 * the actor's subtree (`scopePath`), and whose own subtree holds the item
 * (they can open it).
 */
export async function listAssignees(db: Db, q: { scopePath: string; itemPath: string }) {
  return db
    .selectFrom('app_user as p')
    .innerJoin('unit as u', 'u.id', 'p.unit_id')
    .select(['p.id', 'p.name', 'p.email', 'u.name as unitName'])
    .where('p.active', '=', true)
    .where('p.role', '=', 'manager')
    .where('u.path', 'like', `${q.scopePath}%`)
    .where(sql<boolean>`${q.itemPath} like u.path || '%'`)
    .orderBy('u.path')
    .orderBy('p.name')
    .orderBy('p.id')
    .execute();
}

export interface PeriodFigures {
  unitId: number;
  /** Items (work, not praise) of responses sent in the period. */
  opened: number;
  /** Of those, answered or closed by now. */
  handled: number;
  /** Of those handled, answered by their due date. */
  handledOnTime: number;
  /** Praise of responses sent in the period (not turned into items). */
  praise: number;
  /** Items whose citizen rated the handling afterwards (issue 18), and of those, satisfied. */
  handlingRated: number;
  handlingSatisfied: number;
}

/**
 * Feedback of responses sent from `from` to `to` (local days, inclusive)
 * in each unit's subtree; suspect responses' items are left out.
 */
export async function feedbackFiguresForPeriod(
  db: Db,
  q: { unitIds: readonly number[]; from: string; to: string; serviceArea?: string | null },
): Promise<PeriodFigures[]> {
  if (!q.unitIds.length) return [];
  const area = q.serviceArea ? sql`and f.service_area_code = ${q.serviceArea}` : sql``;
  const { rows } = await sql<PeriodFigures>`
    select s.id as "unitId",
           (count(f.id) filter (where f.kind = 'item'))::int as opened,
           (count(f.id) filter (where f.kind = 'item' and f.status in ('answered', 'closed')))::int as handled,
           (count(f.id) filter (where f.kind = 'item' and f.status in ('answered', 'closed')
                                  and f.answered_at <= f.due_at))::int as "handledOnTime",
           (count(f.id) filter (where f.kind = 'praise'))::int as praise,
           (count(h.feedback_id) filter (where f.kind = 'item'))::int as "handlingRated",
           (count(h.feedback_id) filter (where f.kind = 'item' and h.satisfied))::int as "handlingSatisfied"
      from unit s
      left join (feedback_item f
                 join unit u on u.id = f.unit_id
                 join response r on r.id = f.response_id
                 -- The second rating's yes or no only: never the contact of a callback.
                 left join feedback_handling_rating h on h.feedback_id = f.id)
        on u.path like s.path || '%'
       and f.withheld is null
       and r.submitted_at >= ${DAY_START(q.from)}
       and r.submitted_at < ${DAY_END(q.to)}
       ${area}
     where s.id = any(${sql.val([...q.unitIds])}::int[])
     group by s.id`.execute(db);
  const byId = new Map(rows.map((r) => [r.unitId, r]));
  return q.unitIds.flatMap((id) => {
    const r = byId.get(id);
    return r ? [r] : [];
  });
}
