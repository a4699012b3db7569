import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

/** Who issued a code: a staff account or an API key (both null only on codes older than issuers). */
export interface CodeIssuer {
  userId: number | null;
  keyId: number | null;
}

export interface NewTransactionCode {
  codeHash: string;
  deskId: number;
  serviceArea: string;
  expiresAt: Date;
  issuer: CodeIssuer;
  dossierHash: string;
}

export async function insertTransactionCodes(db: Db, codes: readonly NewTransactionCode[]): Promise<void> {
  if (!codes.length) return;
  await db
    .insertInto('transaction_code')
    .values(
      codes.map((c) => ({
        code_hash: c.codeHash,
        desk_id: c.deskId,
        service_area_code: c.serviceArea,
        expires_at: c.expiresAt,
        issued_by_user_id: c.issuer.userId,
        issued_by_key_id: c.issuer.keyId,
        dossier_hash: c.dossierHash,
      })),
    )
    .execute();
}

// The two-integer advisory lock space, kept apart from the one-bigint keys
// that the migrator and start-up use and from the submissions' class.
const ISSUE_LOCK_CLASS = 0x484c5443; // 'HLTC'

/**
 * Makes code issues for one unit take turns until the transaction ends, so
 * that the daily cap and the one-code-per-dossier check count what parallel
 * requests have just inserted. Per unit, not per desk: dossier hashes are
 * namespaced by the unit, so two desks of a centre must not race either.
 */
export async function lockUnitIssues(trx: Db, unitId: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ISSUE_LOCK_CLASS}::int, ${unitId}::int)`.execute(trx);
}

/** Codes this issuer has issued for the desk since `since`. */
export async function countIssuedSince(db: Db, deskId: number, issuer: CodeIssuer, since: Date): Promise<number> {
  const row = await db
    .selectFrom('transaction_code')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('desk_id', '=', deskId)
    .where('created_at', '>=', since)
    .where('issued_by_user_id', 'is not distinct from', issuer.userId)
    .where('issued_by_key_id', 'is not distinct from', issuer.keyId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Which of these dossier hashes already have a code. */
export async function findIssuedDossiers(db: Db, dossierHashes: readonly string[]): Promise<Set<string>> {
  if (!dossierHashes.length) return new Set();
  const rows = await db
    .selectFrom('transaction_code')
    .select('dossier_hash')
    .where('dossier_hash', 'in', [...dossierHashes])
    .execute();
  return new Set(rows.map((r) => r.dossier_hash ?? ''));
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

export interface CodeUsageRow {
  deskId: number;
  deskName: string;
  unitName: string;
  issuerUserId: number | null;
  issuerKeyId: number | null;
  userName: string | null;
  userEmail: string | null;
  keyLabel: string | null;
  /** Codes used or past their expiry: the ones whose fate is known. */
  settled: number;
  used: number;
  /** Neither used nor expired yet: they may still be used. */
  pending: number;
}

/**
 * Codes issued in [from, to) at desks of a subtree (`scopePath`), counted per
 * desk and issuer. `now` decides which unused codes have expired.
 */
export async function codeUsage(
  db: Db,
  q: { scopePath: string; from: Date; to: Date; now: Date },
): Promise<CodeUsageRow[]> {
  const rows = await db
    .selectFrom('transaction_code as c')
    .innerJoin('desk as d', 'd.id', 'c.desk_id')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .leftJoin('app_user as a', 'a.id', 'c.issued_by_user_id')
    .leftJoin('api_key as k', 'k.id', 'c.issued_by_key_id')
    .select((eb) => [
      'd.id as deskId',
      'd.name as deskName',
      'u.name as unitName',
      'c.issued_by_user_id as issuerUserId',
      'c.issued_by_key_id as issuerKeyId',
      'a.name as userName',
      'a.email as userEmail',
      'k.label as keyLabel',
      eb.fn
        .countAll<number>()
        .filterWhere((w) => w.or([w('c.used', '=', true), w('c.expires_at', '<=', q.now)]))
        .as('settled'),
      eb.fn.countAll<number>().filterWhere('c.used', '=', true).as('used'),
      eb.fn
        .countAll<number>()
        .filterWhere((w) => w.and([w('c.used', '=', false), w('c.expires_at', '>', q.now)]))
        .as('pending'),
    ])
    .where((eb) => eb(eb.fn<boolean>('starts_with', ['u.path', eb.val(q.scopePath)]), '=', true))
    .where('c.created_at', '>=', q.from)
    .where('c.created_at', '<', q.to)
    .groupBy(['d.id', 'u.name', 'c.issued_by_user_id', 'c.issued_by_key_id', 'a.name', 'a.email', 'k.label'])
    .orderBy('u.name')
    .orderBy('d.name')
    .execute();
  return rows.map((r) => ({ ...r, settled: Number(r.settled), used: Number(r.used), pending: Number(r.pending) }));
}
