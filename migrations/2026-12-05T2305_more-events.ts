import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// The rest of issue 18's events, each recorded through outbox_record() in
// the transaction of its cause (migration 2026-12-05T2200):
// - feedback.updated: an item's status, public answer or assignee changed
//   (not the withholding of a suspect response's item: that is no handling);
// - feedback.overdue: an open item passed its deadline, once per item. No
//   transaction causes it, so a sweep (feedback_record_overdue(), run by
//   every worker each minute) records it; feedback_overdue_notice keeps it
//   once however many workers sweep at the same moment;
// - suspects.flagged: a desk put under watch (its first desk_watch row of
//   the day; later responses that day update the row, not insert it).
// dossier_volumes.imported is recorded by the import itself (volume-service.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function outbox_feedback_updated() returns trigger language plpgsql as $$
    begin
      perform outbox_record('feedback.updated', new.unit_id, jsonb_build_object(
        'feedbackId', new.id,
        'kind', new.kind,
        'status', new.status,
        'previousStatus', old.status,
        'assigned', new.assignee_user_id is not null,
        'answered', new.public_answer is not null,
        'dueDay', to_char(new.due_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'),
        'day', to_char(now() at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')));
      return null;
    end $$;
    create trigger feedback_item_outbox_updated after update on feedback_item
      for each row
      when (new.withheld is null and (old.status is distinct from new.status
            or old.public_answer is distinct from new.public_answer
            or old.assignee_user_id is distinct from new.assignee_user_id))
      execute function outbox_feedback_updated();

    create table feedback_overdue_notice (
      feedback_id integer primary key references feedback_item (id) on delete cascade,
      recorded_at timestamptz not null default now()
    );
    -- Items overdue before the event existed are not news: no flood of old
    -- deadlines to the first webhook registered after the upgrade.
    insert into feedback_overdue_notice (feedback_id)
    select id from feedback_item
     where kind = 'item' and status in ('new', 'in_progress') and due_at < now();

    create function feedback_record_overdue() returns integer language plpgsql as $$
    declare
      v_count integer := 0;
      v_item record;
    begin
      for v_item in
        insert into feedback_overdue_notice (feedback_id)
        select i.id from feedback_item i
         where i.kind = 'item' and i.withheld is null
           and i.status in ('new', 'in_progress')
           and i.due_at < now()
        on conflict do nothing
        returning feedback_id
      loop
        perform outbox_record('feedback.overdue', i.unit_id, jsonb_build_object(
          'feedbackId', i.id,
          'status', i.status,
          'assigned', i.assignee_user_id is not null,
          'serviceArea', i.service_area_code,
          'dueDay', to_char(i.due_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')))
          from feedback_item i where i.id = v_item.feedback_id;
        v_count := v_count + 1;
      end loop;
      return v_count;
    end $$;

    create function outbox_desk_watched() returns trigger language plpgsql as $$
    begin
      perform outbox_record('suspects.flagged', d.unit_id, jsonb_build_object(
        'desk', d.code,
        'day', to_char(new.day, 'YYYY-MM-DD'),
        'responses', new.responses))
        from desk d where d.id = new.desk_id;
      return null;
    end $$;
    create trigger desk_watch_outbox after insert on desk_watch
      for each row execute function outbox_desk_watched();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger desk_watch_outbox on desk_watch;
    drop function outbox_desk_watched();
    drop function feedback_record_overdue();
    drop table feedback_overdue_notice;
    drop trigger feedback_item_outbox_updated on feedback_item;
    drop function outbox_feedback_updated();
  `.execute(db);
}
