import type { Db } from '../db/connect.ts';

export async function insertTransactionCode(
  db: Db,
  c: { codeHash: string; deskId: number; serviceArea: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('transaction_code')
    .values({ code_hash: c.codeHash, desk_id: c.deskId, service_area_code: c.serviceArea, expires_at: c.expiresAt })
    .execute();
}

export interface CodeState {
  deskCode: string;
  serviceArea: string;
  usable: boolean;
}

/** The desk and area a code was issued for, and whether it can still be used. */
export async function findTransactionCode(db: Db, codeHash: string): Promise<CodeState | undefined> {
  const row = await db
    .selectFrom('transaction_code as c')
    .innerJoin('desk as d', 'd.id', 'c.desk_id')
    .select((eb) => [
      'd.code as deskCode',
      'c.service_area_code as serviceArea',
      eb.and([eb('c.used', '=', false), eb('c.expires_at', '>', new Date())]).as('usable'),
    ])
    .where('c.code_hash', '=', codeHash)
    .executeTakeFirst();
  return row && { ...row, usable: Boolean(row.usable) };
}

/**
 * Marks a code used if it still can be. The row lock makes concurrent
 * attempts queue; exactly one of them sees `true`.
 */
export async function consumeTransactionCode(db: Db, codeHash: string): Promise<boolean> {
  const row = await db
    .updateTable('transaction_code')
    .set({ used: true })
    .where('code_hash', '=', codeHash)
    .where('used', '=', false)
    .where('expires_at', '>', new Date())
    .returning('code_hash')
    .executeTakeFirst();
  return Boolean(row);
}
