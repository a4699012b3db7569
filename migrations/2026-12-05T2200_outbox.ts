import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// A transactional outbox and signed webhooks (issue 18, parts 1 and 2).
//
// - outbox_event: one row per thing that happened, written in the same
//   transaction as the thing itself, so an event exists exactly when its
//   cause was committed. `data` never holds personal data: no comment text,
//   no time finer than the local day.
// - outbox_record(): the one writer. It inserts the event and, for every
//   webhook endpoint that wants it (its unit's subtree holds the event's
//   unit, the event is in its list, not paused), a webhook_delivery row and
//   a graphile-worker job, still in that transaction: a rollback takes the
//   event, the deliveries and the jobs with it. The job queue's schema
//   (graphile_worker) is installed by server/setup.ts at every start, after
//   the migrations; PL/pgSQL resolves add_job only when a delivery exists.
// - Feedback items are opened by triggers (feedback_open_items on answers,
//   feedback_follow_flag when a suspect response is counted after all), so
//   `feedback.created` comes from a row trigger on feedback_item itself: it
//   sees every way an item is created, in the creating transaction.
// - `response.low_score`: an overall score of 1 or 2 on a response that is
//   not suspect when stored, from a statement trigger on answer.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table outbox_event (
      id uuid primary key default gen_random_uuid(),
      event text not null check (event ~ '^[a-z][a-z_]*\\.[a-z][a-z_]*$'),
      unit_id integer not null references unit (id),
      created_at timestamptz not null default now(),
      data jsonb not null default '{}'::jsonb check (jsonb_typeof(data) = 'object')
    );
    create index outbox_event_created_idx on outbox_event (created_at);
    create index outbox_event_unit_idx on outbox_event (unit_id);

    create table webhook_endpoint (
      id bigint generated always as identity primary key,
      unit_id integer not null references unit (id),
      url text not null check (length(url) between 8 and 2000),
      events text[] not null check (cardinality(events) between 1 and 20),
      -- Kept as given: the HMAC needs it. Never shown again after it is set.
      secret text not null check (length(secret) between 16 and 200),
      created_by text not null,
      created_at timestamptz not null default now(),
      paused_at timestamptz,
      failing_since timestamptz
    );
    create index webhook_endpoint_unit_idx on webhook_endpoint (unit_id);

    create table webhook_delivery (
      -- The delivery id the receiver sees in the body: retries keep it.
      id uuid primary key default gen_random_uuid(),
      endpoint_id bigint not null references webhook_endpoint (id) on delete cascade,
      event_id uuid not null references outbox_event (id) on delete cascade,
      status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'failed')),
      attempts integer not null default 0,
      last_status_code integer,
      last_error text check (length(last_error) <= 500),
      last_duration_ms integer,
      -- pending: when the next attempt is due; sending: when the attempt's
      -- lease ends (a worker killed mid-attempt leaves it to the sweep).
      next_attempt_at timestamptz not null default now(),
      delivered_at timestamptz,
      created_at timestamptz not null default now(),
      unique (endpoint_id, event_id)
    );
    create index webhook_delivery_event_idx on webhook_delivery (event_id);
    create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at)
      where status in ('pending', 'sending');

    create function outbox_record(p_event text, p_unit_id integer, p_data jsonb) returns uuid
    language plpgsql as $$
    declare
      v_event uuid;
      v_delivery record;
    begin
      insert into outbox_event (event, unit_id, data) values (p_event, p_unit_id, p_data)
      returning id into v_event;
      for v_delivery in
        insert into webhook_delivery (endpoint_id, event_id)
        select e.id, v_event
          from webhook_endpoint e
          join unit eu on eu.id = e.unit_id
          join unit u on u.id = p_unit_id
         where e.paused_at is null
           and p_event = any (e.events)
           and u.path like eu.path || '%'
        returning id
      loop
        perform graphile_worker.add_job(
          'webhook_deliver',
          json_build_object('deliveryId', v_delivery.id),
          job_key => 'webhook_delivery:' || v_delivery.id,
          max_attempts => 10);
      end loop;
      return v_event;
    end $$;

    create function outbox_feedback_created() returns trigger language plpgsql as $$
    begin
      perform outbox_record('feedback.created', new.unit_id, jsonb_build_object(
        'feedbackId', new.id,
        'kind', new.kind,
        'reason', new.reason,
        'desk', (select d.code from desk d where d.id = new.desk_id),
        'serviceArea', new.service_area_code,
        'score', (select a.value_num from answer a
                   where a.response_id = new.response_id and a.indicator_key = 'overall'),
        'day', (select to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')
                  from response r where r.id = new.response_id)));
      return null;
    end $$;
    create trigger feedback_item_outbox after insert on feedback_item
      for each row execute function outbox_feedback_created();

    create function outbox_low_scores() returns trigger language plpgsql as $$
    begin
      perform outbox_record('response.low_score', r.unit_id, jsonb_build_object(
                'desk', d.code,
                'serviceArea', r.service_area_code,
                'score', n.value_num,
                'day', to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')))
         from new_answers n
         join response r on r.id = n.response_id
         left join desk d on d.id = r.desk_id
        where n.indicator_key = 'overall' and n.value_num between 1 and 2 and not r.suspect;
      return null;
    end $$;
    create trigger answer_outbox_low_score after insert on answer
      referencing new table as new_answers
      for each statement execute function outbox_low_scores();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger answer_outbox_low_score on answer;
    drop function outbox_low_scores();
    drop trigger feedback_item_outbox on feedback_item;
    drop function outbox_feedback_created();
    drop function outbox_record(text, integer, jsonb);
    drop table webhook_delivery;
    drop table webhook_endpoint;
    drop table outbox_event;
  `.execute(db);
}
