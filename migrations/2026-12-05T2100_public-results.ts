import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Public results per unit (issue 17): the plans ask for results to be
// published ("công khai") and the national portal publishes per-unit
// scores. A unit's page at /cong-khai/{code} exists only while its
// official has switched it on: no row, or published = false, is off, so
// nothing is published by default. Who switched it, and when, is kept
// beside the flag (the audit log has the history).
//
// A citizen's comment is theirs: a public reply is shown with the comment
// it answers only when staff marked that comment publishable (having read
// it for names, phone numbers and the like). Off for every stored item.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table unit_publication (
      unit_id integer primary key references unit (id),
      published boolean not null,
      changed_by integer references app_user (id),
      changed_at timestamptz not null default now()
    );
    alter table feedback_item add column comment_publishable boolean not null default false;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table feedback_item drop column comment_publishable;
    drop table unit_publication;
  `.execute(db);
}
