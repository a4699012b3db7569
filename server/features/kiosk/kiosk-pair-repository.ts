import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

export type GuessReservation = { ok: true; id: string } | { ok: false; retryAfterSeconds: number };

/**
 * Counts a guess from `clientKey`, unless the client or everyone together
 * already made their share within the window; then says when the oldest
 * counted guess leaves it. One transaction under one advisory lock: pairing
 * is rare, and two guesses at once must see each other on any node.
 */
export async function reservePairGuess(
  db: Db,
  clientKey: string,
  limits: { perClient: number; overall: number; windowMs: number },
): Promise<GuessReservation> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended('kiosk_pair_guess', 0))`.execute(trx);
    const since = sql`now() - ${`${limits.windowMs} milliseconds`}::interval`;
    await sql`delete from kiosk_pair_guess where at <= ${since}`.execute(trx);
    const { rows } = await sql<{ client: number; overall: number; client_wait: number; overall_wait: number }>`
      select count(*) filter (where client_key = ${clientKey})::int as client,
             count(*)::int as overall,
             coalesce(extract(epoch from min(at) filter (where client_key = ${clientKey}) - ${since}), 0)::float8 as client_wait,
             coalesce(extract(epoch from min(at) - ${since}), 0)::float8 as overall_wait
        from kiosk_pair_guess`.execute(trx);
    const c = rows[0]!;
    const full =
      c.client >= limits.perClient ? c.client_wait : c.overall >= limits.overall ? c.overall_wait : undefined;
    if (full !== undefined) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(full)) };
    const { rows: made } = await sql<{ id: string }>`
      insert into kiosk_pair_guess (client_key) values (${clientKey}) returning id`.execute(trx);
    return { ok: true, id: made[0]!.id };
  });
}

/** A guess that paired a tablet was no guess: it stops counting. */
export async function forgivePairGuess(db: Db, id: string): Promise<void> {
  await sql`delete from kiosk_pair_guess where id = ${id}`.execute(db);
}
