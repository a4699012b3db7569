import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- One row holding the follow-up settings; changed with an UPDATE, read by
    -- the trigger below, so every channel uses the same rule.
    create table feedback_setting (
      only_row boolean primary key default true check (only_row),
      due_working_days integer not null default 5 check (due_working_days between 1 and 60)
    );
    insert into feedback_setting default values;

    -- n working days (Monday to Friday in Asia/Ho_Chi_Minh) after a moment,
    -- at the same local time of day. server/services/local-time.ts has the
    -- same rule in TypeScript and the tests hold the two together.
    create function feedback_add_working_days(start_at timestamptz, days integer)
    returns timestamptz language plpgsql stable as $$
    declare
      local_at timestamp := start_at at time zone 'Asia/Ho_Chi_Minh';
      remaining integer := days;
    begin
      while remaining > 0 loop
        local_at := local_at + interval '1 day';
        if extract(isodow from local_at) < 6 then
          remaining := remaining - 1;
        end if;
      end loop;
      return local_at at time zone 'Asia/Ho_Chi_Minh';
    end $$;

    -- A citizen's comment or a low overall score (1–2) asks for follow-up.
    -- The comment itself stays in the answer table and is read by a join.
    create table feedback_item (
      id integer generated always as identity primary key,
      response_id bigint not null unique references response (id) on delete cascade,
      unit_id integer not null references unit (id),
      desk_id integer references desk (id),
      service_area_code text not null references service_area (code),
      reason text not null check (reason in ('comment', 'low_score', 'both')),
      status text not null default 'new' check (status in ('new', 'in_progress', 'answered', 'closed')),
      due_at timestamptz not null,
      internal_note text check (length(internal_note) between 1 and 4000),
      public_answer text check (length(public_answer) between 1 and 4000),
      answered_at timestamptz,
      closed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((answered_at is not null) = (status in ('answered', 'closed'))),
      check ((closed_at is not null) = (status = 'closed')),
      check (status not in ('answered', 'closed') or public_answer is not null)
    );
    create index feedback_item_unit_idx on feedback_item (unit_id, status, due_at);

    -- Who did what, when: status changes, notes and answers.
    create table feedback_event (
      id bigint generated always as identity primary key,
      feedback_id integer not null references feedback_item (id) on delete cascade,
      actor_user_id integer references app_user (id),
      at timestamptz not null default now(),
      from_status text not null,
      to_status text not null,
      note text check (length(note) between 1 and 4000),
      public_answer_changed boolean not null default false
    );
    create index feedback_event_item_idx on feedback_event (feedback_id, at);

    -- A statement-level trigger on answer: the web form, the API, imports and
    -- the demo's bulk insert all open items, in the response's transaction,
    -- with one INSERT per statement however many answers it carries.
    create function feedback_open_items() returns trigger language plpgsql as $$
    begin
      insert into feedback_item (response_id, unit_id, desk_id, service_area_code, reason, due_at)
      select r.id, r.unit_id, r.desk_id, r.service_area_code,
             case
               when bool_or(n.indicator_key = 'comment') and bool_or(n.indicator_key = 'overall') then 'both'
               when bool_or(n.indicator_key = 'comment') then 'comment'
               else 'low_score'
             end,
             feedback_add_working_days(r.submitted_at, (select due_working_days from feedback_setting))
        from new_answers n
        join response r on r.id = n.response_id
       where (n.indicator_key = 'comment' and btrim(n.value_text) <> '')
          or (n.indicator_key = 'overall' and n.value_num between 1 and 2)
       group by r.id
      on conflict (response_id) do update
        set reason = case when feedback_item.reason = excluded.reason then feedback_item.reason else 'both' end;
      return null;
    end $$;
    create trigger answer_opens_feedback after insert on answer
      referencing new table as new_answers
      for each statement execute function feedback_open_items();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger answer_opens_feedback on answer;
    drop function feedback_open_items();
    drop table feedback_event;
    drop table feedback_item;
    drop function feedback_add_working_days(timestamptz, integer);
    drop table feedback_setting;
  `.execute(db);
}
