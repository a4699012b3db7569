import { type Expression, type SqlBool, sql } from 'kysely';
import { type SurveyDefinition, SurveyDefinitionSchema } from '../../../surveys/schema.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { FeedbackItemTable, FeedbackKind, FeedbackStatus, FeedbackWithheld } from '../../platform/db/schema.ts';

// Feedback items (opened by the answer trigger of migrations 0510 and
// 2026-12-05T1200), their history, assignment and conversion, and the work
// figures of an inbox. Comments are read from answer.
// Items of suspect responses are withheld by triggers (migration
// 2026-12-05T0300): the inbox and its figures count only `withheld is null`.

export interface FeedbackRow {
  id: number;
  kind: FeedbackKind;
  status: FeedbackStatus;
  reason: FeedbackItemTable['reason'];
  withheld: FeedbackWithheld | null;
  /** Null for praise. */
  dueAt: Date | null;
  answeredAt: Date | null;
  assigneeUserId: number | null;
  assigneeName: string | null;
  submittedAt: Date;
  unitName: string;
  deskName: string | null;
  serviceAreaName: string;
  comment: string | null;
  overall: number | null;
}

/** Items with what the inbox shows of them; the inbox's filters: feedback-inbox-repository.ts. */
export function selectItems(db: Db) {
  return db
    .selectFrom('feedback_item as f')
    .innerJoin('response as r', 'r.id', 'f.response_id')
    .innerJoin('unit as u', 'u.id', 'f.unit_id')
    .innerJoin('service_area as a', 'a.code', 'f.service_area_code')
    .leftJoin('desk as d', 'd.id', 'f.desk_id')
    .leftJoin('app_user as p', 'p.id', 'f.assignee_user_id')
    .leftJoin('answer as c', (j) =>
      j.onRef('c.response_id', '=', 'f.response_id').on('c.indicator_key', '=', 'comment'),
    )
    .leftJoin('answer as o', (j) =>
      j.onRef('o.response_id', '=', 'f.response_id').on('o.indicator_key', '=', 'overall'),
    );
}

/** The work figures of a subtree: items only (praise is not work), suspect responses' left out. */
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
    .where('f.kind', '=', 'item')
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
      'f.kind',
      'f.status',
      'f.reason',
      'f.withheld',
      'f.due_at as dueAt',
      'f.answered_at as answeredAt',
      'f.assignee_user_id as assigneeUserId',
      'p.name as assigneeName',
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
      'kind',
      'status',
      'withheld',
      'internal_note as internalNote',
      'public_answer as publicAnswer',
      'answered_at as answeredAt',
      'closed_at as closedAt',
      'assignee_user_id as assigneeUserId',
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

/** Gives an item to a manager (or to nobody). */
export async function setAssignee(db: Db, id: number, userId: number | null): Promise<void> {
  await db
    .updateTable('feedback_item')
    .set({ assignee_user_id: userId, assigned_at: userId === null ? null : sql`now()`, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Praise becomes an item, due the configured working days from now. */
export async function praiseToItem(db: Db, id: number): Promise<void> {
  await db
    .updateTable('feedback_item')
    .set({
      kind: 'item',
      due_at: sql`feedback_add_working_days(now(), (select due_working_days from feedback_setting))`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('kind', '=', 'praise')
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
