import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Staff and officials. A role holds over one unit and its subtree; an
    -- admin without a unit holds over everything.
    create table app_user (
      id integer generated always as identity primary key,
      email text not null unique check (email = lower(email) and length(email) between 3 and 254),
      name text not null check (length(name) between 1 and 200),
      password_hash text not null,
      role text not null check (role in ('admin', 'official', 'manager', 'staff')),
      unit_id integer references unit (id),
      active boolean not null default true,
      created_at timestamptz not null default now(),
      check (role = 'admin' or unit_id is not null)
    );

    -- Server-side sessions: the cookie carries a random token, the table its
    -- hash, so a leaked table cannot be replayed as cookies.
    create table user_session (
      token_hash text primary key,
      user_id integer not null references app_user (id),
      csrf_token text not null,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz
    );
    create index user_session_user_idx on user_session (user_id);

    -- Failed and successful sign-ins, for throttling per account and per
    -- client; the client is a keyed hash, never the address itself.
    create table sign_in_attempt (
      id bigint generated always as identity primary key,
      email text not null,
      client_key text not null,
      succeeded boolean not null,
      at timestamptz not null default now()
    );
    create index sign_in_attempt_email_idx on sign_in_attempt (email, at);
    create index sign_in_attempt_client_idx on sign_in_attempt (client_key, at);

    create table audit_event (
      id bigint generated always as identity primary key,
      at timestamptz not null default now(),
      actor_user_id integer references app_user (id),
      actor_key_id integer references api_key (id),
      actor_label text,
      unit_id integer references unit (id),
      action text not null,
      detail jsonb not null default '{}'
    );
    create index audit_event_unit_idx on audit_event (unit_id, at);
    create index audit_event_at_idx on audit_event (at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table audit_event; drop table sign_in_attempt; drop table user_session; drop table app_user;`.execute(
    db,
  );
}
