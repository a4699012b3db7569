import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Keys for machine clients, scoped to a unit and its subtree. Only a
    -- SHA-256 of the key is kept: keys are 256-bit random, so a slow password
    -- hash would add nothing but latency.
    create table api_key (
      id integer generated always as identity primary key,
      unit_id integer not null references unit (id),
      role text not null check (role in ('official', 'manager')),
      label text not null check (length(label) between 1 and 200),
      key_prefix text not null,
      key_hash text not null unique,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    );

    -- One-time codes printed on a receipt. Only the hash of the code is kept,
    -- no dossier reference, no time of use and no link to the response, so a
    -- response cannot be traced back to a dossier.
    create table transaction_code (
      code_hash text primary key,
      desk_id integer not null references desk (id),
      service_area_code text not null references service_area (code),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used boolean not null default false
    );
    create index transaction_code_desk_idx on transaction_code (desk_id, created_at);

    alter table response add column verified boolean not null default false;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table response drop column verified;
    drop table transaction_code;
    drop table api_key;
  `.execute(db);
}
