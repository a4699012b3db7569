import type { Db } from '../db/connect.ts';

export async function recordSignInAttempt(
  db: Db,
  a: { email: string; clientKey: string; succeeded: boolean },
): Promise<void> {
  await db
    .insertInto('sign_in_attempt')
    .values({ email: a.email, client_key: a.clientKey, succeeded: a.succeeded })
    .execute();
}

/** Failed attempts since `since`, for an account and for a client. */
export async function recentFailures(
  db: Db,
  q: { email: string; clientKey: string; since: Date },
): Promise<{ forEmail: number; forClient: number }> {
  const row = await db
    .selectFrom('sign_in_attempt')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('email', '=', q.email).as('forEmail'),
      eb.fn.countAll<string>().filterWhere('client_key', '=', q.clientKey).as('forClient'),
    ])
    .where('succeeded', '=', false)
    .where('at', '>', q.since)
    .where((eb) => eb.or([eb('email', '=', q.email), eb('client_key', '=', q.clientKey)]))
    .executeTakeFirstOrThrow();
  return { forEmail: Number(row.forEmail), forClient: Number(row.forClient) };
}
