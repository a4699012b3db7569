import type { Db } from '../../platform/db/connect.ts';

// The public reply a citizen reads at their one-time code's address
// (/t/{code}). The key is replyKeyOf(code) (feedback-rules.ts), written with
// the response in its own transaction; only the reply's text and day leave
// this file, never a note, a status history or a name.

export async function insertReplyKey(db: Db, keyHash: string, responseId: string): Promise<void> {
  await db.insertInto('feedback_reply_key').values({ key_hash: keyHash, response_id: responseId }).execute();
}

/** The published reply to the response a code admitted: once answered, while it counts. */
export async function findPublicReply(
  db: Db,
  keyHash: string,
): Promise<{ text: string; answeredAt: Date } | undefined> {
  const row = await db
    .selectFrom('feedback_reply_key as k')
    .innerJoin('feedback_item as f', 'f.response_id', 'k.response_id')
    .select(['f.public_answer as text', 'f.answered_at as answeredAt'])
    .where('k.key_hash', '=', keyHash)
    .where('f.status', 'in', ['answered', 'closed'])
    .where('f.withheld', 'is', null)
    .executeTakeFirst();
  return row?.text && row.answeredAt ? { text: row.text, answeredAt: row.answeredAt } : undefined;
}
