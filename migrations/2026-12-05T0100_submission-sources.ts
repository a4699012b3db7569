import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Every channel has an owner, and the anti-stuffing checks punish the source
// of a flood rather than the desk it floods (issue 11):
// - API keys gain a `submit` role for kiosk apps and one-stop software, with
//   the channels each key may post on;
// - a response carries a keyed hash of the render token it came with, so a
//   page replayed for many submissions is seen (erased with the client key);
// - a desk whose volume turns abnormal is put under watch for the day, which
//   reviewers see even when no single source could be flagged;
// - server secrets that must survive a restart (the form secret when
//   FORM_SECRET is not set) are kept in the database, where every server
//   process of an installation finds the same one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table api_key drop constraint api_key_role_check;
    alter table api_key add constraint api_key_role_check check (role in ('official', 'manager', 'submit'));
    alter table api_key add column channels text[] not null default '{}'
      check (channels <@ array['api', 'kiosk', 'paper', 'link']::text[]);
    alter table api_key add constraint api_key_submit_channels_check
      check (role <> 'submit' or cardinality(channels) > 0);

    alter table response add column render_key text check (render_key ~ '^[0-9a-f]{32}$');
    create index response_render_key_idx on response (desk_id, render_key) where render_key is not null;

    create table desk_watch (
      desk_id int not null references desk (id),
      day date not null,
      -- Responses that arrived while the desk was under watch that day.
      responses int not null check (responses > 0),
      primary key (desk_id, day)
    );

    create table app_secret (
      name text primary key check (name ~ '^[a-z][a-z0-9_-]{0,40}$'),
      secret bytea not null check (length(secret) >= 32),
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table app_secret;
    drop table desk_watch;
    drop index response_render_key_idx;
    alter table response drop column render_key;
    delete from api_key where role = 'submit';
    alter table api_key drop constraint api_key_submit_channels_check;
    alter table api_key drop column channels;
    alter table api_key drop constraint api_key_role_check;
    alter table api_key add constraint api_key_role_check check (role in ('official', 'manager'));
  `.execute(db);
}
