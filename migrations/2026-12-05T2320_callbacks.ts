import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Callbacks after a low score, and the citizen's second rating of the
// handling (issue 18, part 4).
//
// feedback_callback holds the phone number or e-mail a citizen chose to
// leave after a score of 1–2: one per item, in a table of its own so that
// nothing that reads answers, items or events (reports, exports, the API,
// webhooks) ever joins it. delete_after is set when the item closes (30 days
// later, Decree 356/2025 on personal data); the hourly purge deletes rows of
// items closed that long ago.
//
// feedback_handling_rating is the second rating, once per item: whether the
// citizen was satisfied with how their feedback was handled. The day only,
// like everything else tied to a citizen.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table feedback_callback (
      feedback_id integer primary key references feedback_item (id) on delete cascade,
      contact_kind text not null check (contact_kind in ('phone', 'email')),
      contact text not null check (length(contact) between 3 and 254),
      created_at timestamptz not null default now(),
      called_back_at timestamptz,
      called_back_by integer references app_user (id) on delete set null,
      delete_after timestamptz
    );

    create function feedback_callback_schedule_deletion() returns trigger language plpgsql as $$
    begin
      update feedback_callback
         set delete_after = new.closed_at + interval '30 days'
       where feedback_id = new.id;
      return null;
    end $$;
    create trigger feedback_item_close_schedules_callback_deletion after update of closed_at on feedback_item
      for each row
      when (new.closed_at is not null and new.closed_at is distinct from old.closed_at)
      execute function feedback_callback_schedule_deletion();

    create table feedback_handling_rating (
      feedback_id integer primary key references feedback_item (id) on delete cascade,
      satisfied boolean not null,
      rated_on date not null default (now() at time zone 'Asia/Ho_Chi_Minh')::date
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table feedback_handling_rating;
    drop trigger feedback_item_close_schedules_callback_deletion on feedback_item;
    drop function feedback_callback_schedule_deletion();
    drop table feedback_callback;
  `.execute(db);
}
