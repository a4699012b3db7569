import { todayIso } from '../../../analysis/local-time.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { forgetApiKeys } from '../access/api-auth-plugin.ts';
import { forgetDeskSurveys } from '../submission/submission-service.ts';
import { insertTarget, listTargetsInSubtree } from '../targets/target-repository.ts';
import { asTree, type TreeRow } from './unit-admin-service.ts';
import { noteOf, treeAtDate } from './unit-lineage-history.ts';
import {
  findUnitsByCode,
  insertEvent,
  listDesksOf,
  listEventsAfter,
  listKeysOf,
  listLineageLinks,
  listUnitsUnder,
  listUsersOf,
  lockUnits,
  moveDesk,
  moveKey,
  moveUser,
  renameUnitRow,
  retireDesk,
  retireUnits,
  setParent,
} from './unit-lineage-repository.ts';
import {
  type LineagePlan,
  type LineageRequest,
  type LineageState,
  type LUnit,
  type PlanResult,
  planLineage,
} from './unit-lineage-rules.ts';
import { findUnit, insertChildUnit, listSubtree } from './unit-repository.ts';

// Merges, splits, renames and moves of units (issue 17), for the staff page
// and the CLI alike: a preview computed from the current state, then the
// same plan applied in one transaction, recorded as a unit_event with its
// lineage and audited. Responses keep their unit; reports select units by
// path, so a unit's history follows it wherever it now sits in the tree.

/** Who may reorganise: an administrator, within their own scope. */
export const canReorganise = (actor: Pick<Actor, 'role'>) => actor.role === 'admin';

/** The codes a request names: those whose subtrees change, and those that receive. */
function namedCodes(req: LineageRequest): { sources: string[]; destinations: string[] } {
  switch (req.kind) {
    case 'merge':
      return { sources: req.from, destinations: [req.into, ...(req.deskTo ? [req.deskTo] : [])] };
    case 'split':
      return { sources: [req.from], destinations: req.into };
    case 'rename':
      return { sources: [req.unit], destinations: [] };
    case 'move':
      return { sources: [req.unit], destinations: [req.to] };
  }
}

async function loadState(db: Db, actor: Actor, req: LineageRequest, now: Date): Promise<LineageState> {
  const { sources, destinations } = namedCodes(req);
  // Units out of the actor's reach are left out: they read as unknown codes.
  const reach = (units: Awaited<ReturnType<typeof findUnitsByCode>>) => units.filter((u) => canReach(actor, u.path));
  const named = reach(await findUnitsByCode(db, [...new Set([...sources, ...destinations])]));
  const sourceUnits = named.filter((u) => sources.includes(u.code));
  const destUnits = named.filter((u) => destinations.includes(u.code));
  const subtrees = await listUnitsUnder(
    db,
    sourceUnits.map((u) => u.path),
  );
  // A destination's children: where its desks live (its centre).
  const around = (
    await listUnitsUnder(
      db,
      destUnits.map((u) => u.path),
    )
  ).filter((u) => destUnits.some((d) => d.id === u.id || d.id === u.parentId));
  const units = [...new Map([...named, ...subtrees, ...around].map((u) => [u.id, u])).values()];
  const sourceIds = subtrees.map((u) => u.id);
  const withTargets = req.kind === 'merge' || req.kind === 'split';
  return {
    units,
    desks: await listDesksOf(
      db,
      units.map((u) => u.id),
    ),
    targets: withTargets ? (await Promise.all(sourceUnits.map((u) => listTargetsInSubtree(db, u.path)))).flat() : [],
    users: await listUsersOf(db, sourceIds),
    keys: await listKeysOf(db, sourceIds),
    today: todayIso(now),
  };
}

type NewSuccessor = { parent: LUnit; code: string; name: string; kind: LUnit['kind'] };

/** The successor a merge creates (C new): its parent in the actor's reach, the predecessors' kind. */
async function newSuccessor(
  db: Db,
  actor: Actor,
  req: LineageRequest,
): Promise<{ ok: true; unit?: NewSuccessor } | { ok: false; errors: Record<string, string> }> {
  if (req.kind !== 'merge' || !req.newInto) return { ok: true };
  if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(req.into)) {
    return { ok: false, errors: { into: 'Mã gồm 2–64 ký tự: chữ thường không dấu, chữ số và dấu gạch ngang (-).' } };
  }
  if ((await findUnitsByCode(db, [req.into])).length) {
    return { ok: false, errors: { into: `Mã “${req.into}” đã được dùng cho một đơn vị khác.` } };
  }
  const name = req.newInto.name.normalize('NFC').trim();
  if (!name || name.length > 200) return { ok: false, errors: { newName: 'Vui lòng nhập tên đơn vị mới.' } };
  const parent = (await findUnitsByCode(db, [req.newInto.parent])).find((u) => canReach(actor, u.path) && u.active);
  if (!parent) return { ok: false, errors: { newParent: 'Không tìm thấy đơn vị cấp trên của đơn vị mới.' } };
  const [first] = await findUnitsByCode(db, req.from.slice(0, 1));
  return { ok: true, unit: { parent, code: req.into, name, kind: first?.kind ?? 'commune' } };
}

const createdSection = (n: NewSuccessor) => ({
  title: 'Đơn vị mới',
  items: [`Thành lập “${n.name}” (mã ${n.code}) trực thuộc “${n.parent.name}”.`],
});

export async function previewLineage(db: Db, actor: Actor, req: LineageRequest, now = new Date()): Promise<PlanResult> {
  if (!canReorganise(actor)) return { ok: false, errors: { form: 'Chỉ quản trị viên được sắp xếp lại đơn vị.' } };
  const created = await newSuccessor(db, actor, req);
  if (!created.ok) return created;
  const state = await loadState(db, actor, req, now);
  const n = created.unit;
  // Planned against a stand-in for the unit not yet made (id -1).
  if (n)
    state.units.push({
      id: -1,
      code: n.code,
      name: n.name,
      kind: n.kind,
      parentId: n.parent.id,
      path: `${n.parent.path}-1/`,
      active: true,
    });
  const result = planLineage(state, req);
  if (result.ok && n) result.plan.sections.unshift(createdSection(n));
  return result;
}

export type LineageApplied =
  | { ok: true; eventId: number; plan: LineagePlan }
  | { ok: false; errors: Record<string, string> };

export async function applyLineage(
  db: Db,
  actor: Actor,
  req: LineageRequest,
  now = new Date(),
): Promise<LineageApplied> {
  if (!canReorganise(actor)) return { ok: false, errors: { form: 'Chỉ quản trị viên được sắp xếp lại đơn vị.' } };
  const result = await db.transaction().execute(async (trx): Promise<LineageApplied> => {
    const { sources, destinations } = namedCodes(req);
    await lockUnits(
      trx,
      (await findUnitsByCode(trx, [...sources, ...destinations])).map((u) => u.id),
    );
    const created = await newSuccessor(trx, actor, req);
    if (!created.ok) return created;
    const n = created.unit;
    let createdId: number | undefined;
    if (n) {
      const id = await insertChildUnit(trx, { parentId: n.parent.id, code: n.code, name: n.name, kind: n.kind });
      if (!id) return { ok: false, errors: { into: `Mã “${n.code}” đã được dùng cho một đơn vị khác.` } };
      createdId = id;
      await recordAudit(trx, {
        actorUserId: actor.userId,
        actorLabel: actor.userId ? null : actor.label,
        unitId: id,
        action: 'unit.create',
        detail: { parentId: n.parent.id, code: n.code, name: n.name, kind: n.kind },
      });
    }
    // Planned again inside the transaction: what is applied is what the state is now.
    const planned = planLineage(await loadState(trx, actor, req, now), req);
    if (!planned.ok) return planned;
    const plan = planned.plan;
    if (n) plan.sections.unshift(createdSection(n));
    if (createdId && plan.detail.kind === 'merge') plan.detail.created = [createdId];
    for (const c of plan.parentChanges) await setParent(trx, c.unitId, c.toParentId);
    await retireUnits(trx, plan.retire);
    if (plan.rename) await renameUnitRow(trx, plan.rename.unitId, plan.rename.name);
    for (const m of plan.deskMoves) await moveDesk(trx, m.deskId, m.toUnitId);
    for (const r of plan.deskRetirements) await retireDesk(trx, r.deskId, r.replacedBy);
    const targetIds: number[] = [];
    for (const t of plan.targetCopies) targetIds.push(await insertTarget(trx, t, actor.userId));
    for (const m of plan.userMoves) await moveUser(trx, m.id, m.toUnitId);
    for (const m of plan.keyMoves) await moveKey(trx, m.id, m.toUnitId);
    const eventId = await insertEvent(
      trx,
      { kind: req.kind, effectiveOn: req.on, detail: plan.detail, createdBy: actor.userId },
      plan.lineage,
    );
    for (const unitId of [...new Set(plan.touched)]) {
      await recordAudit(trx, {
        actorUserId: actor.userId,
        actorLabel: actor.userId ? null : actor.label,
        unitId,
        action: `unit.${req.kind}`,
        detail: {
          eventId,
          effectiveOn: req.on,
          changes: plan.sections.flatMap((s) => s.items),
          copiedTargets: targetIds,
        },
      });
    }
    return { ok: true, eventId, plan };
  });
  if (result.ok) {
    // Desks, their units and keys' paths are cached per process: read them afresh.
    forgetDeskSurveys(db);
    forgetApiKeys(db);
  }
  return result;
}

/**
 * What a report on a unit must say about its history: the merged units whose
 * figures it holds, and the split unit its figures came from before a date.
 */
export async function lineageNotes(db: Db, unitId: number): Promise<string[]> {
  const unit = await findUnit(db, unitId);
  if (!unit) return [];
  const links = await listLineageLinks(db, unit.path);
  const notes: string[] = [];
  for (const eventId of [...new Set(links.map((l) => l.eventId))]) {
    const mine = links.filter((l) => l.eventId === eventId);
    const first = mine[0]!;
    const names = (pick: (l: (typeof mine)[number]) => boolean) =>
      [...new Set(mine.filter(pick).map((l) => l.predecessorName))].sort((a, b) => a.localeCompare(b, 'vi'));
    if (first.kind === 'merge') {
      const held = names((l) => l.predecessorInScope && l.successorInScope && !l.wasInScope);
      if (held.length) notes.push(noteOf('merge', held, first.effectiveOn));
    } else {
      const from = names((l) => !l.predecessorInScope && l.successorInScope);
      if (from.length) notes.push(noteOf('split', from, first.effectiveOn));
    }
  }
  return notes;
}

/** The actor's tree as it stood on `day` (yyyy-mm-dd), events after it undone. */
export async function unitTreeAt(db: Db, actor: Actor, day: string): Promise<TreeRow[]> {
  const [rows, events] = await Promise.all([listSubtree(db, actor.unitPath), listEventsAfter(db, day)]);
  return asTree(treeAtDate(rows, events, day));
}
