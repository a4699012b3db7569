import type { ColumnType, Generated } from 'kysely';

// Callbacks after a low score and the second rating of the handling (issue
// 18, part 4; migration 2026-12-05T2320). Database (schema.ts) extends
// CallbackTables; the callbacks feature imports its types from here.

export type ContactKind = 'phone' | 'email';

/**
 * A contact a citizen chose to leave for a callback, one per item. Kept
 * apart from answers and items: no report, export, API or webhook reads it.
 */
export interface FeedbackCallbackTable {
  feedback_id: number;
  contact_kind: ContactKind;
  contact: string;
  created_at: Generated<Date>;
  called_back_at: Date | null;
  called_back_by: number | null;
  /** Set by a trigger when the item closes: 30 days later the row is purged. */
  delete_after: ColumnType<Date | null, never, never>;
}

/** The citizen's one rating of how their feedback was handled; the day only. */
export interface FeedbackHandlingRatingTable {
  feedback_id: number;
  satisfied: boolean;
  /** A date column: pg reads it as midnight of that day in the process's zone. */
  rated_on: ColumnType<Date, never, never>;
}

export interface CallbackTables {
  feedback_callback: FeedbackCallbackTable;
  feedback_handling_rating: FeedbackHandlingRatingTable;
}
