import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { StoredReportSettings, UnitKindName } from './report-settings-rules.ts';

// A unit's report settings (unit_report_setting), and the unit with its
// ancestors that the defaults are guessed from. Scope checks are the
// service's.

export interface LineageUnit {
  id: number;
  code: string;
  name: string;
  kind: UnitKindName;
  path: string;
}

/** The unit and every unit above it, top first; empty when there is no such unit. */
export async function listLineage(db: Db, unitId: number): Promise<LineageUnit[]> {
  return db
    .selectFrom('unit as a')
    .innerJoin('unit as u', (j) => j.on(sql<boolean>`u.path like a.path || '%'`))
    .select(['a.id', 'a.code', 'a.name', 'a.kind', 'a.path'])
    .where('u.id', '=', unitId)
    .orderBy(sql`length(a.path)`)
    .execute();
}

export async function findReportSettings(db: Db, unitId: number): Promise<StoredReportSettings | undefined> {
  return db
    .selectFrom('unit_report_setting')
    .select([
      'issuer_name as issuerName',
      'parent_name as parentName',
      'place_name as placeName',
      'abbreviation',
      'recipients',
      'signer_capacity as signerCapacity',
      'signer_name as signerName',
      'distribution',
    ])
    .where('unit_id', '=', unitId)
    .executeTakeFirst();
}

export async function saveReportSettings(
  db: Db,
  unitId: number,
  s: StoredReportSettings,
  userId: number | null,
): Promise<void> {
  const row = {
    issuer_name: s.issuerName,
    parent_name: s.parentName,
    place_name: s.placeName,
    abbreviation: s.abbreviation,
    recipients: s.recipients,
    signer_capacity: s.signerCapacity,
    signer_name: s.signerName,
    distribution: s.distribution,
    updated_by: userId,
  };
  await db
    .insertInto('unit_report_setting')
    .values({ unit_id: unitId, ...row })
    .onConflict((oc) => oc.column('unit_id').doUpdateSet({ ...row, updated_at: sql`now()` }))
    .execute();
}
