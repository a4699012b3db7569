import { randomBytes } from 'node:crypto';
import type { Db } from './connect.ts';

/**
 * The named server secret, made on first use and kept in the database, so
 * that it survives restarts and every server process of an installation
 * shares it. Two processes starting at once both try to insert; the loser's
 * row is dropped and both read the winner's.
 */
export async function storedSecret(db: Db, name: string): Promise<Buffer> {
  await db
    .insertInto('app_secret')
    .values({ name, secret: randomBytes(32) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('app_secret').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return row.secret;
}
