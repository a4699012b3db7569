import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Uploaded volume files between preview and confirmation (volume_upload).
// A read ignores what is older than the lifetime; a delete names the owner.
// Who else may look at an upload is the service's decision.

/** How long an upload waits for its confirmation. */
export const UPLOAD_LIFETIME = '1 hour';

export interface StoredUpload {
  id: string;
  userId: number;
  fileName: string;
  /** As the service gave them to insertUpload (VolumeBatch[]). */
  batches: unknown;
  createdAt: Date;
}

export async function insertUpload(db: Db, u: { userId: number; fileName: string; batches: unknown }): Promise<string> {
  const row = await db
    .insertInto('volume_upload')
    .values({ user_id: u.userId, file_name: u.fileName, batches: JSON.stringify(u.batches) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The upload if it is still waiting; the caller has checked `id` is a uuid. */
export async function findUpload(db: Db, id: string): Promise<StoredUpload | undefined> {
  const row = await db
    .selectFrom('volume_upload')
    .select(['id', 'user_id as userId', 'file_name as fileName', 'batches', 'created_at as createdAt'])
    .where('id', '=', id)
    .where('created_at', '>', sql<Date>`now() - ${UPLOAD_LIFETIME}::interval`)
    .executeTakeFirst();
  return row;
}

export async function deleteUpload(db: Db, id: string, userId: number): Promise<boolean> {
  const r = await db.deleteFrom('volume_upload').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

/** Forgets uploads nobody confirmed in time (called as a new one comes in). */
export async function sweepUploads(db: Db): Promise<void> {
  await db
    .deleteFrom('volume_upload')
    .where('created_at', '<=', sql<Date>`now() - ${UPLOAD_LIFETIME}::interval`)
    .execute();
}
