import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
// Units that merge, split, rename and move (issue 17). A unit may now move to
// another parent: its path and every descendant's path follow, so that every
// report (which selects units by path) and every scope check follows too.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function unit_set_path() returns trigger language plpgsql as $$
    declare
      parent_path text := (select path from unit where id = new.parent_id);
    begin
      if tg_op = 'UPDATE' and new.parent_id is distinct from old.parent_id
         and parent_path is not null and parent_path like old.path || '%' then
        raise exception 'a unit cannot move under itself or its own subtree';
      end if;
      -- Always derived from the parent: a path is never written by hand.
      new.path := coalesce(parent_path, '/') || new.id || '/';
      return new;
    end $$;

    -- After a unit's path changed, its children recompute theirs (and theirs, recursively).
    create function unit_cascade_path() returns trigger language plpgsql as $$
    begin
      update unit set path = path where parent_id = new.id;
      return null;
    end $$;
    create trigger unit_cascade_path after update on unit
      for each row when (old.path is distinct from new.path) execute function unit_cascade_path();

    create table unit_event (
      id integer generated always as identity primary key,
      kind text not null check (kind in ('merge', 'split', 'rename', 'move')),
      effective_on date not null,
      -- The before-state needed to undo the event when the tree at a date is shown.
      detail jsonb not null,
      created_by integer references app_user (id),
      created_at timestamptz not null default now()
    );
    create index unit_event_effective_idx on unit_event (effective_on);

    create table unit_lineage (
      event_id integer not null references unit_event (id),
      predecessor_id integer not null references unit (id),
      successor_id integer not null references unit (id),
      primary key (event_id, predecessor_id, successor_id)
    );
    create index unit_lineage_successor_idx on unit_lineage (successor_id);
    create index unit_lineage_predecessor_idx on unit_lineage (predecessor_id);

    -- A retired desk's posters lead to its successor's survey.
    alter table desk add column replaced_by integer references desk (id);
    alter table desk add constraint desk_replaced_by_other check (replaced_by <> id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table desk drop constraint desk_replaced_by_other;
    alter table desk drop column replaced_by;
    drop table unit_lineage; drop table unit_event;
    drop trigger unit_cascade_path on unit; drop function unit_cascade_path();
    create or replace function unit_set_path() returns trigger language plpgsql as $$
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
  `.execute(db);
}
