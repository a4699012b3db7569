import type { Db } from '../db/connect.ts';
import type { ApiPrincipal } from '../repositories/api-key-repository.ts';
import { recordAudit } from '../repositories/audit-repository.ts';
import { findActiveDesk, findDeskById } from '../repositories/desk-repository.ts';
import { findTransactionCode, insertTransactionCode } from '../repositories/transaction-code-repository.ts';
import { qrPng, qrSvg } from './desk-links.ts';
import { type DeskSurvey, loadDeskSurvey } from './response-service.ts';
import { type Actor, canReach } from './scope.ts';
import { newSecret, secretHash } from './secrets.ts';

// One-time codes printed on a receipt: the strongest guard against ballot
// stuffing. 128 random bits; only their hash is stored; one response each.

export const DEFAULT_CODE_DAYS = 7;

export function transactionCodeUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/t/${code}`;
}

export type IssueResult =
  | { status: 'created'; code: string; url: string; expiresAt: Date; qrSvg: string; qrPng: string }
  | { status: 'not_found' }
  | { status: 'forbidden' }
  | { status: 'area_not_served' };

export async function issueTransactionCode(
  db: Db,
  principal: ApiPrincipal,
  input: { desk: string; serviceArea: string; expiresInDays?: number },
  publicUrl: string,
): Promise<IssueResult> {
  const desk = await findActiveDesk(db, input.desk);
  // Another unit's desk does not exist for this key: 404, never 403.
  if (!desk || !canReach(principal, desk.unitPath)) return { status: 'not_found' };
  if (principal.role !== 'manager') return { status: 'forbidden' };
  if (!desk.serviceAreas.some((a) => a.code === input.serviceArea)) return { status: 'area_not_served' };
  const created = await createCode(
    db,
    { deskId: desk.id, serviceArea: input.serviceArea, expiresInDays: input.expiresInDays },
    publicUrl,
  );
  const png = await qrPng(created.url, 256);
  return {
    status: 'created',
    ...created,
    qrSvg: await qrSvg(created.url),
    qrPng: `data:image/png;base64,${png.toString('base64')}`,
  };
}

/** Stores one new code (its hash only) and returns the secret, which is never seen again. */
async function createCode(
  db: Db,
  input: { deskId: number; serviceArea: string; expiresInDays?: number },
  publicUrl: string,
): Promise<{ code: string; url: string; expiresAt: Date }> {
  const code = newSecret(16);
  const expiresAt = new Date(Date.now() + (input.expiresInDays ?? DEFAULT_CODE_DAYS) * 86_400_000);
  await insertTransactionCode(db, {
    codeHash: secretHash(code),
    deskId: input.deskId,
    serviceArea: input.serviceArea,
    expiresAt,
  });
  return { code, url: transactionCodeUrl(publicUrl, code), expiresAt };
}

export const MAX_COUNTER_CODES = 50;
export const MAX_COUNTER_CODE_DAYS = 30;

export type CounterIssueResult =
  | { status: 'created'; codes: { url: string; expiresAt: Date; qrSvg: string }[] }
  | { status: 'not_found' }
  | { status: 'area_not_served' };

/**
 * A batch of codes for the counter printer, issued by a signed-in user for a
 * desk in their subtree. All or none are stored, with one audit entry that
 * counts them (the codes themselves are never written anywhere).
 */
export async function issueCounterCodes(
  db: Db,
  actor: Actor,
  input: { deskId: number; serviceArea: string; count: number; expiresInDays: number },
  publicUrl: string,
): Promise<CounterIssueResult> {
  const record = await findDeskById(db, input.deskId);
  // Codes for a deactivated desk or unit would not open the survey: not found.
  const desk = record && canReach(actor, record.unitPath) ? await findActiveDesk(db, record.code) : undefined;
  if (!desk) return { status: 'not_found' };
  if (!desk.serviceAreas.some((a) => a.code === input.serviceArea)) return { status: 'area_not_served' };
  const count = Math.min(Math.max(1, Math.trunc(input.count)), MAX_COUNTER_CODES);
  const expiresInDays = Math.min(Math.max(1, Math.trunc(input.expiresInDays)), MAX_COUNTER_CODE_DAYS);
  const created = await db.transaction().execute(async (trx) => {
    const codes = [];
    for (let i = 0; i < count; i++) {
      codes.push(await createCode(trx, { deskId: desk.id, serviceArea: input.serviceArea, expiresInDays }, publicUrl));
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: desk.unitId,
      action: 'transaction_code.issue',
      detail: { deskId: desk.id, serviceArea: input.serviceArea, count, expiresInDays },
    });
    return codes;
  });
  const codes = await Promise.all(
    created.map(async ({ url, expiresAt }) => ({ url, expiresAt, qrSvg: await qrSvg(url) })),
  );
  return { status: 'created', codes };
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
