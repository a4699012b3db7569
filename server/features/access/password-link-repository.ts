import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// One-time links to set a password. The token itself is never stored, only
// its hash; a link is usable while it is unused, not revoked and not expired.

export type LinkPurpose = 'create' | 'reset';

export async function insertPasswordLink(
  db: Db,
  l: { tokenHash: string; userId: number; purpose: LinkPurpose; createdBy: number | null; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('password_link')
    .values({
      token_hash: l.tokenHash,
      user_id: l.userId,
      purpose: l.purpose,
      created_by: l.createdBy,
      expires_at: l.expiresAt,
    })
    .execute();
}

/** Voids a user's links still open: a newer link supersedes them, a disabled account has none. */
export async function revokeOpenLinks(db: Db, userId: number): Promise<void> {
  await db
    .updateTable('password_link')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The user a usable link is for, without using it (the form's GET). */
export async function findUsableLink(db: Db, tokenHash: string): Promise<{ userId: number } | undefined> {
  return db
    .selectFrom('password_link as l')
    .innerJoin('app_user as a', 'a.id', 'l.user_id')
    .select('l.user_id as userId')
    .where('l.token_hash', '=', tokenHash)
    .where('l.used_at', 'is', null)
    .where('l.revoked_at', 'is', null)
    .where('l.expires_at', '>', sql<Date>`now()`)
    .where('a.active', '=', true)
    .executeTakeFirst();
}

/**
 * Uses a link up: one statement, so two posts of the same link cannot both
 * succeed. Undefined when it is unknown, used, revoked, expired, or its
 * account is disabled.
 */
export async function useLink(db: Db, tokenHash: string): Promise<{ userId: number } | undefined> {
  return db
    .updateTable('password_link as l')
    .set({ used_at: sql`now()` })
    .from('app_user as a')
    .whereRef('a.id', '=', 'l.user_id')
    .where('l.token_hash', '=', tokenHash)
    .where('l.used_at', 'is', null)
    .where('l.revoked_at', 'is', null)
    .where('l.expires_at', '>', sql<Date>`now()`)
    .where('a.active', '=', true)
    .returning('l.user_id as userId')
    .executeTakeFirst();
}
