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
