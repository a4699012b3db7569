import type { Db } from '../../platform/db/connect.ts';

export interface SessionRecord {
  userId: number;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function insertSession(
  db: Db,
  s: { tokenHash: string; userId: number; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('user_session')
    .values({ token_hash: s.tokenHash, user_id: s.userId, csrf_token: s.csrfToken, expires_at: s.expiresAt })
    .execute();
}

/** A session that is not revoked; the caller judges the timeouts. */
export async function findSession(db: Db, tokenHash: string): Promise<SessionRecord | undefined> {
  return db
    .selectFrom('user_session')
    .select([
      'user_id as userId',
      'csrf_token as csrfToken',
      'created_at as createdAt',
      'last_seen_at as lastSeenAt',
      'expires_at as expiresAt',
    ])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('user_session').set({ last_seen_at: new Date() }).where('token_hash', '=', tokenHash).execute();
}

export async function revokeSession(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('user_session').set({ revoked_at: new Date() }).where('token_hash', '=', tokenHash).execute();
}

/** Every other session of a user, e.g. after a password change. */
export async function revokeOtherSessions(db: Db, userId: number, keepTokenHash: string): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('token_hash', '!=', keepTokenHash)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Every session of a user: the account was disabled or its password reset. */
export async function revokeUserSessions(db: Db, userId: number): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
