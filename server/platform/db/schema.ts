import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// Table types for Kysely. Migrations never import this file; it describes
// the schema that the migrations in /migrations produce.

type ReadOnly<T> = ColumnType<T, never, never>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface UnitTable {
  id: Generated<number>;
  code: string;
  name: string;
  kind: 'province' | 'commune' | 'centre' | 'other';
  parent_id: number | null;
  /** Set by a trigger: '/1/7/42/'. */
  path: ReadOnly<string>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface ServiceAreaTable {
  code: string;
  name_vi: string;
  name_en: string;
  sort_order: Generated<number>;
  active: Generated<boolean>;
}

export interface SurveyTable {
  id: Generated<number>;
  code: string;
  created_at: Generated<Date>;
}

export interface SurveyVersionTable {
  id: Generated<number>;
  survey_id: number;
  version: number;
  definition: ColumnType<unknown, string, never>;
  published_at: Generated<Date>;
  /** Null for the instruments shipped with the platform. */
  published_by: ColumnType<number | null, number | null | undefined, never>;
  /** Keys re-worded against the version before, recorded at publishing. */
  wording_changed_keys: ColumnType<string[], string[] | undefined, never>;
}

export interface SurveyAssignmentTable {
  id: Generated<number>;
  unit_id: number;
  /** Null: every service area of the unit's subtree. */
  service_area_code: string | null;
  survey_id: number;
  assigned_by: number | null;
  assigned_at: Generated<Date>;
}

export interface DeskTable {
  id: Generated<number>;
  unit_id: number;
  code: string;
  name: string;
  survey_id: number | null;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface DeskServiceAreaTable {
  desk_id: number;
  service_area_code: string;
}

export type Channel = 'qr' | 'kiosk' | 'paper' | 'link' | 'api';

export interface ResponseTable {
  /** bigint, returned by pg as a string */
  id: Generated<string>;
  submission_id: string;
  payload_hash: string;
  survey_version_id: number;
  unit_id: number;
  desk_id: number | null;
  service_area_code: string;
  channel: Channel;
  locale: Generated<'vi' | 'en'>;
  submitted_at: CreatedAt;
  suspect: Generated<boolean>;
  suspect_reason: string | null;
  /** Answered through a one-time transaction code. */
  verified: Generated<boolean>;
  /** Keyed hash of the client address (daily key), erased after a day; never the address. */
  client_key: string | null;
  /** Hash of the scale answers, for burst detection. */
  answer_pattern: string | null;
  /** An official's decision on a flagged response; the reasons stay in suspect_reason. */
  suspect_review: 'confirmed' | 'cleared' | null;
  suspect_reviewed_at: Date | null;
  /** Keyed hash of the render token the form came with, erased with client_key; never the token. */
  render_key: string | null;
}

export interface ApiKeyTable {
  id: Generated<number>;
  unit_id: number;
  role: 'official' | 'manager' | 'submit';
  /** The channels a submit key may post responses on. */
  channels: Generated<Channel[]>;
  label: string;
  key_prefix: string;
  key_hash: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export interface TransactionCodeTable {
  code_hash: string;
  desk_id: number;
  service_area_code: string;
  created_at: Generated<Date>;
  expires_at: Date;
  used: Generated<boolean>;
  /** Who issued the code: a staff account or an API key; null on codes issued before issuers were kept. */
  issued_by_user_id: ColumnType<number | null, number | null | undefined, never>;
  issued_by_key_id: ColumnType<number | null, number | null | undefined, never>;
  /** Keyed hash of the dossier reference (unique: one dossier, one code); never the reference. */
  dossier_hash: ColumnType<string | null, string | null | undefined, never>;
}

export interface AnswerTable {
  response_id: string;
  indicator_key: string;
  value_num: number | null;
  value_option: string | null;
  value_text: string | null;
}

/** A desk whose volume turned abnormal that day: reviewers see it (stuffing-service.ts). */
export interface DeskWatchTable {
  desk_id: number;
  day: string;
  /** Responses that arrived while the desk was under watch that day. */
  responses: number;
}

/** Server secrets that must outlive a restart (the form secret when FORM_SECRET is unset). */
export interface AppSecretTable {
  name: string;
  secret: Buffer;
  created_at: Generated<Date>;
}

export type Role = 'admin' | 'official' | 'manager' | 'staff';

export interface AppUserTable {
  id: Generated<number>;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  unit_id: number | null;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface UserSessionTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface SignInAttemptTable {
  id: Generated<string>;
  email: string;
  client_key: string;
  /** null: reserved and being checked (counts as a failure until settled). */
  succeeded: boolean | null;
  purpose: Generated<'sign_in' | 'password_change'>;
  at: Generated<Date>;
}

export interface AuditEventTable {
  id: Generated<string>;
  at: Generated<Date>;
  actor_user_id: number | null;
  actor_key_id: number | null;
  actor_label: string | null;
  unit_id: number | null;
  action: string;
  detail: ColumnType<unknown, string | undefined, never>;
}

export type TargetMetric =
  | 'satisfaction_rate'
  | 'factor_rate'
  | 'on_time_rate'
  | 'early_rate'
  | 'late_rate'
  | 'feedback_handled_rate'
  | 'feedback_on_time_rate'
  | 'training_rate';
export type TargetComparison = 'gte' | 'gt' | 'lte' | 'lt';

export interface PlanTargetTable {
  id: Generated<number>;
  unit_id: number;
  /** Null: every service area. */
  service_area_code: string | null;
  metric: TargetMetric;
  factor_key: string | null;
  comparison: TargetComparison;
  /** numeric(7,6), a proportion 0..1; pg returns it as a string. */
  threshold: ColumnType<string, string, string>;
  /** date columns: select them with to_char, pg would make a local-midnight Date. */
  valid_from: ColumnType<string, string, string>;
  valid_to: ColumnType<string, string, string>;
  source_plan: string;
  source_clause: string | null;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_by: number | null;
  updated_at: Generated<Date>;
}

export type FeedbackStatus = 'new' | 'in_progress' | 'answered' | 'closed';

export interface FeedbackSettingTable {
  only_row: Generated<boolean>;
  due_working_days: Generated<number>;
}

/** Opened by a trigger on answer: a comment or an overall score of 1–2. */
export interface FeedbackItemTable {
  id: Generated<number>;
  response_id: string;
  unit_id: number;
  desk_id: number | null;
  service_area_code: string;
  reason: 'comment' | 'low_score' | 'both';
  status: Generated<FeedbackStatus>;
  due_at: Date;
  internal_note: string | null;
  public_answer: string | null;
  answered_at: Date | null;
  closed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Set by triggers while the response is suspect (migration 2026-12-05T0300): out of the inbox and figures. */
  withheld: FeedbackWithheld | null;
}

export type FeedbackWithheld = 'under_review' | 'not_counted';

export interface FeedbackEventTable {
  id: Generated<string>;
  feedback_id: number;
  actor_user_id: number | null;
  at: Generated<Date>;
  from_status: FeedbackStatus;
  to_status: FeedbackStatus;
  note: string | null;
  public_answer_changed: Generated<boolean>;
}

/**
 * Daily counts kept by triggers (migrations/2026-11-22T0600_daily-aggregates.ts)
 * and rebuilt from raw rows by `rebuild-aggregates`. Written only by the
 * database: never inserted into by the application.
 */
export interface AnswerDailyTable {
  /** Local date in Asia/Ho_Chi_Minh; select it with to_char (pg makes a local-midnight Date). */
  day: ColumnType<string, never, never>;
  unit_id: ReadOnly<number>;
  /** 0 when the response came without a desk. */
  desk_id: ReadOnly<number>;
  service_area_code: ReadOnly<string>;
  channel: ReadOnly<Channel>;
  suspect: ReadOnly<boolean>;
  survey_version_id: ReadOnly<number>;
  indicator_key: ReadOnly<string>;
  /** '1'..'5', 'na', a choice option code, or '_text' for a free-text answer. */
  value: ReadOnly<string>;
  n: ReadOnly<number>;
}

export interface ResponseDailyTable {
  day: ColumnType<string, never, never>;
  unit_id: ReadOnly<number>;
  desk_id: ReadOnly<number>;
  service_area_code: ReadOnly<string>;
  channel: ReadOnly<Channel>;
  suspect: ReadOnly<boolean>;
  n: ReadOnly<number>;
}

/**
 * Monthly counts kept by triggers beside the daily ones
 * (migrations/2026-11-22T0800_monthly-aggregates.ts): scale answers only, the
 * five values as columns. Written only by the database.
 */
export interface ScaleMonthlyTable {
  unit_id: ReadOnly<number>;
  /** First day of the local month (Asia/Ho_Chi_Minh); select it with to_char. */
  month: ColumnType<string, never, never>;
  service_area_code: ReadOnly<string>;
  suspect: ReadOnly<boolean>;
  survey_version_id: ReadOnly<number>;
  indicator_key: ReadOnly<string>;
  n1: ReadOnly<number>;
  n2: ReadOnly<number>;
  n3: ReadOnly<number>;
  n4: ReadOnly<number>;
  n5: ReadOnly<number>;
}

export interface ResponseMonthlyTable {
  unit_id: ReadOnly<number>;
  month: ColumnType<string, never, never>;
  service_area_code: ReadOnly<string>;
  channel: ReadOnly<Channel>;
  suspect: ReadOnly<boolean>;
  n: ReadOnly<number>;
}

/** A view: the scale items of each published survey version. */
export interface SurveyScaleItemView {
  survey_version_id: ReadOnly<number>;
  indicator_key: ReadOnly<string>;
  /** Null for the overall item. */
  factor: ReadOnly<string | null>;
}

export interface Database {
  unit: UnitTable;
  service_area: ServiceAreaTable;
  survey: SurveyTable;
  survey_version: SurveyVersionTable;
  survey_assignment: SurveyAssignmentTable;
  desk: DeskTable;
  desk_service_area: DeskServiceAreaTable;
  response: ResponseTable;
  answer: AnswerTable;
  api_key: ApiKeyTable;
  desk_watch: DeskWatchTable;
  app_secret: AppSecretTable;
  transaction_code: TransactionCodeTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  sign_in_attempt: SignInAttemptTable;
  audit_event: AuditEventTable;
  plan_target: PlanTargetTable;
  feedback_setting: FeedbackSettingTable;
  feedback_item: FeedbackItemTable;
  feedback_event: FeedbackEventTable;
  answer_daily: AnswerDailyTable;
  response_daily: ResponseDailyTable;
  scale_monthly: ScaleMonthlyTable;
  response_monthly: ResponseMonthlyTable;
  survey_scale_item: SurveyScaleItemView;
}

export type Unit = Selectable<UnitTable>;
export type NewUnit = Insertable<UnitTable>;
export type Desk = Selectable<DeskTable>;
export type NewDesk = Insertable<DeskTable>;
export type ServiceArea = Selectable<ServiceAreaTable>;
export type NewAnswer = Insertable<AnswerTable>;
