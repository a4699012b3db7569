import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Who published a version (null for the instruments shipped with the
    -- platform), and which indicator keys it re-worded against the version
    -- before it: recorded once at publishing, like the rest of the row, so a
    -- results page can flag those keys without re-reading definitions. Adding
    -- columns is DDL: the immutability trigger on rows is not involved.
    alter table survey_version add column published_by integer references app_user (id);
    alter table survey_version add column wording_changed_keys text[] not null default '{}';

    -- A survey chosen for a unit's subtree, for all service areas (null) or
    -- one. The nearest unit above a desk wins; desk.survey_id overrides both.
    create table survey_assignment (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      service_area_code text references service_area (code),
      survey_id integer not null references survey (id),
      assigned_by integer references app_user (id),
      assigned_at timestamptz not null default now(),
      unique nulls not distinct (unit_id, service_area_code)
    );
    create index survey_assignment_survey_idx on survey_assignment (survey_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table survey_assignment;
    alter table survey_version drop column wording_changed_keys;
    alter table survey_version drop column published_by;
  `.execute(db);
}
