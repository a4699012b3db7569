import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Since 2026-12-05T2340 response and answer are partitioned by month, and a
// lookup by id alone probes the index of every partition: the national
// bench's profile showed the triggers of a submission's insert probing 17
// partitions per response (a year, the months ahead, the default one), 10×
// the time of a pruned lookup, and growing with every month kept. The
// triggers below now name the month too, so PostgreSQL reads one partition:
// - the answer triggers join response on (id, submitted_at), which is the
//   answer's own submitted_at by construction (copied at insert, moved with
//   the response by response_answers_follow, never null);
// - the feedback triage of a statement's answers reads them between the
//   statement's first and last submission time (feedback_triage's new
//   three-argument form, in PL/pgSQL so that its plan is made once per
//   connection, not at every call as a SQL function's is when it cannot be
//   inlined; the one-argument form stays for the flag trigger, one response
//   at a time);
// - the outbox's feedback.created looks in the last two days first, where
//   a new item's response almost always is, and everywhere only if not.
// What each trigger counts is unchanged (tests/partitions.test.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(definitions(true)).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(definitions(false)).execute(db);
  await sql`drop function feedback_triage(bigint[], timestamptz, timestamptz)`.execute(db);
}

function definitions(pruned: boolean): string {
  const sameMonth = (answer: string) => (pruned ? ` and r.submitted_at = ${answer}.submitted_at` : '');
  // The statement's first and last submission time bound the triage and the join.
  const bounds = pruned
    ? {
        declare: 'declare\n      lo timestamptz;\n      hi timestamptz;\n    ',
        first: 'select min(submitted_at), max(submitted_at) into lo, hi from new_answers;',
        args: ', lo, hi',
        join: ' and r.submitted_at between lo and hi',
      }
    : { declare: '', first: '', args: '', join: '' };
  const triage = `${bounds.declare}begin
      ${bounds.first}
      insert into feedback_item (response_id, unit_id, desk_id, service_area_code, kind, reason, due_at)
      select r.id, r.unit_id, r.desk_id, r.service_area_code, t.kind, t.reason,
             case when t.kind = 'item'
               then feedback_add_working_days(r.submitted_at, (select due_working_days from feedback_setting))
             end
        from feedback_triage(array(
               select distinct n.response_id from new_answers n
                where (n.indicator_key = 'comment' and btrim(n.value_text) <> '') or n.value_num <= 3)${bounds.args}) t
        join response r on r.id = t.response_id${bounds.join}`;
  // Recent first (pruned to the last two days' partitions), then anywhere.
  const recentFirst = (query: string, alias: string) =>
    pruned ? `coalesce((${query} and ${alias}.submitted_at > now() - interval '2 days'), (${query}))` : `(${query})`;
  return `
    ${
      pruned
        ? `create or replace function feedback_triage(ids bigint[], lo timestamptz, hi timestamptz)
    returns table (response_id bigint, kind text, reason text) language plpgsql stable as $$
    begin
      return query
      select s.response_id,
             case when s.low or not s.happy then 'item' else 'praise' end,
             case when s.low and s.commented then 'both' when s.low then 'low_score' else 'comment' end
        from (
          select a.response_id,
                 coalesce(bool_or(a.indicator_key = 'comment' and btrim(a.value_text) <> ''), false) as commented,
                 coalesce(bool_or((a.indicator_key = 'overall' and a.value_num <= 3) or a.value_num <= 2), false) as low,
                 coalesce(bool_or(a.indicator_key = 'overall' and a.value_num >= 4), false) as happy
            from answer a
           where a.response_id = any(ids) and a.submitted_at between lo and hi
           group by a.response_id
        ) s
       where s.commented or s.low;
    end $$;`
        : ''
    }

    create or replace function answer_daily_add() returns trigger language plpgsql as $$
    begin
      insert into answer_daily as t
             (day, unit_id, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value, n)
      select aggregate_day(r.submitted_at), r.unit_id, coalesce(r.desk_id, 0), r.service_area_code, r.channel,
             r.suspect, r.survey_version_id, a.indicator_key,
             aggregate_value(a.value_num, a.value_option, a.value_text), count(*)
        from new_answers a
        join response r on r.id = a.response_id${sameMonth('a')}
       where r.round_id is null
       group by 1, 2, 3, 4, 5, 6, 7, 8, 9
       order by 2, 1, 3, 4, 5, 6, 7, 8, 9
      on conflict (unit_id, day, desk_id, service_area_code, channel, suspect, survey_version_id, indicator_key, value)
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
        join response r on r.id = a.response_id${sameMonth('a')}
       where a.value_num is not null and r.round_id is null
       group by 1, 2, 3, 4, 5, 6
       order by 1, 2, 3, 4, 5, 6
      on conflict (unit_id, month, service_area_code, suspect, survey_version_id, indicator_key)
      do update set n1 = t.n1 + excluded.n1, n2 = t.n2 + excluded.n2, n3 = t.n3 + excluded.n3,
                    n4 = t.n4 + excluded.n4, n5 = t.n5 + excluded.n5;
      return null;
    end $$;

    create or replace function outbox_low_scores() returns trigger language plpgsql as $$
    begin
      perform outbox_record('response.low_score', r.unit_id, jsonb_build_object(
                'desk', d.code,
                'serviceArea', r.service_area_code,
                'score', n.value_num,
                'day', to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')))
         from new_answers n
         join response r on r.id = n.response_id${sameMonth('n')}
         left join desk d on d.id = r.desk_id
        where n.indicator_key = 'overall' and n.value_num between 1 and 2 and not r.suspect;
      return null;
    end $$;

    create or replace function feedback_open_items() returns trigger language plpgsql as $$
    ${triage}
       where not r.suspect
      on conflict (response_id) do update
        set reason = excluded.reason,
            kind = case when feedback_item.kind = 'item' then 'item' else excluded.kind end,
            due_at = case when feedback_item.kind = 'item' then feedback_item.due_at else excluded.due_at end;
      return null;
    end $$;

    create or replace function outbox_feedback_created() returns trigger language plpgsql as $$
    begin
      perform outbox_record('feedback.created', new.unit_id, jsonb_build_object(
        'feedbackId', new.id,
        'kind', new.kind,
        'reason', new.reason,
        'desk', (select d.code from desk d where d.id = new.desk_id),
        'serviceArea', new.service_area_code,
        'score', ${recentFirst(
          `select a.value_num from answer a where a.response_id = new.response_id and a.indicator_key = 'overall'`,
          'a',
        )},
        'day', ${recentFirst(
          `select to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')
                  from response r where r.id = new.response_id`,
          'r',
        )}));
      return null;
    end $$;
  `;
}
