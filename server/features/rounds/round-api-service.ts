import { createHash } from 'node:crypto';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { DeskContext } from '../organisation/desk-repository.ts';
import { findSubmissions, insertResponseRows } from '../submission/response-repository.ts';
import { insertImportedForms } from './round-form-repository.ts';
import type { EntryProblem } from './round-form-rules.ts';
import { checkEntry, entryContext, formResponseRow } from './round-form-service.ts';
import { findRoundForUnit, type RoundRecord } from './round-repository.ts';

// A round's paper form posted through POST /api/v1/responses (issue 16) by a
// key granted the paper channel: keyed elsewhere (a data-entry system of the
// province), so it counts at once, under the same rules as the entry screen
// and the file import: dated inside the fieldwork, an area of the plan, a
// serial once per round. A retry with the same submissionId is a replay.

export interface RoundPost {
  roundCode: string;
  serial: number;
  surveyedOn: string;
  desk: DeskContext;
  serviceArea: string | undefined;
  answers: Record<string, unknown>;
  submissionId: string;
  keyId: number | null;
}

export type RoundPostResult =
  | { status: 'created' | 'replayed'; id: string }
  | { status: 'conflict' | 'serial_taken' | 'unknown_round' }
  | { status: 'invalid'; problems: EntryProblem[] };

/** The API's answers as the paper rules read them: numbers and "na" as typed strings, nulls as blanks. */
function asTyped(answers: Record<string, unknown>): Record<string, string> {
  const typed: Record<string, string> = {};
  for (const [k, v] of Object.entries(answers)) if (v !== null && v !== undefined) typed[k] = String(v);
  return typed;
}

export async function postRoundForm(db: Db, p: RoundPost, now = new Date()): Promise<RoundPostResult> {
  const round: RoundRecord | undefined = await findRoundForUnit(db, p.roundCode, p.desk.unitPath);
  if (!round) return { status: 'unknown_round' };
  const only = p.desk.serviceAreas.length === 1 ? p.desk.serviceAreas[0]!.code : undefined;
  const serviceArea = p.serviceArea ?? only ?? '';
  const ctx = await entryContext(db, round);
  const checked = checkEntry(
    ctx,
    round,
    { serial: p.serial, surveyedOn: p.surveyedOn, unitId: p.desk.unitId, serviceArea, answers: asTyped(p.answers) },
    now,
  );
  if (!checked.ok) return { status: 'invalid', problems: checked.problems };
  const base = formResponseRow(round, checked, now);
  // What the form says, its round and serial included: the same id with another form is a conflict.
  const payloadHash = createHash('sha256').update(`${base.payloadHash}|desk:${p.desk.id}`).digest('hex');
  const row = { ...base, submissionId: p.submissionId, payloadHash, deskId: p.desk.id };

  const earlier = async (): Promise<RoundPostResult> => {
    const [stored] = await findSubmissions(db, [p.submissionId]);
    if (!stored) return { status: 'serial_taken' };
    return stored.payload_hash === payloadHash ? { status: 'replayed', id: stored.id } : { status: 'conflict' };
  };
  if ((await findSubmissions(db, [p.submissionId])).length) return earlier();
  try {
    const id = await db.transaction().execute(async (trx) => {
      const ids = await insertResponseRows(trx, [row]);
      const id = ids.get(row.submissionId);
      // Stored meanwhile by a retry of the same post: nothing more to do here.
      if (!id) return undefined;
      await insertImportedForms(trx, round.id, [{ entry: checked.entry, responseId: id }], 'api', null);
      await recordAudit(trx, {
        actorKeyId: p.keyId,
        unitId: round.unitId,
        action: 'round.form_api',
        detail: { roundId: round.id, code: round.code, serial: checked.entry.serial },
      });
      return id;
    });
    return id ? { status: 'created', id } : earlier();
  } catch (err) {
    // The serial's row already exists (entered on the screen, a file, another post).
    if ((err as { code?: string }).code === '23505') return { status: 'serial_taken' };
    throw err;
  }
}
