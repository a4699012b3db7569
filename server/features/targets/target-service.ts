import { isoDateToVi, todayIso } from '../../../analysis/local-time.ts';
import { FACTOR_NAMES } from '../../../surveys/factor-names.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { findUnit } from '../organisation/unit-repository.ts';
import {
  deleteTarget,
  findTarget,
  insertTarget,
  listTargetsAbove,
  listTargetsInSubtree,
  listUnitOptions,
  type TargetRecord,
  updateTarget,
} from './target-repository.ts';
import {
  COMPARISON_NAMES,
  formatThreshold,
  METRIC_NAMES,
  METRICS,
  metricLabel,
  type TargetFormErrors,
  type TargetInput,
} from './target-rules.ts';

const MAX_ID = 2_147_483_647;

// Plan targets: listing what applies to a user's units, and the changes an
// official makes, each in one transaction with its audit entry.

export interface TargetView extends TargetRecord {
  metricText: string;
  thresholdText: string;
  periodText: string;
  areaText: string;
  /** In force today (Vietnam time). */
  current: boolean;
}

function view(t: TargetRecord, today: string): TargetView {
  return {
    ...t,
    metricText: metricLabel(t.metric, t.factorKey),
    thresholdText: formatThreshold(t.comparison, t.threshold),
    periodText: `${isoDateToVi(t.validFrom)} – ${isoDateToVi(t.validTo)}`,
    areaText: t.serviceAreaName ?? 'Tất cả lĩnh vực',
    current: t.validFrom <= today && today <= t.validTo,
  };
}

/** By unit, newest period first, then metrics in catalogue order (satisfaction first), all areas before one. */
function inPlanOrder(list: TargetRecord[]): TargetRecord[] {
  const rank = (m: TargetRecord['metric']) => METRICS.indexOf(m);
  return [...list].sort(
    (a, b) =>
      a.unitPath.localeCompare(b.unitPath) ||
      b.validFrom.localeCompare(a.validFrom) ||
      rank(a.metric) - rank(b.metric) ||
      (a.factorKey ?? '').localeCompare(b.factorKey ?? '') ||
      (a.serviceAreaCode ?? '').localeCompare(b.serviceAreaCode ?? '') ||
      a.id - b.id,
  );
}

/** Targets set in the actor's subtree, and those set above it that apply to it (read-only). */
export async function targetsFor(db: Db, actor: Actor, now = new Date()) {
  const today = todayIso(now);
  const [own, above] = await Promise.all([
    listTargetsInSubtree(db, actor.unitPath),
    actor.unitPath === '/' ? Promise.resolve([]) : listTargetsAbove(db, actor.unitPath),
  ]);
  return { own: inPlanOrder(own).map((t) => view(t, today)), above: inPlanOrder(above).map((t) => view(t, today)) };
}

/** A target by id, in scope or not: the caller checks canReach(actor, target.unitPath). */
export async function loadTarget(db: Db, id: number): Promise<TargetRecord | undefined> {
  // idParam admits ten digits; beyond the integer column's range nothing exists.
  return id <= MAX_ID ? findTarget(db, id) : undefined;
}

export function describeTarget(t: TargetRecord, now = new Date()): TargetView {
  return view(t, todayIso(now));
}

/** The choices of the target form, limited to the actor's subtree. */
export async function targetFormOptions(db: Db, actor: Actor) {
  const [units, areas] = await Promise.all([
    listUnitOptions(db, actor.unitPath),
    listServiceAreas(db, { activeOnly: true }),
  ]);
  // Indent below the actor's own unit, whatever its depth in the whole tree.
  const top = units.length ? Math.min(...units.map((u) => u.depth)) : 0;
  return {
    units: units.map((u) => ({ ...u, depth: u.depth - top })),
    serviceAreas: areas.map((a) => ({ code: a.code, name: a.nameVi })),
    metrics: Object.entries(METRIC_NAMES).map(([code, name]) => ({ code, name })),
    factors: Object.entries(FACTOR_NAMES).map(([code, name]) => ({ code, name })),
    comparisons: Object.entries(COMPARISON_NAMES).map(([code, name]) => ({ code, name })),
  };
}

export type SaveResult = { ok: true; id: number } | { ok: false; errors: TargetFormErrors };

/** The checks that need the database: the unit in scope and active, the service area known. */
async function checkReferences(db: Db, actor: Actor, input: TargetInput): Promise<TargetFormErrors> {
  const errors: TargetFormErrors = {};
  const unit = await findUnit(db, input.unitId);
  if (!unit?.active || !canReach(actor, unit.path)) {
    errors.unitId = 'Vui lòng chọn một đơn vị thuộc phạm vi của Ông/Bà.';
  }
  if (input.serviceAreaCode) {
    const areas = await listServiceAreas(db, { activeOnly: true });
    if (!areas.some((a) => a.code === input.serviceAreaCode))
      errors.serviceArea = 'Vui lòng chọn lĩnh vực trong danh sách.';
  }
  return errors;
}

function auditDetail(id: number, input: TargetInput) {
  return {
    targetId: id,
    metric: input.metric,
    factorKey: input.factorKey,
    serviceArea: input.serviceAreaCode,
    comparison: input.comparison,
    threshold: input.threshold,
    validFrom: input.validFrom,
    validTo: input.validTo,
    sourcePlan: input.sourcePlan,
  };
}

export async function createTarget(db: Db, actor: Actor, input: TargetInput): Promise<SaveResult> {
  const errors = await checkReferences(db, actor, input);
  if (Object.keys(errors).length) return { ok: false, errors };
  const id = await db.transaction().execute(async (trx) => {
    const id = await insertTarget(trx, input, actor.userId);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: input.unitId,
      action: 'target.create',
      detail: auditDetail(id, input),
    });
    return id;
  });
  return { ok: true, id };
}

/** `existing` was loaded and scope-checked by the caller. */
export async function changeTarget(
  db: Db,
  actor: Actor & { userId: number },
  existing: TargetRecord,
  input: TargetInput,
): Promise<SaveResult> {
  const errors = await checkReferences(db, actor, input);
  if (Object.keys(errors).length) return { ok: false, errors };
  await db.transaction().execute(async (trx) => {
    await updateTarget(trx, existing.id, input, actor.userId);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: input.unitId,
      action: 'target.update',
      detail: {
        ...auditDetail(existing.id, input),
        before: {
          unitId: existing.unitId,
          metric: existing.metric,
          comparison: existing.comparison,
          threshold: existing.threshold,
          serviceArea: existing.serviceAreaCode,
          validFrom: existing.validFrom,
          validTo: existing.validTo,
        },
      },
    });
  });
  return { ok: true, id: existing.id };
}

export async function removeTarget(db: Db, actor: Actor, existing: TargetRecord): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await deleteTarget(trx, existing.id);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: existing.unitId,
      action: 'target.delete',
      detail: {
        targetId: existing.id,
        metric: existing.metric,
        comparison: existing.comparison,
        threshold: existing.threshold,
        serviceArea: existing.serviceAreaCode,
        sourcePlan: existing.sourcePlan,
      },
    });
  });
}
