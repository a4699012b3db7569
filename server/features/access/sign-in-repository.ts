import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Password checks (sign-in, and the current password of a password change)
// are reserved as rows before argon2 runs, so that requests in parallel
// count each other: counting first and recording after the check let 30
// parallel guesses through a limit of 5 (issue 11).

export type AttemptPurpose = 'sign_in' | 'password_change';

/** Ceilings on unsettled or failed checks within the window; an absent one is not enforced. */
export interface AttemptLimits {
  /** This account from this client. */
  pair?: number;
  /** This client, whatever the account. */
  client?: number;
  /** This account, whatever the client. */
  account?: number;
}

export type Reservation =
  | { status: 'reserved'; id: string; accountFailures: number }
  | { status: 'throttled'; accountFailures: number };

/**
 * Counts the failures and, under the limits, inserts the attempt, in one
 * transaction that holds an advisory lock on `lockKey`. Every limit enforced
 * must be scoped by what the lock covers (the client for sign-in, the
 * account for a password change), or two requests could both see room for
 * one more. Unsettled rows count as failures: a check in flight, or one a
 * crash interrupted, is not a free try.
 */
export async function reserveAttempt(
  db: Db,
  a: {
    purpose: AttemptPurpose;
    email: string;
    clientKey: string;
    lockKey: string;
    since: Date;
    limits: AttemptLimits;
  },
): Promise<Reservation> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`${a.purpose}:${a.lockKey}`}, 0))`.execute(trx);
    const row = await trx
      .selectFrom('sign_in_attempt')
      .select((eb) => [
        eb.fn
          .countAll<string>()
          .filterWhere((f) => f.and([f('email', '=', a.email), f('client_key', '=', a.clientKey)]))
          .as('pair'),
        eb.fn.countAll<string>().filterWhere('client_key', '=', a.clientKey).as('client'),
        eb.fn.countAll<string>().filterWhere('email', '=', a.email).as('account'),
      ])
      .where('purpose', '=', a.purpose)
      .where('at', '>', a.since)
      .where(sql<boolean>`succeeded is not true`)
      .where((eb) => eb.or([eb('email', '=', a.email), eb('client_key', '=', a.clientKey)]))
      .executeTakeFirstOrThrow();
    const counts = { pair: Number(row.pair), client: Number(row.client), account: Number(row.account) };
    const over = (['pair', 'client', 'account'] as const).some((k) => {
      const limit = a.limits[k];
      return limit !== undefined && counts[k] >= limit;
    });
    if (over) return { status: 'throttled', accountFailures: counts.account };
    const inserted = await trx
      .insertInto('sign_in_attempt')
      .values({ purpose: a.purpose, email: a.email, client_key: a.clientKey, succeeded: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { status: 'reserved', id: inserted.id, accountFailures: counts.account };
  });
}

/** Records how a reserved check ended; only a success stops it counting. */
export async function settleAttempt(db: Db, id: string, succeeded: boolean): Promise<void> {
  await db.updateTable('sign_in_attempt').set({ succeeded }).where('id', '=', id).execute();
}
