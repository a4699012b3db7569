import type { ColumnType, Generated } from 'kysely';

// Responses, their answers and what follows them (one-time transaction codes,
// desks under watch, feedback). Imported through schema.ts.

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

/** `qr`: the desk's poster; `code`: a one-time code from the receipt (verified); the rest: machine clients. */
export type Channel = 'qr' | 'code' | 'kiosk' | 'paper' | 'link' | 'api';

/**
 * Partitioned by month of submitted_at in Vietnam's calendar (migration
 * 2026-12-05T2340): the key is (id, submitted_at); `submission` keeps
 * submission ids unique and hands out the ids.
 */
export interface ResponseTable {
  /** bigint, returned by pg as a string; given by `submission` (a trigger fills it when left out). */
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
  /** The counter tablet a kiosk response came from (issue 15). */
  kiosk_device_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** The survey round a paper response was entered for (issue 16). */
  round_id: ColumnType<number | null, number | null | undefined, number | null>;
}

/** One row per stored response: its submission id, unique across the monthly partitions (idempotency). */
export interface SubmissionTable {
  submission_id: string;
  /** bigint, returned by pg as a string: response.id */
  response_id: Generated<string>;
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

/** Partitioned like response, on the response's own submitted_at (the two are the key of the reference). */
export interface AnswerTable {
  response_id: string;
  submitted_at: Date;
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

export type FeedbackStatus = 'new' | 'in_progress' | 'answered' | 'closed';

export interface FeedbackSettingTable {
  only_row: Generated<boolean>;
  due_working_days: Generated<number>;
}

/**
 * Opened by a trigger on answer (the triage of migration 2026-12-05T1200):
 * an item to handle, or praise with no deadline.
 */
export interface FeedbackItemTable {
  id: Generated<number>;
  response_id: string;
  unit_id: number;
  desk_id: number | null;
  service_area_code: string;
  reason: 'comment' | 'low_score' | 'both';
  kind: Generated<FeedbackKind>;
  status: Generated<FeedbackStatus>;
  /** Null exactly for praise. */
  due_at: Date | null;
  internal_note: string | null;
  public_answer: string | null;
  answered_at: Date | null;
  closed_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Set by triggers while the response is suspect (migration 2026-12-05T0300): out of the inbox and figures. */
  withheld: FeedbackWithheld | null;
  /** A manager of the item's unit or above who is to handle it. */
  assignee_user_id: number | null;
  assigned_at: Date | null;
  /** Staff read the citizen's comment and let the public page show it beside the reply. */
  comment_publishable: Generated<boolean>;
}

export type FeedbackKind = 'item' | 'praise';

/** Hash of a one-time code under its own prefix → the response it admitted: the citizen reads the reply. */
export interface FeedbackReplyKeyTable {
  key_hash: string;
  response_id: string;
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

/** A sampled survey of a unit and its subtree over a fieldwork period (issue 16). */
export interface SurveyRoundTable {
  id: Generated<number>;
  unit_id: number;
  code: string;
  survey_version_id: number;
  /** date; read with to_char, written as 'yyyy-mm-dd' */
  fieldwork_from: ColumnType<Date, string, string>;
  fieldwork_to: ColumnType<Date, string, string>;
  /** The period whose resolved dossiers gave N; null when N was typed. */
  reference_from: ColumnType<Date | null, string | null, string | null>;
  reference_to: ColumnType<Date | null, string | null, string | null>;
  population: number;
  population_source: 'volumes' | 'typed';
  /** numeric, returned by pg as a string */
  margin: ColumnType<string, string, string>;
  allocation: 'proportional' | 'equal';
  created_by: number | null;
  created_at: Generated<Date>;
}

/** How many responses a round plans for one service area. */
export interface SurveyRoundQuotaTable {
  round_id: number;
  service_area_code: string;
  quota: number;
}

/** A numbered paper form of a round and its two entries (issue 16). */
export interface RoundFormTable {
  round_id: number;
  serial: number;
  /** 'first': entered once; 'disagree': two entries differ; 'counted': its response is stored. */
  status: 'first' | 'disagree' | 'counted';
  source: Generated<'entry' | 'import' | 'api'>;
  /** What the clerk typed (round-form-rules.ts FormEntry), as JSON. */
  first_entry: ColumnType<unknown, string, string>;
  first_by: number | null;
  first_at: Generated<Date>;
  second_entry: ColumnType<unknown, string | null | undefined, string | null>;
  second_by: number | null;
  second_at: Date | null;
  /** The reconciler's reading of a form whose entries disagreed. */
  final_entry: ColumnType<unknown, string | null | undefined, string | null>;
  reconciled_by: number | null;
  reconciled_at: Date | null;
  response_id: string | null;
}
