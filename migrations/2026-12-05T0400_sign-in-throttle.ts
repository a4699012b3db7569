import { type Kysely, sql } from 'kysely';

// Password checks are reserved before argon2 runs (issue 11): a row is
// written first with `succeeded` null ("being checked"), so that parallel
// requests count each other, and settled true or false afterwards. A row
// never settled (a crash mid-check) keeps counting as a failure. The same
// table now also limits the current-password check of a password change.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table sign_in_attempt
      alter column succeeded drop not null,
      add column purpose text not null default 'sign_in'
        check (purpose in ('sign_in', 'password_change'));
    -- The per (account, client) count of every sign-in.
    create index sign_in_attempt_email_client_idx on sign_in_attempt (email, client_key, at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index sign_in_attempt_email_client_idx;
    delete from sign_in_attempt where purpose <> 'sign_in';
    update sign_in_attempt set succeeded = false where succeeded is null;
    alter table sign_in_attempt drop column purpose, alter column succeeded set not null;
  `.execute(db);
}
