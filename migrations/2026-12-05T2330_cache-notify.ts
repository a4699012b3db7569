import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Every server process keeps desks, their surveys and API keys in memory
// for a few seconds (they are read on every citizen page and submission).
// A change to a table those are read from now says so on the channel
// hl_cache, whoever made it: a staff page on any node, the CLI, a
// migration, an operator's psql. NOTIFY is sent at commit (never for a
// rolled-back change) and one per transaction and table, so a statement
// trigger costs next to nothing. Each server LISTENs and forgets its
// copies (server/platform/db/change-listener.ts): issue 19 asks that a
// staff change be seen by every node within a second.
const TABLES = [
  'unit',
  'desk',
  'desk_service_area',
  'service_area',
  'survey',
  'survey_version',
  'survey_assignment',
  'api_key',
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function notify_cache_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('hl_cache', tg_table_name);
      return null;
    end $$;
  `.execute(db);
  for (const table of TABLES) {
    await sql`
      create trigger ${sql.id(`${table}_cache_notify`)}
        after insert or update or delete or truncate on ${sql.table(table)}
        for each statement execute function notify_cache_change()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    await sql`drop trigger ${sql.id(`${table}_cache_notify`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function notify_cache_change()`.execute(db);
}
