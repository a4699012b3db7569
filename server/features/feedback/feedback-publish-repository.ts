import type { Db } from '../../platform/db/connect.ts';

// Whether staff let the public results page show a citizen's comment beside
// the reply (feedback_item.comment_publishable, migration 2026-12-05T2100).

export async function commentPublishableOf(db: Db, id: number): Promise<boolean> {
  const row = await db
    .selectFrom('feedback_item')
    .select('comment_publishable')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.comment_publishable ?? false;
}

export async function setCommentPublishable(db: Db, id: number, value: boolean): Promise<void> {
  await db.updateTable('feedback_item').set({ comment_publishable: value }).where('id', '=', id).execute();
}
