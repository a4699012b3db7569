import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Monthly counts beside the daily ones (2026-11-22T0600), so that a report
// over whole months reads a few rows per unit and month instead of about one
// row per answer: at a commune's rate (~8 responses a day) the daily table's
// key (day, desk, channel, value…) is nearly unique per answer. Kept by the
// same means as the daily tables, in the response's transaction; rebuilt by
// aggregates_rebuild() with them. analysis/README.md ("Aggregates").
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- The first day of the local month (Asia/Ho_Chi_Minh, see aggregate_day).
    create function aggregate_month(moment timestamptz) returns date
    language sql immutable parallel safe as $$
      select date_trunc('month', moment at time zone 'Asia/Ho_Chi_Minh')::date
    $$;

    -- Scale answers only (value_num is set exactly for them), the five values
    -- as columns: one row per unit, month, area, flag, version and item. No
    -- desk and no channel: reports of items never split by them.
    create table scale_monthly (
      unit_id integer not null,
      month date not null,
      service_area_code text not null,
      suspect boolean not null,
      survey_version_id integer not null,
      indicator_key text not null,
      n1 integer not null,
      n2 integer not null,
      n3 integer not null,
      n4 integer not null,
      n5 integer not null,
      primary key (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key)
    );

    create table response_monthly (
      unit_id integer not null,
      month date not null,
      service_area_code text not null,
      channel text not null,
      suspect boolean not null,
      n integer not null,
      primary key (unit_id, month, service_area_code, channel, suspect)
    );

    -- Sibling statement triggers of answer_daily_add and response_daily_add
    -- (they fire after them: triggers fire in name order), upserting in key
    -- order. Every path locks response_daily, response_monthly, answer_daily,
    -- scale_monthly in that order, so two transactions cannot deadlock.
    create function scale_monthly_add() returns trigger language plpgsql as $$
    begin
      insert into scale_monthly as t
             (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key, n1, n2, n3, n4, n5)
      select r.unit_id, aggregate_month(r.submitted_at), r.service_area_code, r.suspect, r.survey_version_id,
             a.indicator_key,
             count(*) filter (where a.value_num = 1), count(*) filter (where a.value_num = 2),
             count(*) filter (where a.value_num = 3), count(*) filter (where a.value_num = 4),
             count(*) filter (where a.value_num = 5)
        from new_answers a
        join response r on r.id = a.response_id
       where a.value_num is not null
       group by 1, 2, 3, 4, 5, 6
       order by 1, 2, 3, 4, 5, 6
      on conflict (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key)
      do update set n1 = t.n1 + excluded.n1, n2 = t.n2 + excluded.n2, n3 = t.n3 + excluded.n3,
                    n4 = t.n4 + excluded.n4, n5 = t.n5 + excluded.n5;
      return null;
    end $$;
    create trigger answer_monthly_add after insert on answer
      referencing new table as new_answers
      for each statement execute function scale_monthly_add();

    create function response_monthly_add() returns trigger language plpgsql as $$
    begin
      insert into response_monthly as t (unit_id, month, service_area_code, channel, suspect, n)
      select unit_id, aggregate_month(submitted_at), service_area_code, channel, suspect, count(*)
        from new_responses
       group by 1, 2, 3, 4, 5
       order by 1, 2, 3, 4, 5
      on conflict (unit_id, month, service_area_code, channel, suspect)
      do update set n = t.n + excluded.n;
      return null;
    end $$;
    create trigger response_monthly_add after insert on response
      referencing new table as new_responses
      for each statement execute function response_monthly_add();

    -- As in 0600, plus the monthly cells, in the insert path's table order.
    create or replace function aggregates_shift(r response, delta integer) returns void language plpgsql as $$
    declare
      v_day date := aggregate_day(r.submitted_at);
      v_month date := aggregate_month(r.submitted_at);
      v_desk integer := coalesce(r.desk_id, 0);
    begin
      insert into response_daily as t (day, unit_id, desk_id, service_area_code, channel, suspect, n)
      values (v_day, r.unit_id, v_desk, r.service_area_code, r.channel, r.suspect, delta)
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect)
      do update set n = t.n + excluded.n;
      insert into response_monthly as t (unit_id, month, service_area_code, channel, suspect, n)
      values (r.unit_id, v_month, r.service_area_code, r.channel, r.suspect, delta)
      on conflict (unit_id, month, service_area_code, channel, suspect)
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
      insert into scale_monthly as t
             (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key, n1, n2, n3, n4, n5)
      select r.unit_id, v_month, r.service_area_code, r.suspect, r.survey_version_id, a.indicator_key,
             delta * count(*) filter (where a.value_num = 1), delta * count(*) filter (where a.value_num = 2),
             delta * count(*) filter (where a.value_num = 3), delta * count(*) filter (where a.value_num = 4),
             delta * count(*) filter (where a.value_num = 5)
        from answer a
       where a.response_id = r.id and a.value_num is not null
       group by 6
       order by 6
      on conflict (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key)
      do update set n1 = t.n1 + excluded.n1, n2 = t.n2 + excluded.n2, n3 = t.n3 + excluded.n3,
                    n4 = t.n4 + excluded.n4, n5 = t.n5 + excluded.n5;
      if delta < 0 then
        delete from response_daily t
         where (t.unit_id, t.day, t.desk_id, t.service_area_code, t.channel, t.suspect)
             = (r.unit_id, v_day, v_desk, r.service_area_code, r.channel, r.suspect)
           and t.n = 0;
        delete from response_monthly t
         where (t.unit_id, t.month, t.service_area_code, t.channel, t.suspect)
             = (r.unit_id, v_month, r.service_area_code, r.channel, r.suspect)
           and t.n = 0;
        delete from answer_daily t
         where (t.unit_id, t.day, t.desk_id, t.service_area_code, t.channel, t.suspect, t.survey_version_id)
             = (r.unit_id, v_day, v_desk, r.service_area_code, r.channel, r.suspect, r.survey_version_id)
           and t.n = 0;
        delete from scale_monthly t
         where (t.unit_id, t.month, t.service_area_code, t.suspect, t.survey_version_id)
             = (r.unit_id, v_month, r.service_area_code, r.suspect, r.survey_version_id)
           and t.n1 = 0 and t.n2 = 0 and t.n3 = 0 and t.n4 = 0 and t.n5 = 0;
      end if;
    end $$;

    -- As in 0600, plus the monthly tables, from the daily rows just
    -- recomputed from the raw rows (far fewer rows to read than answer joined
    -- to response): the same counts without the desk, the channel and the
    -- day. A daily value '1'..'5' of a scale item is a scale answer (value_num);
    -- of another item it may be a choice code, hence survey_scale_item.
    create or replace function aggregates_rebuild(out answer_rows bigint, out response_rows bigint)
    language plpgsql as $$
    begin
      lock table response, answer in share mode;
      -- Each table is filled in its primary key's order: building the index
      -- in order costs a fraction of inserting into it at random (measured at
      -- 1M responses: answer_daily 161 s unordered, 64 s ordered).
      truncate answer_daily, response_daily, scale_monthly, response_monthly;
      insert into response_daily (day, unit_id, desk_id, service_area_code, channel, suspect, n)
      select aggregate_day(submitted_at), unit_id, coalesce(desk_id, 0), service_area_code, channel, suspect, count(*)
        from response
       group by 1, 2, 3, 4, 5, 6
       order by 2, 1, 3, 4, 5, 6;
      get diagnostics response_rows = row_count;
      insert into answer_daily
             (day, unit_id, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value, n)
      select aggregate_day(r.submitted_at), r.unit_id, coalesce(r.desk_id, 0), r.service_area_code, r.channel,
             r.suspect, r.survey_version_id, a.indicator_key,
             aggregate_value(a.value_num, a.value_option, a.value_text), count(*)
        from answer a
        join response r on r.id = a.response_id
       group by 1, 2, 3, 4, 5, 6, 7, 8, 9
       order by 2, 1, 3, 4, 5, 6, 7, 8, 9;
      get diagnostics answer_rows = row_count;
      insert into response_monthly (unit_id, month, service_area_code, channel, suspect, n)
      select unit_id, date_trunc('month', day)::date, service_area_code, channel, suspect, sum(n)
        from response_daily
       group by 1, 2, 3, 4, 5
       order by 1, 2, 3, 4, 5;
      insert into scale_monthly
             (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key, n1, n2, n3, n4, n5)
      select d.unit_id, date_trunc('month', d.day)::date, d.service_area_code, d.suspect, d.survey_version_id,
             d.indicator_key,
             coalesce(sum(d.n) filter (where d.value = '1'), 0), coalesce(sum(d.n) filter (where d.value = '2'), 0),
             coalesce(sum(d.n) filter (where d.value = '3'), 0), coalesce(sum(d.n) filter (where d.value = '4'), 0),
             coalesce(sum(d.n) filter (where d.value = '5'), 0)
        from answer_daily d
        join survey_scale_item s on s.survey_version_id = d.survey_version_id and s.indicator_key = d.indicator_key
       where d.value in ('1', '2', '3', '4', '5')
       group by 1, 2, 3, 4, 5, 6
       order by 1, 2, 3, 4, 5, 6;
    end $$;

    -- A live database may already hold responses: their daily counts are
    -- kept by the 0600 triggers, so the monthly ones are summed from them, as
    -- aggregates_rebuild() does.
    insert into response_monthly (unit_id, month, service_area_code, channel, suspect, n)
    select unit_id, date_trunc('month', day)::date, service_area_code, channel, suspect, sum(n)
      from response_daily
     group by 1, 2, 3, 4, 5;
    insert into scale_monthly
           (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key, n1, n2, n3, n4, n5)
    select d.unit_id, date_trunc('month', d.day)::date, d.service_area_code, d.suspect, d.survey_version_id,
           d.indicator_key,
           coalesce(sum(d.n) filter (where d.value = '1'), 0), coalesce(sum(d.n) filter (where d.value = '2'), 0),
           coalesce(sum(d.n) filter (where d.value = '3'), 0), coalesce(sum(d.n) filter (where d.value = '4'), 0),
           coalesce(sum(d.n) filter (where d.value = '5'), 0)
      from answer_daily d
      join survey_scale_item s on s.survey_version_id = d.survey_version_id and s.indicator_key = d.indicator_key
     where d.value in ('1', '2', '3', '4', '5')
     group by 1, 2, 3, 4, 5, 6;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    -- The 0600 functions, as they were.
    create or replace function aggregates_shift(r response, delta integer) returns void language plpgsql as $$
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

    create or replace function aggregates_rebuild(out answer_rows bigint, out response_rows bigint)
    language plpgsql as $$
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

    drop trigger response_monthly_add on response;
    drop trigger answer_monthly_add on answer;
    drop function response_monthly_add();
    drop function scale_monthly_add();
    drop table response_monthly;
    drop table scale_monthly;
    drop function aggregate_month(timestamptz);
  `.execute(db);
}
