import { formatDateVi } from '../../../analysis/local-time.ts';
import type { Db } from '../../platform/db/connect.ts';
import { replyKeyOf } from '../feedback/feedback-rules.ts';
import { type FollowUpRow, findFollowUp, insertHandlingRating } from './callback-repository.ts';

// The citizen's follow-up page (/theo-doi/{key}): the reply once given, and
// the one rating of how the feedback was handled (issue 18, part 4). The key
// is a one-time code (the citizen came through a receipt) or the personal
// link given with a callback; both are found through replyKeyOf(key).

const KEY = /^[A-Za-z0-9_-]{16,64}$/;

export interface FollowUp {
  answered: boolean;
  replyText: string | null;
  answeredText: string | null;
  /** Null: not rated yet. */
  satisfied: boolean | null;
}

const isAnswered = (r: FollowUpRow) =>
  (r.status === 'answered' || r.status === 'closed') && !r.withheld && r.publicAnswer !== null;

/** Praise has nothing to follow up (no handling, no reply): like no item at all. */
async function rowOf(db: Db, key: string): Promise<FollowUpRow | undefined> {
  const row = KEY.test(key) ? await findFollowUp(db, replyKeyOf(key)) : undefined;
  return row?.kind === 'item' ? row : undefined;
}

/** What the follow-up page shows; undefined when the key leads to no item. */
export async function followUpOf(db: Db, key: string): Promise<FollowUp | undefined> {
  const row = await rowOf(db, key);
  if (!row) return undefined;
  const answered = isAnswered(row);
  return {
    answered,
    // Only the reply and its day: never a note, a status history or a name.
    replyText: answered ? row.publicAnswer : null,
    answeredText: answered && row.answeredAt ? formatDateVi(row.answeredAt) : null,
    satisfied: row.satisfied,
  };
}

export type RateResult = 'rated' | 'already' | 'not_answered' | 'not_found';

/** Records the second rating once; a second post is told it was already given. */
export async function rateHandling(db: Db, key: string, satisfied: boolean): Promise<RateResult> {
  const row = await rowOf(db, key);
  if (!row) return 'not_found';
  if (row.satisfied !== null) return 'already';
  if (!isAnswered(row)) return 'not_answered';
  if (await insertHandlingRating(db, row.feedbackId, satisfied)) return 'rated';
  // Lost a race with another post of the same key, or the item was reopened meanwhile.
  return (await rowOf(db, key))?.satisfied != null ? 'already' : 'not_answered';
}
