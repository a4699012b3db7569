import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// The morning reminders and the Monday summary (issue 18, part 3b): one row
// per recipient, kind of mail and local day (for the summary, the Monday of
// the week it covers), claimed before the mail goes and marked sent once the
// relay accepted it. The key is what stops a second run, a retry or a second
// worker from mailing the same person twice; a claim whose send failed is
// deleted so the job's retry sends it, and a claim left by a crash mid-send
// (no sent_at, long past) may be taken again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table digest_mail_sent (
      user_id integer not null references app_user (id) on delete cascade,
      kind text not null check (kind in ('feedback_due', 'weekly_summary')),
      day date not null,
      claimed_at timestamptz not null default now(),
      sent_at timestamptz,
      primary key (user_id, kind, day)
    );
    create index digest_mail_sent_day on digest_mail_sent (day);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table digest_mail_sent;`.execute(db);
}
