import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { LAccount, LDesk } from './unit-lineage-rules.ts';
import type { LineageDetail, LineageEvent, LineageKind, LUnit } from './unit-lineage-types.ts';

const unitColumns = ['id', 'code', 'name', 'kind', 'parent_id as parentId', 'path', 'active'] as const;

export async function findUnitsByCode(db: Db, codes: string[]): Promise<LUnit[]> {
  if (!codes.length) return [];
  return db.selectFrom('unit').select(unitColumns).where('code', 'in', codes).execute();
}

/** Every unit under one of the paths (the units themselves included). */
export async function listUnitsUnder(db: Db, paths: string[]): Promise<LUnit[]> {
  if (!paths.length) return [];
  return db
    .selectFrom('unit')
    .select(unitColumns)
    .where((eb) => eb.or(paths.map((p) => eb('path', 'like', `${p}%`))))
    .orderBy('path')
    .execute();
}

export async function listDesksOf(db: Db, unitIds: number[]): Promise<LDesk[]> {
  if (!unitIds.length) return [];
  return db
    .selectFrom('desk as d')
    .select([
      'd.id',
      'd.code',
      'd.name',
      'd.unit_id as unitId',
      sql<boolean>`d.active and d.replaced_by is null`.as('active'),
      sql<string[]>`coalesce((select array_agg(a.service_area_code order by a.service_area_code)
        from desk_service_area a where a.desk_id = d.id), '{}')`.as('serviceAreas'),
    ])
    .where('d.unit_id', 'in', unitIds)
    .orderBy('d.code')
    .execute();
}

export async function listUsersOf(db: Db, unitIds: number[]): Promise<LAccount[]> {
  if (!unitIds.length) return [];
  return db
    .selectFrom('app_user')
    .select(['id', 'email as label', 'role', sql<number>`unit_id`.as('unitId')])
    .where('unit_id', 'in', unitIds)
    .where('active', '=', true)
    .orderBy('email')
    .execute();
}

export async function listKeysOf(db: Db, unitIds: number[]): Promise<LAccount[]> {
  if (!unitIds.length) return [];
  return db
    .selectFrom('api_key')
    .select(['id', sql<string>`label || ' (' || key_prefix || '…)'`.as('label'), 'role', 'unit_id as unitId'])
    .where('unit_id', 'in', unitIds)
    .where('revoked_at', 'is', null)
    .orderBy('id')
    .execute();
}

/** Held until the transaction ends: two reorganisations of the same units wait for each other. */
export async function lockUnits(trx: Db, ids: number[]): Promise<void> {
  if (ids.length) await trx.selectFrom('unit').select('id').where('id', 'in', ids).forUpdate().execute();
}

export async function setParent(trx: Db, unitId: number, parentId: number): Promise<void> {
  await trx.updateTable('unit').set({ parent_id: parentId }).where('id', '=', unitId).execute();
}

export async function retireUnits(trx: Db, ids: number[]): Promise<void> {
  if (ids.length) await trx.updateTable('unit').set({ active: false }).where('id', 'in', ids).execute();
}

export async function renameUnitRow(trx: Db, id: number, name: string): Promise<void> {
  await trx.updateTable('unit').set({ name }).where('id', '=', id).execute();
}

export async function moveDesk(trx: Db, deskId: number, unitId: number): Promise<void> {
  await trx.updateTable('desk').set({ unit_id: unitId }).where('id', '=', deskId).execute();
}

export async function retireDesk(trx: Db, deskId: number, replacedBy: number): Promise<void> {
  await trx.updateTable('desk').set({ active: false, replaced_by: replacedBy }).where('id', '=', deskId).execute();
}

export async function moveUser(trx: Db, id: number, unitId: number): Promise<void> {
  await trx.updateTable('app_user').set({ unit_id: unitId }).where('id', '=', id).execute();
}

export async function moveKey(trx: Db, id: number, unitId: number): Promise<void> {
  await trx.updateTable('api_key').set({ unit_id: unitId }).where('id', '=', id).execute();
}

export async function insertEvent(
  trx: Db,
  e: { kind: LineageKind; effectiveOn: string; detail: LineageDetail; createdBy: number | null },
  lineage: { predecessorId: number; successorId: number }[],
): Promise<number> {
  const { id } = await trx
    .insertInto('unit_event')
    .values({ kind: e.kind, effective_on: e.effectiveOn, detail: JSON.stringify(e.detail), created_by: e.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (lineage.length) {
    await trx
      .insertInto('unit_lineage')
      .values(lineage.map((l) => ({ event_id: id, predecessor_id: l.predecessorId, successor_id: l.successorId })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return id;
}

/** Events that took effect after a day (yyyy-mm-dd), newest first. */
export async function listEventsAfter(db: Db, day: string): Promise<LineageEvent[]> {
  return db
    .selectFrom('unit_event')
    .select([
      'id',
      'kind',
      sql<string>`to_char(effective_on, 'YYYY-MM-DD')`.as('effectiveOn'),
      sql<LineageEvent['detail']>`detail`.as('detail'),
    ])
    .where('effective_on', '>', day)
    .orderBy('effective_on', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export interface LineageLink {
  eventId: number;
  kind: 'merge' | 'split';
  effectiveOn: string;
  predecessorName: string;
  predecessorInScope: boolean;
  /** For a merge: the predecessor's parent before it was already in the scope. */
  wasInScope: boolean;
  successorInScope: boolean;
}

/**
 * Merges and splits with a predecessor or a successor in the subtree at
 * `scopePath`: what a report on that subtree must say about its history.
 */
export async function listLineageLinks(db: Db, scopePath: string): Promise<LineageLink[]> {
  return db
    .selectFrom('unit_lineage as l')
    .innerJoin('unit_event as e', 'e.id', 'l.event_id')
    .innerJoin('unit as p', 'p.id', 'l.predecessor_id')
    .innerJoin('unit as s', 's.id', 'l.successor_id')
    .select([
      'e.id as eventId',
      sql<'merge' | 'split'>`e.kind`.as('kind'),
      sql<string>`to_char(e.effective_on, 'YYYY-MM-DD')`.as('effectiveOn'),
      // The name the predecessor had when it was merged or split.
      sql<string>`coalesce(e.detail -> 'from' ->> 'name',
        (select f ->> 'name' from jsonb_array_elements(case when jsonb_typeof(e.detail -> 'from') = 'array'
          then e.detail -> 'from' else '[]'::jsonb end) f where (f ->> 'id')::int = p.id), p.name)`.as(
        'predecessorName',
      ),
      sql<boolean>`p.path like ${`${scopePath}%`}`.as('predecessorInScope'),
      // A merged unit that was already inside the scope before (a city's ward merged into another) adds nothing to say.
      sql<boolean>`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(e.detail -> 'from') = 'array'
          then e.detail -> 'from' else '[]'::jsonb end) f join unit op on op.id = (f ->> 'parentId')::int
        where (f ->> 'id')::int = p.id and op.path like ${`${scopePath}%`})`.as('wasInScope'),
      sql<boolean>`s.path like ${`${scopePath}%`}`.as('successorInScope'),
    ])
    .where('e.kind', 'in', ['merge', 'split'])
    .where((eb) => eb.or([eb('p.path', 'like', `${scopePath}%`), eb('s.path', 'like', `${scopePath}%`)]))
    .orderBy('e.effective_on')
    .orderBy('e.id')
    .orderBy('p.name')
    .execute();
}

/** The active desk that now stands for a retired one (following a chain of retirements), if any. */
export async function findReplacementDesk(db: Db, code: string): Promise<string | undefined> {
  const { rows } = await sql<{ code: string }>`
    with recursive chain(id, code, active, replaced_by, hops) as (
      select id, code, active, replaced_by, 0 from desk where code = ${code} and replaced_by is not null
      union all
      select d.id, d.code, d.active, d.replaced_by, c.hops + 1
        from chain c join desk d on d.id = c.replaced_by where c.hops < 10
    )
    select code from chain where hops > 0 and active and replaced_by is null order by hops limit 1`.execute(db);
  return rows[0]?.code;
}
