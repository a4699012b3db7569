import { type Expression, type SqlBool, sql } from 'kysely';
import { type SurveyDefinition, SurveyDefinitionSchema } from '../../../surveys/schema.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { FeedbackItemTable, FeedbackStatus, FeedbackWithheld } from '../../platform/db/schema.ts';

// Feedback items (opened by the answer trigger of migration 0510), their
// history, and the figures of an inbox. Comments are read from answer.
// Items of suspect responses are withheld by triggers (migration
// 2026-12-05T0300): the inbox and its figures count only `withheld is null`.

export interface FeedbackRow {
  id: number;
  status: FeedbackStatus;
  reason: FeedbackItemTable['reason'];
  withheld: FeedbackWithheld | null;
  dueAt: Date;
  answeredAt: Date | null;
  submittedAt: Date;
  unitName: string;
  deskName: string | null;
  serviceAreaName: string;
  comment: string | null;
  overall: number | null;
}

/** 'withheld' lists the items of suspect responses, which every other filter leaves out. */
export type StatusFilter = 'all' | 'open' | 'withheld' | FeedbackStatus;

const HANDLED = ['answered', 'closed'] as const;

function selectItems(db: Db) {
  return db
    .selectFrom('feedback_item as f')
    .innerJoin('response as r', 'r.id', 'f.response_id')
    .innerJoin('unit as u', 'u.id', 'f.unit_id')
    .innerJoin('service_area as a', 'a.code', 'f.service_area_code')
    .leftJoin('desk as d', 'd.id', 'f.desk_id')
    .leftJoin('answer as c', (j) =>
      j.onRef('c.response_id', '=', 'f.response_id').on('c.indicator_key', '=', 'comment'),
    )
    .leftJoin('answer as o', (j) =>
      j.onRef('o.response_id', '=', 'f.response_id').on('o.indicator_key', '=', 'overall'),
    );
}

/** Items of the subtree under `scopePath`, most urgent first. */
export async function listFeedback(
  db: Db,
  q: { scopePath: string; status: StatusFilter; overdueOnly: boolean; now: Date; limit: number },
): Promise<FeedbackRow[]> {
  let query = selectItems(db)
    .select([
      'f.id',
      'f.status',
      'f.reason',
      'f.withheld',
      'f.due_at as dueAt',
      'f.answered_at as answeredAt',
      'r.submitted_at as submittedAt',
      'u.name as unitName',
      'd.name as deskName',
      'a.name_vi as serviceAreaName',
      'c.value_text as comment',
      'o.value_num as overall',
    ])
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('f.withheld', q.status === 'withheld' ? 'is not' : 'is', null);
  if (q.status === 'open') query = query.where('f.status', 'not in', HANDLED);
  else if (q.status !== 'all' && q.status !== 'withheld') query = query.where('f.status', '=', q.status);
  if (q.overdueOnly) query = query.where('f.status', 'not in', HANDLED).where('f.due_at', '<', q.now);
  return query
    .orderBy(sql`f.status in ('answered', 'closed')`)
    .orderBy('f.due_at')
    .orderBy('f.id')
    .limit(q.limit)
    .execute();
}

export async function feedbackCounts(db: Db, scopePath: string, now: Date) {
  const handled: Expression<SqlBool> = sql<boolean>`f.status in ('answered', 'closed')`;
  const row = await db
    .selectFrom('feedback_item as f')
    .innerJoin('unit as u', 'u.id', 'f.unit_id')
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where ${handled}))::int`.as('handled'),
      sql<number>`(count(*) filter (where ${handled} and f.answered_at <= f.due_at))::int`.as('handledOnTime'),
      sql<number>`(count(*) filter (where not ${handled} and f.due_at < ${now}))::int`.as('overdue'),
    ])
    .where('u.path', 'like', `${scopePath}%`)
    .where('f.withheld', 'is', null)
    .executeTakeFirstOrThrow();
  return row;
}

export interface FeedbackDetail extends FeedbackRow {
  responseId: string;
  unitId: number;
  /** Materialised path of the item's unit, for scope checks with canReach(). */
  unitPath: string;
  internalNote: string | null;
  publicAnswer: string | null;
  closedAt: Date | null;
  createdAt: Date;
  surveyVersionId: number;
}

/** An item by id; the caller checks the actor's scope. */
export async function findFeedback(db: Db, id: number): Promise<FeedbackDetail | undefined> {
  return selectItems(db)
    .select([
      'f.id',
      'f.status',
      'f.reason',
      'f.withheld',
      'f.due_at as dueAt',
      'f.answered_at as answeredAt',
      'f.closed_at as closedAt',
      'f.created_at as createdAt',
      'f.internal_note as internalNote',
      'f.public_answer as publicAnswer',
      'f.response_id as responseId',
      'f.unit_id as unitId',
      'u.path as unitPath',
      'r.submitted_at as submittedAt',
      'r.survey_version_id as surveyVersionId',
      'u.name as unitName',
      'd.name as deskName',
      'a.name_vi as serviceAreaName',
      'c.value_text as comment',
      'o.value_num as overall',
    ])
    .where('f.id', '=', id)
    .executeTakeFirst();
}

/** The item's state, locked until the transaction ends, so two editors cannot overwrite each other. */
export async function lockFeedback(db: Db, id: number) {
  return db
    .selectFrom('feedback_item')
    .select([
      'status',
      'withheld',
      'internal_note as internalNote',
      'public_answer as publicAnswer',
      'answered_at as answeredAt',
      'closed_at as closedAt',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateFeedback(
  db: Db,
  id: number,
  s: {
    status: FeedbackStatus;
    internalNote: string | null;
    publicAnswer: string | null;
    answeredAt: Date | null;
    closedAt: Date | null;
  },
): Promise<void> {
  await db
    .updateTable('feedback_item')
    .set({
      status: s.status,
      internal_note: s.internalNote,
      public_answer: s.publicAnswer,
      answered_at: s.answeredAt,
      closed_at: s.closedAt,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function insertFeedbackEvent(
  db: Db,
  e: {
    feedbackId: number;
    actorUserId: number | null;
    fromStatus: FeedbackStatus;
    toStatus: FeedbackStatus;
    note: string | null;
    publicAnswerChanged: boolean;
  },
): Promise<void> {
  await db
    .insertInto('feedback_event')
    .values({
      feedback_id: e.feedbackId,
      actor_user_id: e.actorUserId,
      from_status: e.fromStatus,
      to_status: e.toStatus,
      note: e.note,
      public_answer_changed: e.publicAnswerChanged,
    })
    .execute();
}

export async function listFeedbackEvents(db: Db, feedbackId: number) {
  return db
    .selectFrom('feedback_event as e')
    .leftJoin('app_user as a', 'a.id', 'e.actor_user_id')
    .select([
      'e.at',
      'e.from_status as fromStatus',
      'e.to_status as toStatus',
      'e.note',
      'e.public_answer_changed as publicAnswerChanged',
      'a.name as actorName',
      'a.email as actorEmail',
    ])
    .where('e.feedback_id', '=', feedbackId)
    .orderBy('e.id')
    .execute();
}

export async function listResponseAnswers(db: Db, responseId: string) {
  return db
    .selectFrom('answer')
    .select(['indicator_key as key', 'value_num as valueNum', 'value_option as valueOption', 'value_text as valueText'])
    .where('response_id', '=', responseId)
    .execute();
}

/** The definition a response was answered against (versions never change). */
export async function surveyDefinitionOf(db: Db, versionId: number): Promise<SurveyDefinition> {
  const row = await db
    .selectFrom('survey_version')
    .select('definition')
    .where('id', '=', versionId)
    .executeTakeFirstOrThrow();
  return SurveyDefinitionSchema.parse(row.definition);
}

/** Working days an item has before it is overdue (feedback_setting). */
export async function dueWorkingDays(db: Db): Promise<number> {
  const row = await db.selectFrom('feedback_setting').select('due_working_days').executeTakeFirstOrThrow();
  return row.due_working_days;
}
