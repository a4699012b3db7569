import { type Kysely, sql } from 'kysely';

// An uploaded file of dossier volumes between its preview and its
// confirmation (issue 14): the rows as read from the file, kept on the
// server so that a large file never travels back in a hidden form field.
// Only its owner may confirm it; the app ignores a row older than an hour
// and sweeps such rows when the next file comes in. Confirming deletes it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table volume_upload (
      id uuid primary key default gen_random_uuid(),
      user_id integer not null references app_user (id) on delete cascade,
      file_name text not null check (length(file_name) <= 255),
      batches jsonb not null,
      created_at timestamptz not null default now()
    );
    create index volume_upload_created on volume_upload (created_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table volume_upload`.execute(db);
}
