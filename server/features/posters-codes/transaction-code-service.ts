import { createHmac } from 'node:crypto';
import { todayIso } from '../../../analysis/local-time.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { newSecret, secretHash } from '../../platform/secrets.ts';
import type { ApiPrincipal } from '../access/api-key-repository.ts';
import { qrPng, qrSvg } from '../organisation/desk-links.ts';
import { type DeskContext, findActiveDesk, findDeskById } from '../organisation/desk-repository.ts';
import { type DeskSurvey, loadDeskSurvey } from '../submission/submission-service.ts';
import {
  type CodeIssuer,
  countIssuedSince,
  findIssuedDossiers,
  findTransactionCode,
  insertTransactionCodes,
  lockUnitIssues,
  type NewTransactionCode,
} from './transaction-code-repository.ts';

// One-time codes printed on a receipt: 128 random bits, only their hash
// stored, one response each. A code is issued for one dossier: the dossier
// reference is never stored, only a keyed hash of it, unique, so a dossier
// gets one code. Each issuer (a staff account or an API key) may issue at
// most `dailyCap` codes a local day for a desk, and every issue is audited
// with its count, never a code or a reference: codes cannot be farmed to
// rate one's own desk.

export const DEFAULT_CODE_DAYS = 7;
export const MAX_COUNTER_CODES = 50;
export const MAX_COUNTER_CODE_DAYS = 30;
export const MAX_DOSSIER_REF_LENGTH = 200;

export interface IssueSettings {
  /** The server's form secret: keys the dossier hashes, so they cannot be matched without it. */
  secret: Buffer;
  dailyCap: number;
  publicUrl: string;
}

export function transactionCodeUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/t/${code}`;
}

/**
 * The same dossier however it is typed: spaces around it, composed or
 * decomposed Vietnamese letters, upper or lower case. Upper then lower case
 * approximates full case folding ('ß' and 'SS' meet); NFC again because case
 * mapping can decompose.
 */
export function normaliseDossierRef(ref: string): string {
  return ref.trim().normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** HMAC-SHA256 of the normalised reference, namespaced by the issuing desk's unit; 43 base64url characters. */
export function dossierHash(secret: Buffer, unitId: number, ref: string): string {
  return createHmac('sha256', secret)
    .update(`transaction-code-dossier\0${unitId}\0${normaliseDossierRef(ref)}`)
    .digest('base64url');
}

/** Midnight in Vietnam (Asia/Ho_Chi_Minh, UTC+7 all year) of `now`'s local day. */
export function startOfLocalDay(now: Date): Date {
  return new Date(`${todayIso(now)}T00:00:00+07:00`);
}

export type IssueRefusal =
  /** `refs`: the references, as given, that already have a code (or were given twice). */
  { status: 'dossier_has_code'; refs: string[] } | { status: 'daily_cap'; cap: number; left: number };

type Issued = { status: 'created'; codes: { url: string; expiresAt: Date }[] } | IssueRefusal;

/**
 * Issues one code per dossier for a desk, all or none, in one transaction
 * that holds the unit's issue lock: parallel requests cannot pass the cap or
 * give a dossier two codes between the checks and the insert.
 */
async function issueForDesk(
  db: Db,
  desk: Pick<DeskContext, 'id' | 'unitId'>,
  issuer: CodeIssuer,
  input: { serviceArea: string; dossierRefs: string[]; expiresInDays: number; via: 'api' | 'staff' },
  settings: IssueSettings,
  now = new Date(),
): Promise<Issued> {
  const hashes = input.dossierRefs.map((r) => dossierHash(settings.secret, desk.unitId, r));
  const expiresAt = new Date(now.getTime() + input.expiresInDays * 86_400_000);
  const run = () =>
    db.transaction().execute(async (trx): Promise<Issued> => {
      await lockUnitIssues(trx, desk.unitId);
      const taken = await findIssuedDossiers(trx, hashes);
      const repeated = input.dossierRefs.filter((_, i) => taken.has(hashes[i]!) || hashes.indexOf(hashes[i]!) !== i);
      if (repeated.length) return { status: 'dossier_has_code', refs: repeated };
      const issuedToday = await countIssuedSince(trx, desk.id, issuer, startOfLocalDay(now));
      const left = Math.max(0, settings.dailyCap - issuedToday);
      if (hashes.length > left) return { status: 'daily_cap', cap: settings.dailyCap, left };
      const codes = hashes.map(() => newSecret(16));
      const rows: NewTransactionCode[] = codes.map((code, i) => ({
        codeHash: secretHash(code),
        deskId: desk.id,
        serviceArea: input.serviceArea,
        expiresAt,
        issuer,
        dossierHash: hashes[i]!,
      }));
      await insertTransactionCodes(trx, rows);
      await recordAudit(trx, {
        actorUserId: issuer.userId,
        actorKeyId: issuer.keyId,
        unitId: desk.unitId,
        action: 'transaction_code.issue',
        // The count only: never a code, never a dossier reference or its hash.
        detail: {
          deskId: desk.id,
          serviceArea: input.serviceArea,
          count: codes.length,
          expiresInDays: input.expiresInDays,
          via: input.via,
        },
      });
      return {
        status: 'created',
        codes: codes.map((code) => ({ url: transactionCodeUrl(settings.publicUrl, code), expiresAt })),
      };
    });
  try {
    return await run();
  } catch (err) {
    // Only if the unit lock were bypassed (a desk moved between units mid-issue).
    if ((err as { constraint?: string }).constraint !== 'transaction_code_dossier_idx') throw err;
    const taken = await findIssuedDossiers(db, hashes);
    return { status: 'dossier_has_code', refs: input.dossierRefs.filter((_, i) => taken.has(hashes[i]!)) };
  }
}

export type IssueResult =
  | { status: 'created'; url: string; expiresAt: Date; qrSvg: string; qrPng: string }
  | { status: 'not_found' }
  | { status: 'forbidden' }
  | { status: 'area_not_served' }
  | IssueRefusal;

/** One code for one dossier, issued through the API by a manager key of the desk's subtree. */
export async function issueTransactionCode(
  db: Db,
  principal: ApiPrincipal,
  input: { desk: string; serviceArea: string; dossierRef: string; expiresInDays?: number },
  settings: IssueSettings,
): Promise<IssueResult> {
  const desk = await findActiveDesk(db, input.desk);
  // Another unit's desk does not exist for this key: 404, never 403.
  if (!desk || !canReach(principal, desk.unitPath)) return { status: 'not_found' };
  if (principal.role !== 'manager') return { status: 'forbidden' };
  if (!desk.serviceAreas.some((a) => a.code === input.serviceArea)) return { status: 'area_not_served' };
  const issued = await issueForDesk(
    db,
    desk,
    { userId: null, keyId: principal.keyId },
    {
      serviceArea: input.serviceArea,
      dossierRefs: [input.dossierRef],
      expiresInDays: input.expiresInDays ?? DEFAULT_CODE_DAYS,
      via: 'api',
    },
    settings,
  );
  if (issued.status !== 'created') return issued;
  const { url, expiresAt } = issued.codes[0]!;
  const png = await qrPng(url, 256);
  return {
    status: 'created',
    url,
    expiresAt,
    qrSvg: await qrSvg(url),
    qrPng: `data:image/png;base64,${png.toString('base64')}`,
  };
}

export type CounterIssueResult =
  | { status: 'created'; codes: { url: string; expiresAt: Date; qrSvg: string }[] }
  | { status: 'not_found' }
  | { status: 'area_not_served' }
  | IssueRefusal;

/**
 * Codes for the counter printer, one per dossier reference, issued by a
 * signed-in user for a desk in their subtree: all or none, with one audit
 * entry that counts them.
 */
export async function issueCounterCodes(
  db: Db,
  actor: Actor,
  input: { deskId: number; serviceArea: string; dossierRefs: string[]; expiresInDays: number },
  settings: IssueSettings,
): Promise<CounterIssueResult> {
  const record = await findDeskById(db, input.deskId);
  // Codes for a deactivated desk or unit would not open the survey: not found.
  const desk = record && canReach(actor, record.unitPath) ? await findActiveDesk(db, record.code) : undefined;
  if (!desk) return { status: 'not_found' };
  if (!desk.serviceAreas.some((a) => a.code === input.serviceArea)) return { status: 'area_not_served' };
  const refs = input.dossierRefs;
  // The form checks both; a caller that does not is a bug, not a user error.
  if (!refs.length || refs.length > MAX_COUNTER_CODES) throw new Error(`${refs.length} dossier references`);
  const expiresInDays = Math.min(Math.max(1, Math.trunc(input.expiresInDays)), MAX_COUNTER_CODE_DAYS);
  const issued = await issueForDesk(
    db,
    desk,
    { userId: actor.userId, keyId: actor.userId === null ? actor.keyId : null },
    { serviceArea: input.serviceArea, dossierRefs: refs, expiresInDays, via: 'staff' },
    settings,
  );
  if (issued.status !== 'created') return issued;
  const codes = await Promise.all(
    issued.codes.map(async ({ url, expiresAt }) => ({ url, expiresAt, qrSvg: await qrSvg(url) })),
  );
  return { status: 'created', codes };
}

/** How many more codes this user may issue for the desk today (shown on the form). */
export async function codesLeftToday(db: Db, actor: Actor, deskId: number, dailyCap: number, now = new Date()) {
  const issuer = { userId: actor.userId, keyId: actor.userId === null ? actor.keyId : null };
  return Math.max(0, dailyCap - (await countIssuedSince(db, deskId, issuer, startOfLocalDay(now))));
}

export type CodeSurvey =
  | { status: 'usable' | 'used'; codeHash: string; serviceArea: string; context: DeskSurvey }
  | { status: 'not_found' };

/** The survey a citizen answers with a code, and whether the code is still good. */
export async function loadCodeSurvey(db: Db, code: string): Promise<CodeSurvey> {
  const codeHash = secretHash(code);
  const state = await findTransactionCode(db, codeHash);
  const context = state && (await loadDeskSurvey(db, state.deskCode));
  if (!state || !context) return { status: 'not_found' };
  return { status: state.usable ? 'usable' : 'used', codeHash, serviceArea: state.serviceArea, context };
}
