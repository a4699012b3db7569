import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// A feedback inbox that can be worked (issue 13, item 5). Every comment used
// to open an item with a deadline, praise included: the demo inbox showed
// 306 of 328 items overdue, "Thủ tục nhanh gọn, cảm ơn cán bộ." (5/5) among
// them. Now:
//
// - An item (kind 'item', with a deadline) opens for what needs handling: an
//   overall score of 1–3, any item scored 1–2, or a comment with an overall
//   score of 1–3 or none at all (nothing says it is praise). The same rule
//   is triageAnswers() in server/features/feedback/feedback-rules.ts; the
//   tests hold the two together.
// - A comment with an overall score of 4–5 and nothing scored 1–2 is
//   praise (kind 'praise'): no deadline, out of the work figures; a manager
//   may turn it into an item (its deadline then runs from that moment).
// - An item can be assigned to a named manager.
// - The citizen who answered with a one-time code can read the public
//   reply at the code's address. The link is a hash of the code itself
//   under its own prefix, never of the stored code hash, so the database
//   cannot tie a receipt (or its dossier hash) to a response.
// - Stored rows: praise nobody has touched yet (status 'new', no staff line
//   in its history, not assigned) becomes praise; the rest stay items, since
//   work was done on them. Reasons are recomputed with the wider rule. No
//   item is opened for past responses the old rule left alone: they would
//   all start overdue.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table feedback_item
      add column kind text not null default 'item' check (kind in ('item', 'praise')),
      add column assignee_user_id integer references app_user (id),
      add column assigned_at timestamptz,
      alter column due_at drop not null,
      add constraint feedback_item_due_kind check ((due_at is null) = (kind = 'praise')),
      add constraint feedback_item_praise_new check (kind = 'item' or (status = 'new' and assignee_user_id is null));
    create index feedback_item_assignee_idx on feedback_item (assignee_user_id) where assignee_user_id is not null;

    create table feedback_reply_key (
      key_hash text primary key check (length(key_hash) = 64),
      response_id bigint not null unique references response (id) on delete cascade
    );

    -- Which responses ask for follow-up, and how: kind and reason per
    -- response, from all its answers. No row: nothing to follow up.
    create function feedback_triage(ids bigint[])
    returns table (response_id bigint, kind text, reason text) language sql stable as $$
      select s.response_id,
             case when s.low or not s.happy then 'item' else 'praise' end,
             case when s.low and s.commented then 'both' when s.low then 'low_score' else 'comment' end
        from (
          select a.response_id,
                 coalesce(bool_or(a.indicator_key = 'comment' and btrim(a.value_text) <> ''), false) as commented,
                 coalesce(bool_or((a.indicator_key = 'overall' and a.value_num <= 3) or a.value_num <= 2), false) as low,
                 coalesce(bool_or(a.indicator_key = 'overall' and a.value_num >= 4), false) as happy
            from answer a
           where a.response_id = any(ids)
           group by a.response_id
        ) s
       where s.commented or s.low
    $$;

    -- The answer trigger (migrations 0510 and 2026-12-05T0300) with the
    -- triage: only responses with a candidate answer read their answers again.
    create or replace function feedback_open_items() returns trigger language plpgsql as $$
    begin
      insert into feedback_item (response_id, unit_id, desk_id, service_area_code, kind, reason, due_at)
      select r.id, r.unit_id, r.desk_id, r.service_area_code, t.kind, t.reason,
             case when t.kind = 'item'
               then feedback_add_working_days(r.submitted_at, (select due_working_days from feedback_setting))
             end
        from feedback_triage(array(
               select distinct n.response_id from new_answers n
                where (n.indicator_key = 'comment' and btrim(n.value_text) <> '') or n.value_num <= 3)) t
        join response r on r.id = t.response_id
       where not r.suspect
      on conflict (response_id) do update
        set reason = excluded.reason,
            kind = case when feedback_item.kind = 'item' then 'item' else excluded.kind end,
            due_at = case when feedback_item.kind = 'item' then feedback_item.due_at else excluded.due_at end;
      return null;
    end $$;

    -- The flag trigger of 2026-12-05T0300: clearing opens what the triage
    -- says; praise coming back keeps having no deadline.
    create or replace function feedback_follow_flag() returns trigger language plpgsql as $$
    declare
      want text := case
        when not new.suspect then null
        when new.suspect_review = 'confirmed' then 'not_counted'
        else 'under_review'
      end;
      fresh_due timestamptz := feedback_add_working_days(now(), (select due_working_days from feedback_setting));
      item record;
      opened integer;
    begin
      select id, status, withheld, kind into item from feedback_item where response_id = new.id for update;
      if not found then
        if want is not null then
          return null;
        end if;
        insert into feedback_item (response_id, unit_id, desk_id, service_area_code, kind, reason, due_at)
        select new.id, new.unit_id, new.desk_id, new.service_area_code, t.kind, t.reason,
               case when t.kind = 'item' then fresh_due end
          from feedback_triage(array[new.id]) t
        returning id into opened;
        if opened is not null then
          insert into feedback_event (feedback_id, from_status, to_status, note)
          values (opened, 'new', 'new', 'Mở mục sau khi phiếu nghi vấn được xem xét và tính là hợp lệ.');
        end if;
        return null;
      end if;
      if item.withheld is not distinct from want then
        return null;
      end if;
      update feedback_item
         set withheld = want,
             due_at = case
               when want is null and item.kind = 'item' and item.status not in ('answered', 'closed')
                 then greatest(due_at, fresh_due)
               else due_at
             end,
             updated_at = now()
       where id = item.id;
      insert into feedback_event (feedback_id, from_status, to_status, note)
      values (item.id, item.status, item.status, feedback_flag_note(want));
      return null;
    end $$;

    -- Stored rows under the new rule.
    update feedback_item f
       set reason = t.reason
      from feedback_triage(array(select response_id from feedback_item)) t
     where t.response_id = f.response_id and f.reason <> t.reason;
    with praise as (
      update feedback_item f
         set kind = 'praise', due_at = null, updated_at = now()
        from feedback_triage(array(select response_id from feedback_item where status = 'new')) t
       where t.response_id = f.response_id
         and t.kind = 'praise'
         and f.status = 'new'
         and f.assignee_user_id is null
         and not exists (select 1 from feedback_event e where e.feedback_id = f.id and e.actor_user_id is not null)
      returning f.id
    )
    insert into feedback_event (feedback_id, from_status, to_status, note)
    select id, 'new', 'new', 'Chuyển sang «Lời khen, góp ý» (đánh giá chung 4–5 điểm, không có tiêu chí 1–2 điểm): không có hạn xử lý.'
      from praise;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    -- Praise gets back the deadline the old rule gave it.
    update feedback_item f
       set kind = 'item',
           due_at = feedback_add_working_days(r.submitted_at, (select due_working_days from feedback_setting))
      from response r
     where r.id = f.response_id and f.kind = 'praise';
    create or replace function feedback_follow_flag() returns trigger language plpgsql as $$
    declare
      want text := case
        when not new.suspect then null
        when new.suspect_review = 'confirmed' then 'not_counted'
        else 'under_review'
      end;
      fresh_due timestamptz := feedback_add_working_days(now(), (select due_working_days from feedback_setting));
      item record;
      opened integer;
    begin
      select id, status, withheld into item from feedback_item where response_id = new.id for update;
      if not found then
        if want is not null then
          return null;
        end if;
        insert into feedback_item (response_id, unit_id, desk_id, service_area_code, reason, due_at)
        select new.id, new.unit_id, new.desk_id, new.service_area_code,
               case
                 when bool_or(n.indicator_key = 'comment') and bool_or(n.indicator_key = 'overall') then 'both'
                 when bool_or(n.indicator_key = 'comment') then 'comment'
                 else 'low_score'
               end,
               fresh_due
          from answer n
         where n.response_id = new.id
           and ((n.indicator_key = 'comment' and btrim(n.value_text) <> '')
                or (n.indicator_key = 'overall' and n.value_num between 1 and 2))
        having count(*) > 0
        returning id into opened;
        if opened is not null then
          insert into feedback_event (feedback_id, from_status, to_status, note)
          values (opened, 'new', 'new', 'Mở mục sau khi phiếu nghi vấn được xem xét và tính là hợp lệ.');
        end if;
        return null;
      end if;
      if item.withheld is not distinct from want then
        return null;
      end if;
      update feedback_item
         set withheld = want,
             due_at = case
               when want is null and item.status not in ('answered', 'closed') then greatest(due_at, fresh_due)
               else due_at
             end,
             updated_at = now()
       where id = item.id;
      insert into feedback_event (feedback_id, from_status, to_status, note)
      values (item.id, item.status, item.status, feedback_flag_note(want));
      return null;
    end $$;
    create or replace function feedback_open_items() returns trigger language plpgsql as $$
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
       where not r.suspect
         and ((n.indicator_key = 'comment' and btrim(n.value_text) <> '')
              or (n.indicator_key = 'overall' and n.value_num between 1 and 2))
       group by r.id
      on conflict (response_id) do update
        set reason = case when feedback_item.reason = excluded.reason then feedback_item.reason else 'both' end;
      return null;
    end $$;
    drop function feedback_triage(bigint[]);
    drop table feedback_reply_key;
    drop index feedback_item_assignee_idx;
    alter table feedback_item
      drop constraint feedback_item_praise_new,
      drop constraint feedback_item_due_kind,
      alter column due_at set not null,
      drop column assigned_at,
      drop column assignee_user_id,
      drop column kind;
  `.execute(db);
}
