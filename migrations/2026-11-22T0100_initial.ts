import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table unit (
      id integer generated always as identity primary key,
      code text not null unique check (code ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      name text not null check (length(name) between 1 and 200),
      kind text not null check (kind in ('province', 'commune', 'centre', 'other')),
      parent_id integer references unit (id),
      -- Materialised path '/1/7/42/' so that "this unit and its subtree" is one
      -- indexed prefix match, at any depth of hierarchy.
      path text not null,
      active boolean not null default true,
      created_at timestamptz not null default now()
    );
    create index unit_path_idx on unit (path text_pattern_ops);
    create index unit_parent_idx on unit (parent_id);

    create function unit_set_path() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.parent_id is distinct from old.parent_id then
        raise exception 'moving a unit to another parent is not supported';
      end if;
      if tg_op = 'INSERT' then
        new.path := coalesce((select path from unit where id = new.parent_id), '/') || new.id || '/';
      else
        new.path := old.path;
      end if;
      return new;
    end $$;
    create trigger unit_set_path before insert or update on unit
      for each row execute function unit_set_path();

    create table service_area (
      code text primary key check (code ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      name_vi text not null,
      name_en text not null,
      sort_order integer not null default 0,
      active boolean not null default true
    );

    create table survey (
      id integer generated always as identity primary key,
      code text not null unique check (code ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      created_at timestamptz not null default now()
    );

    -- A published version is immutable: every response points at the exact
    -- definition it was answered against.
    create table survey_version (
      id integer generated always as identity primary key,
      survey_id integer not null references survey (id),
      version integer not null check (version >= 1),
      definition jsonb not null,
      published_at timestamptz not null default now(),
      unique (survey_id, version)
    );
    create function survey_version_immutable() returns trigger language plpgsql as $$
    begin
      raise exception 'published survey versions are immutable';
    end $$;
    create trigger survey_version_immutable before update or delete on survey_version
      for each row execute function survey_version_immutable();

    create table desk (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      code text not null unique check (code ~ '^[a-z0-9][a-z0-9-]{1,63}$'),
      name text not null check (length(name) between 1 and 200),
      survey_id integer references survey (id),
      active boolean not null default true,
      created_at timestamptz not null default now()
    );
    create index desk_unit_idx on desk (unit_id);

    create table desk_service_area (
      desk_id integer not null references desk (id),
      service_area_code text not null references service_area (code),
      primary key (desk_id, service_area_code)
    );

    -- Anonymous by construction: no column can hold an IP address, a name or a
    -- phone number.
    create table response (
      id bigint generated always as identity primary key,
      submission_id uuid not null unique,
      payload_hash text not null,
      survey_version_id integer not null references survey_version (id),
      unit_id integer not null references unit (id),
      desk_id integer references desk (id),
      service_area_code text not null references service_area (code),
      channel text not null check (channel in ('qr', 'kiosk', 'paper', 'link', 'api')),
      locale text not null default 'vi' check (locale in ('vi', 'en')),
      submitted_at timestamptz not null default now(),
      suspect boolean not null default false,
      suspect_reason text,
      check (suspect = (suspect_reason is not null))
    );
    create index response_unit_time_idx on response (unit_id, submitted_at);
    create index response_desk_time_idx on response (desk_id, submitted_at);

    -- One row per answer so that rates and distributions are computed in SQL.
    create table answer (
      response_id bigint not null references response (id) on delete cascade,
      indicator_key text not null check (indicator_key ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$'),
      value_num smallint check (value_num between 1 and 5),
      value_option text check (length(value_option) between 1 and 64),
      value_text text check (length(value_text) between 1 and 2000),
      primary key (response_id, indicator_key),
      check (num_nonnulls(value_num, value_option, value_text) = 1)
    );
    create index answer_key_idx on answer (indicator_key, value_num);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table answer; drop table response; drop table desk_service_area; drop table desk;
    drop table survey_version; drop function survey_version_immutable();
    drop table survey; drop table service_area; drop table unit; drop function unit_set_path();
  `.execute(db);
}
