import { sql, type Transaction } from 'kysely';
import { ALL_VOLUME_FIELDS, type MonthVolumes } from '../../../analysis/dossiers.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { VolumeRow } from './volume-rules.ts';

// Dossier volumes in PostgreSQL: read by unit and month for a replace, by
// subtree and months for the reports; written a unit × month at a time.

const COLUMNS = {
  receivedOnline: 'received_online',
  receivedDirect: 'received_direct',
  carriedOver: 'carried_over',
  resolvedEarly: 'resolved_early',
  resolvedOnTime: 'resolved_on_time',
  resolvedLate: 'resolved_late',
  pendingOnTime: 'pending_on_time',
  pendingOverdue: 'pending_overdue',
  dissatisfiedOrComplained: 'dissatisfied_or_complained',
  complaints: 'complaints',
  complaintsOnTime: 'complaints_on_time',
} as const satisfies Record<(typeof ALL_VOLUME_FIELDS)[number], string>;

const selected = ALL_VOLUME_FIELDS.map((f) => `v.${COLUMNS[f]} as ${f}` as const);

/** 'YYYY-MM' → the date column's value. */
const monthDate = (month: string) => `${month}-01`;

/** The rows of one unit and month, by service area code. */
export async function monthRows(db: Db | Transaction<Database>, unitId: number, month: string): Promise<VolumeRow[]> {
  // The columns are named from ALL_VOLUME_FIELDS, so Kysely cannot tell the required ones from the optional.
  return (await db
    .selectFrom('dossier_volume as v')
    .select(['v.service_area_code as serviceArea', ...selected])
    .where('v.unit_id', '=', unitId)
    .where('v.month', '=', monthDate(month))
    .orderBy('v.service_area_code')
    .execute()) as VolumeRow[];
}

/** Replaces the rows of a unit and month; the caller holds the transaction and the unit's lock. */
export async function replaceMonthRows(
  trx: Transaction<Database>,
  unitId: number,
  month: string,
  rows: readonly VolumeRow[],
): Promise<void> {
  await trx.deleteFrom('dossier_volume').where('unit_id', '=', unitId).where('month', '=', monthDate(month)).execute();
  if (rows.length === 0) return;
  await trx
    .insertInto('dossier_volume')
    .values(
      rows.map((r) => {
        const out: Record<string, unknown> = {
          unit_id: unitId,
          service_area_code: r.serviceArea,
          month: monthDate(month),
        };
        for (const f of ALL_VOLUME_FIELDS) out[COLUMNS[f]] = r[f];
        return out as never;
      }),
    )
    .execute();
}

export interface UnitHit {
  id: number;
  code: string;
  name: string;
  kind: string;
  path: string;
}

/** Units by code, active or not; the caller checks the scope. */
export async function unitsByCode(db: Db, codes: readonly string[]): Promise<Map<string, UnitHit>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('unit')
    .select(['id', 'code', 'name', 'kind', 'path'])
    .where('code', 'in', codes)
    .execute();
  return new Map(rows.map((u) => [u.code, u]));
}

/**
 * Locks the units at `paths` and every unit above them, in id order (no
 * deadlock between two imports): imports that could count the same dossiers
 * twice (a unit and one above or below it) then run one after the other.
 */
export async function lockLines(trx: Transaction<Database>, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await trx
    .selectFrom('unit')
    .select('id')
    .where((eb) => eb.or(paths.map((p) => eb(sql<boolean>`${p} like path || '%'`, '=', true))))
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * Units above or below `unitPath` (not the unit itself) that hold volumes for
 * `month`: a dossier would then count twice in their common subtree.
 */
export async function otherHoldersInLine(
  db: Db | Transaction<Database>,
  unitPath: string,
  month: string,
): Promise<{ code: string; name: string; path: string }[]> {
  return db
    .selectFrom('dossier_volume as v')
    .innerJoin('unit as u', 'u.id', 'v.unit_id')
    .select(['u.code', 'u.name', 'u.path'])
    .distinct()
    .where('v.month', '=', monthDate(month))
    .where('u.path', '<>', unitPath)
    .where((eb) =>
      eb.or([eb('u.path', 'like', `${unitPath}%`), eb(sql<boolean>`${unitPath} like u.path || '%'`, '=', true)]),
    )
    .execute();
}

export interface SubtreeVolumes extends MonthVolumes {
  unitPath: string;
  serviceArea: string;
}

/** Every row under `scopePath` for the months `fromMonth`..`toMonth` ('YYYY-MM', inclusive). */
export async function volumesInSubtree(
  db: Db,
  q: { scopePath: string; fromMonth: string; toMonth: string; serviceArea?: string | null },
): Promise<SubtreeVolumes[]> {
  let query = db
    .selectFrom('dossier_volume as v')
    .innerJoin('unit as u', 'u.id', 'v.unit_id')
    .select([
      'u.path as unitPath',
      'v.service_area_code as serviceArea',
      sql<string>`to_char(v.month, 'YYYY-MM')`.as('month'),
      ...selected,
    ])
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('v.month', '>=', monthDate(q.fromMonth))
    .where('v.month', '<=', monthDate(q.toMonth));
  if (q.serviceArea) query = query.where('v.service_area_code', '=', q.serviceArea);
  return (await query.execute()) as SubtreeVolumes[];
}
