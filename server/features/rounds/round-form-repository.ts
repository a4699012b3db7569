import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { FormEntry } from './round-form-rules.ts';

// The paper forms of a round in PostgreSQL. A form's row is locked while an
// entry is added to it, so two clerks typing the same serial at once are
// served one after the other: the second becomes the second entry.

export interface RoundFormRow {
  serial: number;
  status: 'first' | 'disagree' | 'counted';
  source: 'entry' | 'import' | 'api';
  firstEntry: FormEntry;
  firstBy: number | null;
  firstByName: string | null;
  secondEntry: FormEntry | null;
  secondBy: number | null;
  secondByName: string | null;
  finalEntry: FormEntry | null;
  responseId: string | null;
}

function selectForms(db: Db, roundId: number) {
  return db
    .selectFrom('round_form as f')
    .leftJoin('app_user as u1', 'u1.id', 'f.first_by')
    .leftJoin('app_user as u2', 'u2.id', 'f.second_by')
    .select([
      'f.serial',
      'f.status',
      'f.source',
      sql<FormEntry>`f.first_entry`.as('firstEntry'),
      'f.first_by as firstBy',
      'u1.name as firstByName',
      sql<FormEntry | null>`f.second_entry`.as('secondEntry'),
      'f.second_by as secondBy',
      'u2.name as secondByName',
      sql<FormEntry | null>`f.final_entry`.as('finalEntry'),
      'f.response_id as responseId',
    ])
    .where('f.round_id', '=', roundId);
}

/** The form with this serial, locked until the caller's transaction ends. */
export async function lockForm(trx: Db, roundId: number, serial: number): Promise<RoundFormRow | undefined> {
  return selectForms(trx, roundId).where('f.serial', '=', serial).forUpdate('f').executeTakeFirst();
}

export async function findForm(db: Db, roundId: number, serial: number): Promise<RoundFormRow | undefined> {
  return selectForms(db, roundId).where('f.serial', '=', serial).executeTakeFirst();
}

/** Forms of a round in a status, by serial. */
export async function listForms(db: Db, roundId: number, status: RoundFormRow['status']): Promise<RoundFormRow[]> {
  return selectForms(db, roundId).where('f.status', '=', status).orderBy('f.serial').execute();
}

/** The first entry of a new form; false when the serial was taken meanwhile. */
export async function insertFirstEntry(trx: Db, roundId: number, entry: FormEntry, byUserId: number | null) {
  const row = await trx
    .insertInto('round_form')
    .values({
      round_id: roundId,
      serial: entry.serial,
      status: 'first',
      first_entry: JSON.stringify(entry),
      first_by: byUserId,
    })
    .onConflict((oc) => oc.columns(['round_id', 'serial']).doNothing())
    .returning('serial')
    .executeTakeFirst();
  return row !== undefined;
}

export async function saveSecondEntry(
  trx: Db,
  roundId: number,
  entry: FormEntry,
  byUserId: number | null,
  outcome: { status: 'disagree' } | { status: 'counted'; responseId: string },
): Promise<void> {
  await trx
    .updateTable('round_form')
    .set({
      status: outcome.status,
      second_entry: JSON.stringify(entry),
      second_by: byUserId,
      second_at: new Date(),
      response_id: outcome.status === 'counted' ? outcome.responseId : null,
    })
    .where('round_id', '=', roundId)
    .where('serial', '=', entry.serial)
    .execute();
}

export async function saveReconciled(
  trx: Db,
  roundId: number,
  entry: FormEntry,
  byUserId: number | null,
  responseId: string,
): Promise<void> {
  await trx
    .updateTable('round_form')
    .set({
      status: 'counted',
      final_entry: JSON.stringify(entry),
      reconciled_by: byUserId,
      reconciled_at: new Date(),
      response_id: responseId,
    })
    .where('round_id', '=', roundId)
    .where('serial', '=', entry.serial)
    .execute();
}

/** Forms keyed elsewhere (a file, the API): counted at once, with their response. */
export async function insertImportedForms(
  trx: Db,
  roundId: number,
  forms: readonly { entry: FormEntry; responseId: string }[],
  source: 'import' | 'api',
  byUserId: number | null,
): Promise<void> {
  if (!forms.length) return;
  await trx
    .insertInto('round_form')
    .values(
      forms.map((f) => ({
        round_id: roundId,
        serial: f.entry.serial,
        status: 'counted' as const,
        source,
        first_entry: JSON.stringify(f.entry),
        first_by: byUserId,
        response_id: f.responseId,
      })),
    )
    .execute();
}

/** Serials of the round already taken, among these. */
export async function takenSerials(db: Db, roundId: number, serials: readonly number[]): Promise<Set<number>> {
  if (!serials.length) return new Set();
  const rows = await db
    .selectFrom('round_form')
    .select('serial')
    .where('round_id', '=', roundId)
    .where('serial', 'in', serials)
    .execute();
  return new Set(rows.map((r) => r.serial));
}

/** How many forms of the round are in each status. */
export async function formCounts(db: Db, roundId: number): Promise<Record<RoundFormRow['status'], number>> {
  const rows = await db
    .selectFrom('round_form')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .where('round_id', '=', roundId)
    .groupBy('status')
    .execute();
  const counts = { first: 0, disagree: 0, counted: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/**
 * The units a round's forms can name: the active units of its subtree that
 * have an active desk (where citizens are served), or the round's own unit
 * when none has.
 */
export async function roundUnits(
  db: Db,
  round: { unitId: number; unitPath: string },
): Promise<{ id: number; name: string; code: string; path: string }[]> {
  const units = db.selectFrom('unit as u').select(['u.id', 'u.name', 'u.code', 'u.path']).orderBy('u.path');
  const served = await units
    .where('u.path', 'like', `${round.unitPath}%`)
    .where('u.active', '=', true)
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('desk as d').select('d.id').whereRef('d.unit_id', '=', 'u.id').where('d.active', '=', true)),
    )
    .execute();
  return served.length ? served : units.where('u.id', '=', round.unitId).execute();
}
