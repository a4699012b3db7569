import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { hash, verify } from '@node-rs/argon2';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Role } from '../../platform/db/schema.ts';
import { newSecret, secretHash } from '../../platform/secrets.ts';
import { findUnitId } from '../organisation/unit-repository.ts';
import { findSession, insertSession, revokeOtherSessions, revokeSession, touchSession } from './session-repository.ts';
import { reserveAttempt, settleAttempt } from './sign-in-repository.ts';
import { findUserByEmail, findUserById, insertUser, recordSignIn, updatePasswordHash } from './user-repository.ts';

// Sign-in with argon2id, server-side sessions with idle and absolute
// timeouts, throttling per (account, client) and per client.

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;
export const THROTTLE_WINDOW_MS = 15 * 60_000;
/** Failed sign-ins to one account from one client address before that address must wait. */
export const MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5;
/** Failed sign-ins from one client address, whatever the accounts. */
export const MAX_FAILURES_PER_CLIENT = 20;
/**
 * The account-wide guard against guesses spread over many addresses only
 * slows, it never locks: a lock would hand any outsider a switch that shuts
 * an official out from everywhere (the denial of service of issue 11).
 * Past this many failures from all addresses, each check of the account
 * waits ACCOUNT_SLOW_MS first, so the owner still gets in, a little later.
 * The per-address limits above are what bound the guessing; the wait makes
 * each spread guess hold a connection longer.
 */
export const ACCOUNT_SLOW_AFTER = 10;
export const ACCOUNT_SLOW_MS = 2_000;
/** Wrong current passwords on the password form, per account: the session is already someone's. */
export const MAX_WRONG_CURRENT_PASSWORDS = 5;
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Client addresses are only kept as a keyed hash, keyed by the server's form
 * secret (which every process of an installation shares and which survives
 * restarts, so the counts do too): enough to throttle, useless to trace anyone.
 */
export function clientKey(secret: Buffer, address: string): string {
  return createHmac('sha256', secret).update(`sign-in/${address}`).digest('hex').slice(0, 32);
}

export const normaliseEmail = (email: string) => email.normalize('NFC').trim().toLowerCase();

// A fixed hash to verify against when the account does not exist, so that
// the answer takes as long either way.
let dummyHash: Promise<string> | undefined;

export interface SessionUser extends Actor {
  userId: number;
  email: string;
  name: string;
  unitName: string | null;
  csrfToken: string;
  tokenHash: string;
}

export type SignInResult =
  | { status: 'ok'; token: string; userId: number }
  | { status: 'invalid' }
  | { status: 'throttled' };

export async function signIn(
  db: Db,
  input: { email: string; password: string; clientKey: string },
): Promise<SignInResult> {
  const email = normaliseEmail(input.email);
  // The attempt is reserved before the password is checked; the lock is the
  // client's, which covers both limits enforced here.
  const reserved = await reserveAttempt(db, {
    purpose: 'sign_in',
    email,
    clientKey: input.clientKey,
    lockKey: input.clientKey,
    since: new Date(Date.now() - THROTTLE_WINDOW_MS),
    limits: { pair: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT, client: MAX_FAILURES_PER_CLIENT },
  });
  if (reserved.status === 'throttled') {
    await recordAudit(db, { actorLabel: email, action: 'sign_in.throttled' });
    return { status: 'throttled' };
  }
  if (reserved.accountFailures >= ACCOUNT_SLOW_AFTER) await sleep(ACCOUNT_SLOW_MS);
  const user = await findUserByEmail(db, email);
  dummyHash ??= hash(newSecret(16));
  let ok = false;
  if (user?.active) ok = await verify(user.passwordHash, input.password);
  else await verify(await dummyHash, input.password);
  await settleAttempt(db, reserved.id, ok);
  if (!ok || !user) {
    await recordAudit(db, { actorLabel: email, unitId: user?.unitId, action: 'sign_in.failure' });
    return { status: 'invalid' };
  }
  // A new token at every sign-in: nothing set before it can ride on it.
  const token = newSecret(32);
  await insertSession(db, {
    tokenHash: secretHash(token),
    userId: user.id,
    csrfToken: newSecret(24),
    expiresAt: new Date(Date.now() + SESSION_ABSOLUTE_MS),
  });
  await recordSignIn(db, user.id);
  await recordAudit(db, { actorUserId: user.id, unitId: user.unitId, action: 'sign_in.success' });
  return { status: 'ok', token, userId: user.id };
}

/** The signed-in user behind a session cookie, or undefined when it is unknown, revoked or expired. */
export async function resolveSession(db: Db, token: string, now = Date.now()): Promise<SessionUser | undefined> {
  const tokenHash = secretHash(token);
  const session = await findSession(db, tokenHash);
  if (!session) return undefined;
  if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now) {
    await revokeSession(db, tokenHash);
    return undefined;
  }
  const user = await findUserById(db, session.userId);
  if (!user?.active) return undefined;
  // Written at most once a minute: enough for the idle timeout.
  if (now - session.lastSeenAt.getTime() > 60_000) await touchSession(db, tokenHash);
  return {
    userId: user.id,
    keyId: null,
    role: user.role,
    unitId: user.unitId,
    unitPath: user.unitPath,
    label: user.email,
    email: user.email,
    name: user.name,
    unitName: user.unitName,
    csrfToken: session.csrfToken,
    tokenHash,
  };
}

export async function signOut(db: Db, user: SessionUser): Promise<void> {
  await revokeSession(db, user.tokenHash);
}

export type PasswordChange = { status: 'ok' | 'wrong_current' | 'too_short' | 'throttled' };

/**
 * The current-password check is a password check like sign-in: a stolen
 * session must not become an unlimited guesser, so it is reserved the same
 * way, limited per account, and every wrong or refused try is audited.
 */
export async function changePassword(
  db: Db,
  user: SessionUser,
  input: { current: string; next: string; clientKey: string },
): Promise<PasswordChange> {
  // The length rule is public: checking it first spends no try.
  if ([...input.next].length < MIN_PASSWORD_LENGTH) return { status: 'too_short' };
  const audit = (action: string) => recordAudit(db, { actorUserId: user.userId, unitId: user.unitId, action });
  const reserved = await reserveAttempt(db, {
    purpose: 'password_change',
    email: user.email,
    clientKey: input.clientKey,
    lockKey: user.email,
    since: new Date(Date.now() - THROTTLE_WINDOW_MS),
    limits: { account: MAX_WRONG_CURRENT_PASSWORDS },
  });
  if (reserved.status === 'throttled') {
    await audit('password.throttled');
    return { status: 'throttled' };
  }
  const record = await findUserById(db, user.userId);
  const ok = record ? await verify(record.passwordHash, input.current) : false;
  await settleAttempt(db, reserved.id, ok);
  if (!ok) {
    await audit('password.wrong_current');
    return { status: 'wrong_current' };
  }
  await updatePasswordHash(db, user.userId, await hash(input.next));
  // Anyone else holding a session of this account is signed out.
  await revokeOtherSessions(db, user.userId, user.tokenHash);
  await audit('password.change');
  return { status: 'ok' };
}

export type CreateUserResult = { status: 'ok'; id: number } | { status: 'unknown_unit' | 'too_short' | 'exists' };

export async function createUser(
  db: Db,
  input: { email: string; name: string; password: string; role: Role; unitCode?: string },
): Promise<CreateUserResult> {
  if ([...input.password].length < MIN_PASSWORD_LENGTH) return { status: 'too_short' };
  const unitId = input.unitCode ? await findUnitId(db, input.unitCode) : null;
  if (input.unitCode && !unitId) return { status: 'unknown_unit' };
  if (input.role !== 'admin' && !unitId) return { status: 'unknown_unit' };
  const email = normaliseEmail(input.email);
  if (await findUserByEmail(db, email)) return { status: 'exists' };
  const id = await insertUser(db, {
    email,
    name: input.name,
    passwordHash: await hash(input.password),
    role: input.role,
    unitId: unitId ?? null,
  });
  return { status: 'ok', id };
}
