import { type Kysely, sql } from 'kysely';

// Survey rounds (issue 16): an official's sampled survey of a unit and its
// subtree over a fieldwork period, with the sample size worked out from N
// (resolved dossiers of a reference period, or a figure typed in) and split
// into quotas per service area. Paper responses entered later name their
// round, so the round's page can show progress against each quota.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table survey_round (
      id serial primary key,
      unit_id integer not null references unit (id),
      code text not null check (code ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      survey_version_id integer not null references survey_version (id),
      fieldwork_from date not null,
      fieldwork_to date not null,
      reference_from date,
      reference_to date,
      population integer not null check (population >= 0),
      population_source text not null check (population_source in ('volumes', 'typed')),
      margin numeric(6, 4) not null check (margin > 0 and margin < 1),
      allocation text not null check (allocation in ('proportional', 'equal')),
      created_by integer references app_user (id),
      created_at timestamptz not null default now(),
      unique (unit_id, code),
      check (fieldwork_from <= fieldwork_to),
      check ((reference_from is null) = (reference_to is null)),
      check (reference_from is null or reference_from <= reference_to),
      check (population_source = 'typed' or reference_from is not null)
    );

    create table survey_round_quota (
      round_id integer not null references survey_round (id) on delete cascade,
      service_area_code text not null references service_area (code),
      quota integer not null check (quota >= 0),
      primary key (round_id, service_area_code)
    );

    alter table response add column round_id integer references survey_round (id);
    create index response_round on response (round_id) where round_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table response drop column round_id;
    drop table survey_round_quota;
    drop table survey_round;
  `.execute(db);
}
