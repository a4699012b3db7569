import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Who is told when a webhook endpoint is paused (issue 18): the staff member
// who registered it on the staff page. An endpoint registered with an API
// key has no owner (its unit's managers and officials are told instead), and
// an owner's account removed leaves the endpoint without one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table webhook_endpoint
      add column owner_user_id integer references app_user (id) on delete set null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table webhook_endpoint drop column owner_user_id;`.execute(db);
}
