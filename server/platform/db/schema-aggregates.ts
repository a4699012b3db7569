import type { ColumnType } from 'kysely';
import type { Channel } from './schema-responses.ts';

// The counts kept by triggers (daily and monthly) and the view of scale
// items they are read with. Imported through schema.ts.

/** A column only the database writes. */
export type ReadOnly<T> = ColumnType<T, never, never>;

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
