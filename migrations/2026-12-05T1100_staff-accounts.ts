import { type Kysely, sql } from 'kysely';

// Staff accounts managed in the browser (issue 13, item 4): when each account
// last signed in, and one-time links to set a password. A manager never
// types a colleague's password: they hand over a link instead, which is kept
// only as a hash, lives 24 hours and works once.
// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table app_user add column last_sign_in_at timestamptz;

    create table password_link (
      token_hash text primary key,
      user_id integer not null references app_user (id),
      purpose text not null check (purpose in ('create', 'reset')),
      created_by integer references app_user (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      -- Set when the person chose a password with it.
      used_at timestamptz,
      -- Set when a newer link, or disabling the account, made it void.
      revoked_at timestamptz
    );
    create index password_link_user_idx on password_link (user_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table password_link; alter table app_user drop column last_sign_in_at;`.execute(db);
}
