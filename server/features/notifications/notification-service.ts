import type { Db } from '../../platform/db/connect.ts';
import type { MailTopic, Role } from '../../platform/db/schema.ts';
import { preferencesOf, savePreferences } from './mail-preference-repository.ts';
import { type TopicInfo, topicsForRole } from './mail-topics.ts';

// The staff member's own choice of e-mail notices (issue 18, part 3), shown
// on their account page (GET /staff/password) and saved from it.

export interface MailPreferencesView {
  /** Where the mails go: the account's own address, not editable here. */
  email: string;
  topics: (TopicInfo & { enabled: boolean })[];
  /** False without SMTP_URL and MAIL_FROM: the page says no mail goes out at all. */
  mailConfigured: boolean;
  saved: boolean;
}

export async function loadMailPreferences(
  db: Db,
  user: { userId: number; email: string; role: Role },
  opts: { mailConfigured: boolean; saved: boolean },
): Promise<MailPreferencesView> {
  const prefs = await preferencesOf(db, user.userId);
  return {
    email: user.email,
    topics: topicsForRole(user.role).map((t) => ({ ...t, enabled: prefs[t.topic] })),
    ...opts,
  };
}

/**
 * Saves the form: every topic of the user's role is on exactly when its box
 * was ticked (a browser posts nothing for an unticked box). Topics the role
 * does not receive are left as they were, so a later change of role brings
 * back the choice made before.
 */
export async function saveMailPreferences(
  db: Db,
  user: { userId: number; role: Role },
  ticked: readonly string[],
): Promise<void> {
  const choices: Partial<Record<MailTopic, boolean>> = {};
  for (const t of topicsForRole(user.role)) choices[t.topic] = ticked.includes(t.topic);
  await savePreferences(db, user.userId, choices);
}
