import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Low-score alerts by e-mail (issue 18, part 3): each `response.low_score`
// event queues the job that mails the unit's managers, in the transaction
// that recorded the event. One job per unit (its job key): later low scores
// find it waiting and leave its time alone (preserve_run_at), so they ride
// in the same mail. The job runs at once, or when the unit's 15-minute
// window since its last mail ends; the job itself checks the window again
// under a row lock, since a job already running when an event arrives is
// not the waiting one and a second one is queued. graphile_worker.add_job is
// resolved when the trigger runs (the queue's schema is installed by
// server/setup.ts after the migrations), as in outbox_record.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function outbox_queue_low_score_mail() returns trigger language plpgsql as $$
    begin
      perform graphile_worker.add_job(
        'mail_low_scores',
        json_build_object('unitId', new.unit_id),
        run_at => greatest(now(), (select t.last_sent_at + interval '15 minutes'
                                     from mail_throttle t
                                    where t.unit_id = new.unit_id and t.kind = 'low_score')),
        job_key => 'mail_low_scores:' || new.unit_id,
        job_key_mode => 'preserve_run_at');
      return null;
    end $$;
    create trigger outbox_event_low_score_mail after insert on outbox_event
      for each row when (new.event = 'response.low_score')
      execute function outbox_queue_low_score_mail();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger outbox_event_low_score_mail on outbox_event;
    drop function outbox_queue_low_score_mail();
  `.execute(db);
}
