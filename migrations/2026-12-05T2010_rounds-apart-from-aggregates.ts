import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Responses entered for a sampled survey round (response.round_id, issue 16,
// 2026-12-05T1900) are the round's results: reported apart, from the raw
// rows, against the round's sample and quotas. They are not part of the
// continuous stream of responses that the aggregate tables count, and a
// report that read them from there would mix a designed sample into the
// stream's figures (and count them twice beside the round's own report).
// So every path that keeps or rebuilds the aggregates
// (2026-11-22T0600_daily-aggregates.ts, 2026-11-22T0800_monthly-aggregates.ts)
// now leaves a row with round_id set out:
//
// - the four statement triggers' functions skip such rows;
// - aggregates_shift(), through which a flag change, a move and a delete go
//   (response_aggregates_move, response_aggregates_remove), passes only the
//   stream's rows on to the 0800 body (renamed aggregates_shift_counted): it was never counted, so there is nothing to take away or
//   add. round_id is set at insert and never changed, so OLD and NEW of an
//   update agree on it and the triggers themselves need no change;
// - aggregates_rebuild() leaves them out of both GROUP BYs over the raw rows
//   (the monthly tables are summed from the daily ones, so from the same rows).
//
// Round rows stored before this migration were counted by the old triggers:
// they are taken away with the old aggregates_shift() (a few rows, far
// cheaper than aggregates_rebuild()). The SHARE locks keep a round row from
// being inserted and counted by the old triggers meanwhile. analysis/README.md
// ("Aggregates").
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    lock table response, answer in share mode;
    select aggregates_shift(r, -1) from response r where r.round_id is not null order by r.id;

    create or replace function answer_daily_add() returns trigger language plpgsql as $$
    begin
      insert into answer_daily as t
             (day, unit_id, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value, n)
      select aggregate_day(r.submitted_at), r.unit_id, coalesce(r.desk_id, 0), r.service_area_code, r.channel,
             r.suspect, r.survey_version_id, a.indicator_key,
             aggregate_value(a.value_num, a.value_option, a.value_text), count(*)
        from new_answers a
        join response r on r.id = a.response_id
       where r.round_id is null
       group by 1, 2, 3, 4, 5, 6, 7, 8, 9
       order by 2, 1, 3, 4, 5, 6, 7, 8, 9
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value)
      do update set n = t.n + excluded.n;
      return null;
    end $$;

    create or replace function response_daily_add() returns trigger language plpgsql as $$
    begin
      insert into response_daily as t (day, unit_id, desk_id, service_area_code, channel, suspect, n)
      select aggregate_day(submitted_at), unit_id, coalesce(desk_id, 0), service_area_code, channel, suspect, count(*)
        from new_responses
       where round_id is null
       group by 1, 2, 3, 4, 5, 6
       order by 2, 1, 3, 4, 5, 6
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect)
      do update set n = t.n + excluded.n;
      return null;
    end $$;

    create or replace function scale_monthly_add() returns trigger language plpgsql as $$
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
       where a.value_num is not null and r.round_id is null
       group by 1, 2, 3, 4, 5, 6
       order by 1, 2, 3, 4, 5, 6
      on conflict (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key)
      do update set n1 = t.n1 + excluded.n1, n2 = t.n2 + excluded.n2, n3 = t.n3 + excluded.n3,
                    n4 = t.n4 + excluded.n4, n5 = t.n5 + excluded.n5;
      return null;
    end $$;

    create or replace function response_monthly_add() returns trigger language plpgsql as $$
    begin
      insert into response_monthly as t (unit_id, month, service_area_code, channel, suspect, n)
      select unit_id, aggregate_month(submitted_at), service_area_code, channel, suspect, count(*)
        from new_responses
       where round_id is null
       group by 1, 2, 3, 4, 5
       order by 1, 2, 3, 4, 5
      on conflict (unit_id, month, service_area_code, channel, suspect)
      do update set n = t.n + excluded.n;
      return null;
    end $$;

    -- The 0800 function, kept under another name, is called for a row of
    -- the stream only: a round's response was never counted, so a flag
    -- change, a move or a delete of it has nothing to shift.
    alter function aggregates_shift(response, integer) rename to aggregates_shift_counted;
    create function aggregates_shift(r response, delta integer) returns void language plpgsql as $$
    begin
      if r.round_id is null then
        perform aggregates_shift_counted(r, delta);
      end if;
    end $$;

    -- As in 0800, without the rounds' responses in the daily GROUP BYs (and
    -- so in the monthly sums of them).
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
       where round_id is null
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
       where r.round_id is null
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
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    lock table response, answer in share mode;

    -- The 0600 and 0800 functions, as they were.
    create or replace function answer_daily_add() returns trigger language plpgsql as $$
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

    create or replace function response_daily_add() returns trigger language plpgsql as $$
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

    create or replace function scale_monthly_add() returns trigger language plpgsql as $$
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

    create or replace function response_monthly_add() returns trigger language plpgsql as $$
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

    drop function aggregates_shift(response, integer);
    alter function aggregates_shift_counted(response, integer) rename to aggregates_shift;

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

    -- The rounds' responses are counted again, as the restored triggers count them.
    select aggregates_shift(r, 1) from response r where r.round_id is not null order by r.id;
  `.execute(db);
}
