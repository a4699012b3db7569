import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports application types.
//
// Guesses at kiosk pairing codes were counted in each server process's
// memory: behind a load balancer with two nodes a guesser had twice the
// tries (issue 19, stateless nodes). They are now rows, counted by every
// node alike. Kept only for the ten-minute window (each reservation deletes
// what is older); the client is a hash of its address, never the address.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table kiosk_pair_guess (
      id bigint generated always as identity primary key,
      client_key text not null check (length(client_key) between 16 and 64),
      at timestamptz not null default now()
    );
    create index kiosk_pair_guess_at_idx on kiosk_pair_guess (at);
    create index kiosk_pair_guess_client_idx on kiosk_pair_guess (client_key, at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table kiosk_pair_guess`.execute(db);
}
