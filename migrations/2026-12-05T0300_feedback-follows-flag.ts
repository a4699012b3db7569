import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Feedback follows the suspect flag (issue 11, item 6). A flooded poster
// opened thousands of items from flagged responses and the inbox showed 0%
// handled. The rule lives in the database because the flag changes on more
// than one path: at insert, after storage (a later flood reveals earlier
// posts of the same source) and by an official's review.
//
// - A suspect response opens no item.
// - An item whose response becomes suspect is withheld ('under_review'): out
//   of the inbox and the figures, kept (the flag may be cleared), with its
//   status, notes and answer untouched. That holds for an item staff already
//   answered too: an answered suspect would otherwise lift the handled share
//   with work on responses that may not be citizens' at all, and the share
//   must mean the same whoever flooded the desk. Its answer and history stay.
// - Confirmed suspect: the item is 'not_counted', final while confirmed.
// - Cleared (suspect false again): a withheld item comes back; a response
//   that never had one opens it now. Either way staff get the full period
//   from that moment (never less than the original due date): they could not
//   see the item while it was held, and the delay is the reviewer's. An
//   item already handled keeps its due date.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table feedback_item add column withheld text check (withheld in ('under_review', 'not_counted'));

    -- The history line the system writes when an item changes hands this way.
    create function feedback_flag_note(withheld text) returns text language sql immutable as $$
      select case withheld
        when 'under_review' then 'Tạm rút khỏi hộp thư và số liệu: phiếu bị đánh dấu nghi vấn, đang chờ xem xét.'
        when 'not_counted' then 'Không tính (phiếu nghi vấn): việc xem xét xác nhận phiếu không được tính.'
        else 'Đưa lại vào hộp thư: phiếu được xem xét và tính là hợp lệ.'
      end
    $$;

    -- The answer trigger of migration 0510, now skipping suspect responses.
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

    create function feedback_follow_flag() returns trigger language plpgsql as $$
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
        -- Cleared: open the item it would have opened when stored (same
        -- qualifying answers and reason as feedback_open_items).
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
             -- A handled item keeps its due date: moving it would turn a late
             -- answer into one on time.
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
    create trigger response_feedback_follows_flag
      after update of suspect, suspect_review on response
      for each row
      when (old.suspect is distinct from new.suspect or old.suspect_review is distinct from new.suspect_review)
      execute function feedback_follow_flag();

    -- Items a live database already holds for suspect responses leave the
    -- inbox and the figures now, with a line in their history.
    with moved as (
      update feedback_item f
         set withheld = case when r.suspect_review = 'confirmed' then 'not_counted' else 'under_review' end,
             updated_at = now()
        from response r
       where r.id = f.response_id and r.suspect
      returning f.id, f.status, f.withheld
    )
    insert into feedback_event (feedback_id, from_status, to_status, note)
    select id, status, status, feedback_flag_note(withheld) from moved;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger response_feedback_follows_flag on response;
    drop function feedback_follow_flag();
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
       where (n.indicator_key = 'comment' and btrim(n.value_text) <> '')
          or (n.indicator_key = 'overall' and n.value_num between 1 and 2)
       group by r.id
      on conflict (response_id) do update
        set reason = case when feedback_item.reason = excluded.reason then feedback_item.reason else 'both' end;
      return null;
    end $$;
    drop function feedback_flag_note(text);
    alter table feedback_item drop column withheld;
  `.execute(db);
}
