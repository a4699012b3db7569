import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { MailTopic } from '../../platform/db/schema.ts';

// What each staff member chose to receive. No row: the topic is on.

export interface Recipient {
  userId: number;
  email: string;
  name: string;
}

/** Of the given users, the active ones who did not turn `topic` off. */
export async function recipientsAmong(db: Db, topic: MailTopic, userIds: readonly number[]): Promise<Recipient[]> {
  if (!userIds.length) return [];
  return db
    .selectFrom('app_user as u')
    .leftJoin('user_mail_preference as p', (j) => j.onRef('p.user_id', '=', 'u.id').on('p.topic', '=', topic))
    .select(['u.id as userId', 'u.email', 'u.name'])
    .where('u.id', 'in', userIds)
    .where('u.active', '=', true)
    .where(sql<boolean>`coalesce(p.enabled, true)`)
    .orderBy('u.id')
    .execute();
}

/** The user's choices, every topic present (default on). */
export async function preferencesOf(db: Db, userId: number): Promise<Record<MailTopic, boolean>> {
  const rows = await db
    .selectFrom('user_mail_preference')
    .select(['topic', 'enabled'])
    .where('user_id', '=', userId)
    .execute();
  const prefs: Record<MailTopic, boolean> = {
    low_score: true,
    feedback_due: true,
    weekly_summary: true,
    webhook_paused: true,
  };
  for (const r of rows) prefs[r.topic] = r.enabled;
  return prefs;
}

export async function savePreferences(db: Db, userId: number, choices: Partial<Record<MailTopic, boolean>>) {
  const rows = Object.entries(choices).map(([topic, enabled]) => ({
    user_id: userId,
    topic: topic as MailTopic,
    enabled: Boolean(enabled),
  }));
  if (!rows.length) return;
  await db
    .insertInto('user_mail_preference')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'topic'])
        .doUpdateSet((eb) => ({ enabled: eb.ref('excluded.enabled'), updated_at: sql`now()` })),
    )
    .execute();
}
