import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { TargetComparison, TargetMetric } from '../../platform/db/schema.ts';

export interface TargetRecord {
  id: number;
  unitId: number;
  unitName: string;
  /** Materialised path of the target's unit, for scope checks with canReach(). */
  unitPath: string;
  serviceAreaCode: string | null;
  serviceAreaName: string | null;
  metric: TargetMetric;
  factorKey: string | null;
  comparison: TargetComparison;
  /** A proportion 0..1. */
  threshold: number;
  /** 'yyyy-mm-dd' */
  validFrom: string;
  validTo: string;
  sourcePlan: string;
  sourceClause: string | null;
}

export interface TargetWrite {
  unitId: number;
  serviceAreaCode: string | null;
  metric: TargetMetric;
  factorKey: string | null;
  comparison: TargetComparison;
  threshold: number;
  validFrom: string;
  validTo: string;
  sourcePlan: string;
  sourceClause: string | null;
}

function selectTargets(db: Db) {
  return db
    .selectFrom('plan_target as t')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .leftJoin('service_area as a', 'a.code', 't.service_area_code')
    .select([
      't.id',
      't.unit_id as unitId',
      'u.name as unitName',
      'u.path as unitPath',
      't.service_area_code as serviceAreaCode',
      'a.name_vi as serviceAreaName',
      't.metric',
      't.factor_key as factorKey',
      't.comparison',
      sql<number>`t.threshold::float8`.as('threshold'),
      // pg would turn a date into a Date at the server's local midnight.
      sql<string>`to_char(t.valid_from, 'YYYY-MM-DD')`.as('validFrom'),
      sql<string>`to_char(t.valid_to, 'YYYY-MM-DD')`.as('validTo'),
      't.source_plan as sourcePlan',
      't.source_clause as sourceClause',
    ]);
}

/** Targets set on a unit of the subtree under `scopePath`. */
export async function listTargetsInSubtree(db: Db, scopePath: string): Promise<TargetRecord[]> {
  return selectTargets(db).where('u.path', 'like', `${scopePath}%`).execute();
}

/** Targets set on the units above `unitPath`, which apply to it too. */
export async function listTargetsAbove(db: Db, unitPath: string): Promise<TargetRecord[]> {
  return selectTargets(db)
    .where(sql<boolean>`${unitPath} like u.path || '%'`)
    .where('u.path', '<>', unitPath)
    .execute();
}

/** A target by id; the caller checks the actor's scope. */
export async function findTarget(db: Db, id: number): Promise<TargetRecord | undefined> {
  return selectTargets(db).where('t.id', '=', id).executeTakeFirst();
}

function row(t: TargetWrite) {
  return {
    unit_id: t.unitId,
    service_area_code: t.serviceAreaCode,
    metric: t.metric,
    factor_key: t.factorKey,
    comparison: t.comparison,
    threshold: t.threshold.toFixed(6),
    valid_from: t.validFrom,
    valid_to: t.validTo,
    source_plan: t.sourcePlan,
    source_clause: t.sourceClause,
  };
}

export async function insertTarget(db: Db, t: TargetWrite, byUserId: number | null): Promise<number> {
  const { id } = await db
    .insertInto('plan_target')
    .values({ ...row(t), created_by: byUserId, updated_by: byUserId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updateTarget(db: Db, id: number, t: TargetWrite, byUserId: number): Promise<void> {
  await db
    .updateTable('plan_target')
    .set({ ...row(t), updated_by: byUserId, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export async function deleteTarget(db: Db, id: number): Promise<void> {
  await db.deleteFrom('plan_target').where('id', '=', id).execute();
}

export interface UnitOption {
  id: number;
  name: string;
  path: string;
  depth: number;
}

/** Active units of a subtree, in tree order, for the "applies to" choice. */
export async function listUnitOptions(db: Db, scopePath: string): Promise<UnitOption[]> {
  return db
    .selectFrom('unit')
    .select([
      'id',
      'name',
      'path',
      sql<number>`array_length(string_to_array(trim(both '/' from path), '/'), 1)`.as('depth'),
    ])
    .where('path', 'like', `${scopePath}%`)
    .where('active', '=', true)
    .orderBy('path')
    .execute();
}
