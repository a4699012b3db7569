import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// E-mail notices (issue 18, part 3): what each staff member chose to
// receive. A missing row means the topic's default (on); a row records an
// explicit choice. mail_throttle holds, per unit and kind of notice, when
// the last batched mail went, so a centre gets at most one low-score alert
// in 15 minutes however many workers run.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table user_mail_preference (
      user_id integer not null references app_user (id) on delete cascade,
      topic text not null check (topic in ('low_score', 'feedback_due', 'weekly_summary', 'webhook_paused')),
      enabled boolean not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, topic)
    );
    create table mail_throttle (
      unit_id integer not null references unit (id),
      kind text not null,
      last_sent_at timestamptz not null,
      -- The newest event the last mail covered: the next mail starts after it.
      covered_until timestamptz not null,
      primary key (unit_id, kind)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table mail_throttle; drop table user_mail_preference;`.execute(db);
}
