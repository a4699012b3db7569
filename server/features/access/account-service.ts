import { hash } from '@node-rs/argon2';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Role } from '../../platform/db/schema.ts';
import { newSecret, secretHash } from '../../platform/secrets.ts';
import { findUnit, findUnitId, listSubtree } from '../organisation/unit-repository.ts';
import { type Access, ASSIGNABLE_ROLES, accountAccess, LINK_HOURS } from './account-rules.ts';
import { MIN_PASSWORD_LENGTH, normaliseEmail } from './auth-service.ts';
import {
  findUsableLink,
  insertPasswordLink,
  type LinkPurpose,
  revokeOpenLinks,
  useLink,
} from './password-link-repository.ts';
import { revokeUserSessions } from './session-repository.ts';
import {
  type AccountRow,
  findAccount,
  findAccountByEmail,
  insertUserIfNew,
  listAccounts,
  updateUser,
} from './user-repository.ts';

// Staff accounts as admins and managers manage them (issue 13, item 4).
// Nobody types a colleague's password: a new account, and a reset, get a
// one-time link (24 hours, single use, stored as a hash) that the person
// opens to choose their own. A reset takes effect at once: the old password
// stops working and every session ends when the link is issued, not when it
// is used, since a reset often means the password may be known to someone.

export type FormErrors = Record<string, string>;
export interface UnitOption {
  id: number;
  code: string;
  name: string;
  depth: number;
}
export interface IssuedLink {
  token: string;
  expiresAt: Date;
}
export type AccountResult<T = object> =
  | ({ status: 'ok'; id: number } & T)
  | { status: 'not_found' }
  | { status: 'above'; unitId: number | null }
  | { status: 'invalid'; errors: FormErrors };

/** The one place the set-password address is built. */
export function passwordLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/staff/set-password/${token}`;
}

/** The CLI acts as a system administrator; its audit rows say 'cli'. */
export const CLI_ACTOR: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'cli' };

const who = (actor: Actor) => ({ actorUserId: actor.userId, actorLabel: actor.userId === null ? actor.label : null });
const NOT_FOUND = { status: 'not_found' } as const;
const invalid = (errors: FormErrors) => ({ status: 'invalid', errors }) as const;
const SELF = 'Đây là tài khoản của Ông/Bà: không thể tự khóa, đổi vai trò hay đơn vị của mình tại đây.';

/** A password nobody knows: an account waiting for its link, or one just reset. */
const unknownPassword = () => hash(newSecret(32));

/** Active units of the actor's subtree, the choices of the unit field. */
export async function unitOptions(db: Db, actor: Actor): Promise<UnitOption[]> {
  const rows = await listSubtree(db, actor.unitPath);
  const base = rows.length ? Math.min(...rows.map((u) => u.path.split('/').length)) : 0;
  return rows
    .filter((u) => u.active)
    .map((u) => ({ id: u.id, code: u.code, name: u.name, depth: u.path.split('/').length - base }));
}

export interface AccountsPage {
  accounts: (AccountRow & { access: Access })[];
  units: UnitOption[];
  roles: readonly Role[];
  /** A system administrator may create another one without a unit. */
  canNoUnit: boolean;
}

export async function loadAccountsPage(db: Db, actor: Actor): Promise<AccountsPage> {
  const accounts = await listAccounts(db, actor.unitPath);
  return {
    accounts: accounts.map((a) => ({ ...a, access: accountAccess(actor, a) })),
    units: await unitOptions(db, actor),
    roles: ASSIGNABLE_ROLES[actor.role],
    canNoUnit: actor.unitPath === '/',
  };
}

export type AccountPage = Omit<AccountsPage, 'accounts'> & { account: AccountRow; access: Access };

export async function loadAccountPage(db: Db, actor: Actor, userId: number): Promise<AccountPage | undefined> {
  const account = await findAccount(db, userId);
  if (!account) return undefined;
  const access = accountAccess(actor, account);
  if (access === 'out_of_scope') return undefined;
  return {
    account,
    access,
    units: await unitOptions(db, actor),
    roles: ASSIGNABLE_ROLES[actor.role],
    canNoUnit: actor.unitPath === '/',
  };
}

/** The role and unit asked for, checked against what the actor may give. */
async function checkPlacement(
  db: Db,
  actor: Actor,
  input: { role: Role; unitId: number | null },
  current?: AccountRow,
): Promise<{ unitCode: string | null } | { errors: FormErrors }> {
  const errors: FormErrors = {};
  if (!ASSIGNABLE_ROLES[actor.role].includes(input.role)) errors.role = 'Ông/Bà không thể giao vai trò này.';
  let unitCode: string | null = null;
  if (input.unitId === null) {
    if (input.role !== 'admin' || actor.unitPath !== '/') {
      errors.unitId = 'Vui lòng chọn đơn vị (chỉ quản trị hệ thống mới không thuộc đơn vị nào).';
    }
  } else {
    // Out of scope, inactive or missing: one message, nothing told apart.
    const unit = (await unitOptions(db, actor)).find((u) => u.id === input.unitId);
    if (unit) unitCode = unit.code;
    else if (current && current.unitId === input.unitId) unitCode = current.unitCode;
    else errors.unitId = 'Vui lòng chọn một đơn vị đang hoạt động thuộc phạm vi của Ông/Bà.';
  }
  return Object.keys(errors).length ? { errors } : { unitCode };
}

async function issueLink(db: Db, actor: Actor, userId: number, purpose: LinkPurpose): Promise<IssuedLink> {
  const token = newSecret(32);
  const expiresAt = new Date(Date.now() + LINK_HOURS * 3_600_000);
  await revokeOpenLinks(db, userId);
  await insertPasswordLink(db, { tokenHash: secretHash(token), userId, purpose, createdBy: actor.userId, expiresAt });
  return { token, expiresAt };
}

export async function createAccount(
  db: Db,
  actor: Actor,
  input: { email: string; name: string; role: Role; unitId: number | null },
): Promise<AccountResult<{ link: IssuedLink }>> {
  const placed = await checkPlacement(db, actor, input);
  if ('errors' in placed) return invalid(placed.errors);
  const email = normaliseEmail(input.email);
  const passwordHash = await unknownPassword();
  return db.transaction().execute(async (trx) => {
    const id = await insertUserIfNew(trx, {
      email,
      name: input.name,
      passwordHash,
      role: input.role,
      unitId: input.unitId,
    });
    if (!id) return invalid({ email: 'Đã có tài khoản dùng thư điện tử này.' });
    const link = await issueLink(trx, actor, id, 'create');
    await recordAudit(trx, {
      ...who(actor),
      unitId: input.unitId,
      action: 'user.create',
      detail: { email, role: input.role, unit: placed.unitCode },
    });
    return { status: 'ok', id, link } as const;
  });
}

/** The account if the actor may change it, else why not. */
async function target(
  db: Db,
  actor: Actor,
  userId: number,
): Promise<AccountRow | Exclude<AccountResult, { status: 'ok' }>> {
  const account = await findAccount(db, userId);
  const access = account ? accountAccess(actor, account) : 'out_of_scope';
  if (!account || access === 'out_of_scope') return NOT_FOUND;
  if (access === 'above') return { status: 'above', unitId: account.unitId };
  if (access === 'self') return invalid({ form: SELF });
  return account;
}

export async function updateAccount(
  db: Db,
  actor: Actor,
  userId: number,
  input: { role: Role; unitId: number | null },
): Promise<AccountResult> {
  const account = await target(db, actor, userId);
  if ('status' in account) return account;
  const placed = await checkPlacement(db, actor, input, account);
  if ('errors' in placed) return invalid(placed.errors);
  if (account.role === input.role && account.unitId === input.unitId) return { status: 'ok', id: userId };
  await db.transaction().execute(async (trx) => {
    // The session reads the role and unit afresh on every request: the change holds from the next one.
    await updateUser(trx, userId, { role: input.role, unitId: input.unitId });
    await recordAudit(trx, {
      ...who(actor),
      unitId: input.unitId ?? account.unitId,
      action: 'user.update',
      detail: {
        email: account.email,
        roleFrom: account.role,
        role: input.role,
        unitFrom: account.unitCode,
        unit: placed.unitCode,
      },
    });
  });
  return { status: 'ok', id: userId };
}

export async function setAccountActive(db: Db, actor: Actor, userId: number, active: boolean): Promise<AccountResult> {
  const account = await target(db, actor, userId);
  if ('status' in account) return account;
  if (account.active === active) return { status: 'ok', id: userId };
  await db.transaction().execute(async (trx) => {
    await updateUser(trx, userId, { active });
    if (!active) {
      // Signed out at once, and no link left to come back in with.
      await revokeUserSessions(trx, userId);
      await revokeOpenLinks(trx, userId);
    }
    await recordAudit(trx, {
      ...who(actor),
      unitId: account.unitId,
      action: active ? 'user.reactivate' : 'user.deactivate',
      detail: { email: account.email },
    });
  });
  return { status: 'ok', id: userId };
}

export async function resetAccountPassword(
  db: Db,
  actor: Actor,
  userId: number,
): Promise<AccountResult<{ link: IssuedLink }>> {
  const account = await target(db, actor, userId);
  if ('status' in account) return account;
  if (!account.active)
    return invalid({ reset: 'Tài khoản đang bị khóa. Vui lòng mở khóa trước khi cấp lại mật khẩu.' });
  const passwordHash = await unknownPassword();
  const link = await db.transaction().execute(async (trx) => {
    await updateUser(trx, userId, { passwordHash });
    await revokeUserSessions(trx, userId);
    const issued = await issueLink(trx, actor, userId, 'reset');
    await recordAudit(trx, {
      ...who(actor),
      unitId: account.unitId,
      action: 'user.reset_password',
      detail: { email: account.email },
    });
    return issued;
  });
  return { status: 'ok', id: userId, link };
}

/** Whether a link can still be used; the page shows the same message for every other case. */
export async function passwordLinkUsable(db: Db, token: string): Promise<boolean> {
  return Boolean(await findUsableLink(db, secretHash(token)));
}

export type LinkUse = { status: 'ok' | 'too_short' | 'invalid_link' };

export async function setPasswordWithLink(db: Db, token: string, password: string): Promise<LinkUse> {
  const tokenHash = secretHash(token);
  if (!(await findUsableLink(db, tokenHash))) return { status: 'invalid_link' };
  if ([...password].length < MIN_PASSWORD_LENGTH) return { status: 'too_short' };
  const passwordHash = await hash(password);
  return db.transaction().execute(async (trx) => {
    // Checked again as it is used up: of two posts of one link, one wins.
    const used = await useLink(trx, tokenHash);
    if (!used) return { status: 'invalid_link' } as const;
    await updateUser(trx, used.userId, { passwordHash });
    await revokeUserSessions(trx, used.userId);
    await revokeOpenLinks(trx, used.userId);
    const account = await findAccount(trx, used.userId);
    await recordAudit(trx, { actorUserId: used.userId, unitId: account?.unitId, action: 'password.set_by_link' });
    return { status: 'ok' } as const;
  });
}

/** For the CLI: the accounts of a unit's subtree (every account without a code). */
export async function listAccountsUnder(db: Db, unitCode?: string): Promise<AccountRow[] | undefined> {
  if (!unitCode) return listAccounts(db, '/');
  const unitId = await findUnitId(db, unitCode);
  const unit = unitId ? await findUnit(db, unitId) : undefined;
  return unit ? listAccounts(db, unit.path) : undefined;
}

/** For the CLI: an account's id by its email. */
export async function accountIdByEmail(db: Db, email: string): Promise<number | undefined> {
  return (await findAccountByEmail(db, normaliseEmail(email)))?.id;
}
