import { type Kysely, sql } from 'kysely';

// Counter tablets (issue 15): a tablet paired to one desk by a short-lived
// code, holding a long-lived credential of which only the hash is kept; the
// invitations a clerk or the one-stop software sends it, each a one-time
// token for one transaction; and the device a kiosk response came from.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table desk add column kiosk_idle_seconds integer not null default 10
      check (kiosk_idle_seconds between 3 and 120);

    create table kiosk_device (
      id serial primary key,
      desk_id integer not null references desk (id),
      token_hash text not null unique,
      paired_at timestamptz not null default now(),
      paired_by_user_id integer references app_user (id),
      paired_by_key_id integer references api_key (id),
      last_seen_at timestamptz,
      queued integer not null default 0 check (queued >= 0),
      last_answered_at timestamptz,
      revoked_at timestamptz,
      revoked_by_user_id integer references app_user (id),
      revoked_by_key_id integer references api_key (id)
    );
    create index kiosk_device_desk on kiosk_device (desk_id);

    create table kiosk_pairing (
      id serial primary key,
      desk_id integer not null references desk (id),
      code_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      created_by_user_id integer references app_user (id),
      created_by_key_id integer references api_key (id),
      used_at timestamptz,
      device_id integer references kiosk_device (id)
    );

    create table kiosk_invitation (
      id bigserial primary key,
      desk_id integer not null references desk (id),
      service_area_code text not null references service_area (code),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      created_by_user_id integer references app_user (id),
      created_by_key_id integer references api_key (id),
      used_at timestamptz,
      used_by_device_id integer references kiosk_device (id)
    );
    create index kiosk_invitation_desk on kiosk_invitation (desk_id, id);

    alter table response add column kiosk_device_id integer references kiosk_device (id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table response drop column kiosk_device_id;
    drop table kiosk_invitation;
    drop table kiosk_pairing;
    drop table kiosk_device;
    alter table desk drop column kiosk_idle_seconds;
  `.execute(db);
}
