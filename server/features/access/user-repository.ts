import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { Role } from '../../platform/db/schema.ts';

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  role: Role;
  unitId: number | null;
  /** '/' for an admin without a unit: everything is below it. */
  unitPath: string;
  unitName: string | null;
  passwordHash: string;
  active: boolean;
}

function selectUser(db: Db) {
  return db
    .selectFrom('app_user as a')
    .leftJoin('unit as u', 'u.id', 'a.unit_id')
    .select((eb) => [
      'a.id',
      'a.email',
      'a.name',
      'a.role',
      'a.unit_id as unitId',
      eb.fn.coalesce('u.path', eb.val('/')).as('unitPath'),
      'u.name as unitName',
      'a.password_hash as passwordHash',
      'a.active',
    ]);
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | undefined> {
  return selectUser(db).where('a.email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Db, id: number): Promise<UserRecord | undefined> {
  return selectUser(db).where('a.id', '=', id).executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('app_user')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertUser(
  db: Db,
  u: { email: string; name: string; passwordHash: string; role: Role; unitId: number | null },
): Promise<number> {
  const row = await db
    .insertInto('app_user')
    .values({ email: u.email, name: u.name, password_hash: u.passwordHash, role: u.role, unit_id: u.unitId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePasswordHash(db: Db, userId: number, passwordHash: string): Promise<void> {
  await db.updateTable('app_user').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** A race-safe insert: undefined when the email is taken. */
export async function insertUserIfNew(
  db: Db,
  u: { email: string; name: string; passwordHash: string; role: Role; unitId: number | null },
): Promise<number | undefined> {
  const row = await db
    .insertInto('app_user')
    .values({ email: u.email, name: u.name, password_hash: u.passwordHash, role: u.role, unit_id: u.unitId })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function recordSignIn(db: Db, userId: number): Promise<void> {
  await db.updateTable('app_user').set({ last_sign_in_at: new Date() }).where('id', '=', userId).execute();
}

export async function updateUser(
  db: Db,
  userId: number,
  set: { role?: Role; unitId?: number | null; active?: boolean; passwordHash?: string },
): Promise<void> {
  await db
    .updateTable('app_user')
    .set({
      ...(set.role !== undefined ? { role: set.role } : {}),
      ...(set.unitId !== undefined ? { unit_id: set.unitId } : {}),
      ...(set.active !== undefined ? { active: set.active } : {}),
      ...(set.passwordHash !== undefined ? { password_hash: set.passwordHash } : {}),
    })
    .where('id', '=', userId)
    .execute();
}

export interface AccountRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  unitId: number | null;
  unitPath: string;
  unitCode: string | null;
  unitName: string | null;
  active: boolean;
  lastSignInAt: Date | null;
}

function selectAccounts(db: Db) {
  return db
    .selectFrom('app_user as a')
    .leftJoin('unit as u', 'u.id', 'a.unit_id')
    .select((eb) => [
      'a.id',
      'a.email',
      'a.name',
      'a.role',
      'a.unit_id as unitId',
      eb.fn.coalesce('u.path', eb.val('/')).as('unitPath'),
      'u.code as unitCode',
      'u.name as unitName',
      'a.active',
      'a.last_sign_in_at as lastSignInAt',
    ]);
}

/**
 * Accounts whose unit is in the subtree at `scopePath` (filtered here, so no
 * other unit's account leaves the database); accounts without a unit (the
 * system administrators) only for the root scope '/'. `unitId` narrows to one
 * unit.
 */
export async function listAccounts(db: Db, scopePath: string, unitId?: number): Promise<AccountRow[]> {
  return selectAccounts(db)
    .where((eb) => (scopePath === '/' ? eb.val(true) : eb('u.path', 'like', `${scopePath}%`)))
    .$if(unitId !== undefined, (qb) => qb.where('a.unit_id', '=', unitId!))
    .orderBy(sql`u.path nulls first`)
    .orderBy('a.name')
    .orderBy('a.id')
    .execute();
}

/** One account by id, whatever its unit; the caller checks the actor's reach. */
export async function findAccount(db: Db, userId: number): Promise<AccountRow | undefined> {
  return selectAccounts(db).where('a.id', '=', userId).executeTakeFirst();
}

export async function findAccountByEmail(db: Db, email: string): Promise<AccountRow | undefined> {
  return selectAccounts(db).where('a.email', '=', email).executeTakeFirst();
}
