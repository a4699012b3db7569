import type { Db } from '../db/connect.ts';
import type { ApiPrincipal } from '../repositories/api-key-repository.ts';
import { findActiveDesk } from '../repositories/desk-repository.ts';
import { findTransactionCode, insertTransactionCode } from '../repositories/transaction-code-repository.ts';
import { qrPng, qrSvg } from './desk-links.ts';
import { type DeskSurvey, loadDeskSurvey } from './response-service.ts';
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
  if (!desk?.unitPath.startsWith(principal.unitPath)) return { status: 'not_found' };
  if (principal.role !== 'manager') return { status: 'forbidden' };
  if (!desk.serviceAreas.some((a) => a.code === input.serviceArea)) return { status: 'area_not_served' };
  const code = newSecret(16);
  const expiresAt = new Date(Date.now() + (input.expiresInDays ?? DEFAULT_CODE_DAYS) * 86_400_000);
  await insertTransactionCode(db, {
    codeHash: secretHash(code),
    deskId: desk.id,
    serviceArea: input.serviceArea,
    expiresAt,
  });
  const url = transactionCodeUrl(publicUrl, code);
  const png = await qrPng(url, 256);
  return {
    status: 'created',
    code,
    url,
    expiresAt,
    qrSvg: await qrSvg(url),
    qrPng: `data:image/png;base64,${png.toString('base64')}`,
  };
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
