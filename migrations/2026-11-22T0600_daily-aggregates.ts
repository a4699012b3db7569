import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Daily counts that reports read instead of raw responses, so a report's cost
// grows with units × days × indicators, not with responses. Triggers keep
// them in the same transaction as the raw rows, whatever inserts them (web
// form, API, demo bulk insert, imports); aggregates_rebuild() recomputes them
// from the raw rows, which stay the source of truth. analysis/README.md
// ("Aggregates") gives the reasons and the cost.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- The calendar day in Vietnam, where periods are cut (methodology §4).
    -- Immutable: Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975.
    create function aggregate_day(moment timestamptz) returns date
    language sql immutable parallel safe as $$
      select (moment at time zone 'Asia/Ho_Chi_Minh')::date
    $$;

    -- One text per answer: '1'..'5', 'na', a choice option code, or '_text'
    -- for a comment (its words stay in answer; only that it exists counts).
    create function aggregate_value(num smallint, opt text, txt text) returns text
    language sql immutable parallel safe as $$
      select case when num is not null then num::text when txt is not null then '_text' else opt end
    $$;

    -- No foreign keys: derived rows, checked where they come from, and every
    -- upsert would otherwise also check the unit, area and version.
    -- desk_id 0 stands for "no desk" so that it can be part of the key.
    -- The key leads with (unit_id, day): a report is a set of units × a range
    -- of days, one index range per unit.
    create table answer_daily (
      day date not null,
      unit_id integer not null,
      desk_id integer not null,
      service_area_code text not null,
      channel text not null,
      suspect boolean not null,
      survey_version_id integer not null,
      indicator_key text not null,
      value text not null,
      n integer not null,
      primary key (unit_id, day, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value)
    );

    create table response_daily (
      day date not null,
      unit_id integer not null,
      desk_id integer not null,
      service_area_code text not null,
      channel text not null,
      suspect boolean not null,
      n integer not null,
      primary key (unit_id, day, desk_id, service_area_code, channel, suspect)
    );

    -- The scale items of each published version. A choice may have codes
    -- '1' and '2' (trips), so the value alone does not say an answer is a score.
    create view survey_scale_item as
      select v.id as survey_version_id, q ->> 'key' as indicator_key, q ->> 'factor' as factor
        from survey_version v
        cross join lateral jsonb_path_query(v.definition, '$.sections[*].questions[*] ? (@.type == "scale")') q;

    -- Answers, one upsert per statement however many rows it inserts. Rows
    -- are upserted in key order so that concurrent transactions lock the
    -- shared counters in the same order and cannot deadlock on each other.
    create function answer_daily_add() returns trigger language plpgsql as $$
    begin
      insert into answer_daily as t
             (day, unit_id, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value, n)
      select aggregate_day(r.submitted_at), r.unit_id, coalesce(r.desk_id, 0), r.service_area_code, r.channel,
             r.suspect, r.survey_version_id, a.indicator_key,
             aggregate_value(a.value_num, a.value_option, a.value_text), count(*)
        from new_answers a
        join response r on r.id = a.response_id
       group by 1, 2, 3, 4, 5, 6, 7, 8, 9
       order by 2, 1, 3, 4, 5, 6, 7, 8, 9
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value)
      do update set n = t.n + excluded.n;
      return null;
    end $$;
    create trigger answer_daily_add after insert on answer
      referencing new table as new_answers
      for each statement execute function answer_daily_add();

    create function response_daily_add() returns trigger language plpgsql as $$
    begin
      insert into response_daily as t (day, unit_id, desk_id, service_area_code, channel, suspect, n)
      select aggregate_day(submitted_at), unit_id, coalesce(desk_id, 0), service_area_code, channel, suspect, count(*)
        from new_responses
       group by 1, 2, 3, 4, 5, 6
       order by 2, 1, 3, 4, 5, 6
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect)
      do update set n = t.n + excluded.n;
      return null;
    end $$;
    create trigger response_daily_add after insert on response
      referencing new table as new_responses
      for each statement execute function response_daily_add();

    -- Adds (delta 1) or takes away (delta -1) one response and all of its
    -- answers, as they are counted under that row's dimensions; cells left
    -- at zero go, as a rebuild would leave them.
    create function aggregates_shift(r response, delta integer) returns void language plpgsql as $$
    declare
      v_day date := aggregate_day(r.submitted_at);
      v_desk integer := coalesce(r.desk_id, 0);
    begin
      insert into response_daily as t (day, unit_id, desk_id, service_area_code, channel, suspect, n)
      values (v_day, r.unit_id, v_desk, r.service_area_code, r.channel, r.suspect, delta)
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect)
      do update set n = t.n + excluded.n;
      insert into answer_daily as t
             (day, unit_id, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value, n)
      select v_day, r.unit_id, v_desk, r.service_area_code, r.channel, r.suspect, r.survey_version_id,
             a.indicator_key, aggregate_value(a.value_num, a.value_option, a.value_text), delta * count(*)
        from answer a
       where a.response_id = r.id
       group by 8, 9
       order by 8, 9
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value)
      do update set n = t.n + excluded.n;
      if delta < 0 then
        delete from response_daily t
         where (t.unit_id, t.day, t.desk_id, t.service_area_code, t.channel, t.suspect)
             = (r.unit_id, v_day, v_desk, r.service_area_code, r.channel, r.suspect)
           and t.n = 0;
        delete from answer_daily t
         where (t.unit_id, t.day, t.desk_id, t.service_area_code, t.channel, t.suspect, t.survey_version_id)
             = (r.unit_id, v_day, v_desk, r.service_area_code, r.channel, r.suspect, r.survey_version_id)
           and t.n = 0;
      end if;
    end $$;

    -- Flagging a response suspect (or clearing the flag) moves its counts
    -- between suspect = false and suspect = true; any other change of a
    -- counted column moves them the same way. The cell with suspect = false
    -- is always touched first, the order a new response takes too.
    create function response_aggregates_move() returns trigger language plpgsql as $$
    begin
      if old.suspect and not new.suspect then
        perform aggregates_shift(new, 1);
        perform aggregates_shift(old, -1);
      else
        perform aggregates_shift(old, -1);
        perform aggregates_shift(new, 1);
      end if;
      return null;
    end $$;
    create trigger response_aggregates_move
      after update of suspect, unit_id, desk_id, service_area_code, channel, submitted_at, survey_version_id on response
      for each row
      when ((old.suspect, old.unit_id, old.desk_id, old.service_area_code, old.channel, old.submitted_at, old.survey_version_id)
            is distinct from
            (new.suspect, new.unit_id, new.desk_id, new.service_area_code, new.channel, new.submitted_at, new.survey_version_id))
      execute function response_aggregates_move();

    -- Before the delete, while the answers are still there to count (the
    -- cascade removes them afterwards).
    create function response_aggregates_remove() returns trigger language plpgsql as $$
    begin
      perform aggregates_shift(old, -1);
      return old;
    end $$;
    create trigger response_aggregates_remove before delete on response
      for each row execute function response_aggregates_remove();

    -- Recomputes both tables from the raw rows, in the caller's transaction.
    -- SHARE locks let reads go on but make inserts and flag changes wait, so
    -- nothing is counted twice or missed while the counts are rebuilt.
    create function aggregates_rebuild(out answer_rows bigint, out response_rows bigint) language plpgsql as $$
    begin
      lock table response, answer in share mode;
      truncate answer_daily, response_daily;
      insert into response_daily (day, unit_id, desk_id, service_area_code, channel, suspect, n)
      select aggregate_day(submitted_at), unit_id, coalesce(desk_id, 0), service_area_code, channel, suspect, count(*)
        from response
       group by 1, 2, 3, 4, 5, 6;
      get diagnostics response_rows = row_count;
      insert into answer_daily
             (day, unit_id, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value, n)
      select aggregate_day(r.submitted_at), r.unit_id, coalesce(r.desk_id, 0), r.service_area_code, r.channel,
             r.suspect, r.survey_version_id, a.indicator_key,
             aggregate_value(a.value_num, a.value_option, a.value_text), count(*)
        from answer a
        join response r on r.id = a.response_id
       group by 1, 2, 3, 4, 5, 6, 7, 8, 9;
      get diagnostics answer_rows = row_count;
    end $$;

    -- A live database may already hold responses.
    select aggregates_rebuild();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger response_aggregates_remove on response;
    drop trigger response_aggregates_move on response;
    drop trigger response_daily_add on response;
    drop trigger answer_daily_add on answer;
    drop function aggregates_rebuild();
    drop function response_aggregates_remove();
    drop function response_aggregates_move();
    drop function aggregates_shift(response, integer);
    drop function response_daily_add();
    drop function answer_daily_add();
    drop view survey_scale_item;
    drop table response_daily;
    drop table answer_daily;
    drop function aggregate_value(smallint, text, text);
    drop function aggregate_day(timestamptz);
  `.execute(db);
}
