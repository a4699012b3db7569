import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { z } from 'zod';
import type { TargetMetricSchema } from '../../../analysis/report-types.ts';
import type {
  AnswerDailyTable,
  ReadOnly,
  ResponseDailyTable,
  ResponseMonthlyTable,
  ScaleMonthlyTable,
  SurveyScaleItemView,
} from './schema-aggregates.ts';
import type { CallbackTables } from './schema-callbacks.ts';
import type { NotificationTables } from './schema-notifications.ts';
import type {
  AnswerTable,
  Channel,
  DeskWatchTable,
  FeedbackEventTable,
  FeedbackItemTable,
  FeedbackReplyKeyTable,
  FeedbackSettingTable,
  ResponseTable,
  RoundFormTable,
  SubmissionTable,
  SurveyRoundQuotaTable,
  SurveyRoundTable,
  TransactionCodeTable,
} from './schema-responses.ts';
import type { ThrottleTables } from './schema-throttles.ts';
import type { UnitEventTable, UnitLineageTable, UnitPublicationTable } from './schema-units.ts';

// Table types for Kysely. Migrations never import this file; it describes
// the schema that the migrations in /migrations produce. The tables of
// responses, answers and their follow-up (feedback) are in
// schema-responses.ts, the aggregates kept by triggers in
// schema-aggregates.ts; everything is imported from here.

export type * from './schema-aggregates.ts';
export type * from './schema-notifications.ts';
export type * from './schema-responses.ts';
export type * from './schema-units.ts';

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
  /** Seconds a paired tablet shows its thanks before the idle screen again. */
  kiosk_idle_seconds: Generated<number>;
  /** A desk retired at a reorganisation: its old posters lead to this desk (issue 17). */
  replaced_by: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface DeskServiceAreaTable {
  desk_id: number;
  service_area_code: string;
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
  last_sign_in_at: Date | null;
}

/** One-time links to set a password (a new account, or a reset); only the token's hash is kept. */
export interface PasswordLinkTable {
  token_hash: string;
  user_id: number;
  purpose: 'create' | 'reset';
  created_by: number | null;
  created_at: Generated<Date>;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
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

export type TargetMetric = z.infer<typeof TargetMetricSchema>;
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

/** What a unit's written reports carry (NĐ 30/2020); null: the default. */
export interface UnitReportSettingTable {
  unit_id: number;
  issuer_name: string | null;
  parent_name: string | null;
  place_name: string | null;
  abbreviation: string | null;
  recipients: string | null;
  signer_capacity: string | null;
  signer_name: string | null;
  distribution: string | null;
  updated_by: number | null;
  updated_at: Generated<Date>;
}

/** Dossier counts of a unit × service area × month (Biểu II.06a/VPCP/KSTT columns). */
export interface DossierVolumeTable {
  unit_id: number;
  service_area_code: string;
  /** The month's first day; select it with to_char. */
  month: ColumnType<string, string, string>;
  received_online: number;
  received_direct: number;
  carried_over: number;
  resolved_early: number;
  resolved_on_time: number;
  resolved_late: number;
  pending_on_time: number;
  pending_overdue: number;
  dissatisfied_or_complained: number | null;
  complaints: number | null;
  complaints_on_time: number | null;
  updated_at: Generated<Date>;
}

/** An uploaded volume file awaiting its owner's confirmation (an hour at most). */
export interface VolumeUploadTable {
  id: Generated<string>;
  user_id: number;
  file_name: string;
  /** VolumeBatch[] as read from the file (volume-service.ts). */
  batches: ColumnType<unknown, string, never>;
  created_at: Generated<Date>;
}

/** A counter tablet paired to a desk; the credential itself is never stored. */
export interface KioskDeviceTable {
  id: Generated<number>;
  desk_id: number;
  token_hash: string;
  paired_at: Generated<Date>;
  paired_by_user_id: number | null;
  paired_by_key_id: number | null;
  last_seen_at: Date | null;
  /** Answers waiting on the tablet, as it reported at its last contact. */
  queued: Generated<number>;
  /** When the last response the tablet sent was answered (device time, checked): for the kiosk_rapid rule. */
  last_answered_at: Date | null;
  revoked_at: Date | null;
  revoked_by_user_id: number | null;
  revoked_by_key_id: number | null;
}

/** A code shown on the desk page that pairs one tablet within ten minutes; only its hash is kept. */
export interface KioskPairingTable {
  id: Generated<number>;
  desk_id: number;
  code_hash: string;
  created_at: Generated<Date>;
  expires_at: Date;
  created_by_user_id: number | null;
  created_by_key_id: number | null;
  used_at: Date | null;
  device_id: number | null;
}

/** An invitation to rate one transaction at a desk's tablet: used at most once. */
export interface KioskInvitationTable {
  /** bigint, returned by pg as a string */
  id: Generated<string>;
  desk_id: number;
  service_area_code: string;
  created_at: Generated<Date>;
  expires_at: Date;
  created_by_user_id: number | null;
  created_by_key_id: number | null;
  used_at: Date | null;
  used_by_device_id: number | null;
}

export interface Database extends CallbackTables, NotificationTables, ThrottleTables {
  unit: UnitTable;
  service_area: ServiceAreaTable;
  survey: SurveyTable;
  survey_version: SurveyVersionTable;
  survey_assignment: SurveyAssignmentTable;
  desk: DeskTable;
  desk_service_area: DeskServiceAreaTable;
  response: ResponseTable;
  answer: AnswerTable;
  submission: SubmissionTable;
  api_key: ApiKeyTable;
  desk_watch: DeskWatchTable;
  app_secret: AppSecretTable;
  transaction_code: TransactionCodeTable;
  app_user: AppUserTable;
  password_link: PasswordLinkTable;
  user_session: UserSessionTable;
  sign_in_attempt: SignInAttemptTable;
  audit_event: AuditEventTable;
  plan_target: PlanTargetTable;
  unit_report_setting: UnitReportSettingTable;
  unit_publication: UnitPublicationTable;
  dossier_volume: DossierVolumeTable;
  kiosk_device: KioskDeviceTable;
  kiosk_pairing: KioskPairingTable;
  kiosk_invitation: KioskInvitationTable;
  unit_event: UnitEventTable;
  unit_lineage: UnitLineageTable;
  survey_round: SurveyRoundTable;
  survey_round_quota: SurveyRoundQuotaTable;
  round_form: RoundFormTable;
  volume_upload: VolumeUploadTable;
  feedback_setting: FeedbackSettingTable;
  feedback_item: FeedbackItemTable;
  feedback_event: FeedbackEventTable;
  feedback_reply_key: FeedbackReplyKeyTable;
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
