import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  type ApiKeyListing,
  type ApiPrincipal,
  findKeyById,
  listUnitKeys,
  revokeKey,
} from '../access/api-key-repository.ts';
import { createApiKey } from '../access/api-key-service.ts';
import {
  type DeskAdminRecord,
  type DeskRow,
  findDesk,
  insertDeskOnce,
  listUnitDesks,
  replaceDeskAreas,
  updateDesk,
} from './desk-repository.ts';
import { type AreaOption, listServiceAreas } from './service-area-repository.ts';
import {
  countActiveChildren,
  findUnit,
  insertChildUnit,
  listAncestors,
  listChildren,
  listSubtree,
  type UnitKind,
  type UnitRecord,
  type UnitRow,
  updateUnit,
} from './unit-repository.ts';

// Units, desks and API keys as managers see them. Every function first finds
// its target and checks the actor's reach: out of scope and missing are the
// same 'not_found'. Nothing is ever deleted: deactivating keeps the history
// (responses, feedback, keys) that points at a unit or a desk.

export type FormErrors = Record<string, string>;
export type Change = { status: 'ok'; id: number } | { status: 'not_found' } | { status: 'invalid'; errors: FormErrors };

const NOT_FOUND = { status: 'not_found' } as const;
const invalid = (errors: FormErrors) => ({ status: 'invalid', errors }) as const;
const UNIT_INACTIVE = 'Đơn vị đang ngừng hoạt động. Vui lòng hoạt động lại đơn vị trước.';

// A child ranks below its parent (a province holds communes, a commune holds
// centres); 'other' (a former district, a section) fits anywhere.
const RANK: Record<Exclude<UnitKind, 'other'>, number> = { province: 1, commune: 2, centre: 3 };
export const UNIT_KINDS: UnitKind[] = ['province', 'commune', 'centre', 'other'];

export function kindAllowedUnder(parent: UnitKind, child: UnitKind): boolean {
  if (parent === 'other' || child === 'other') return true;
  return RANK[child] > RANK[parent];
}

export interface TreeRow extends UnitRow {
  depth: number;
}

/** Units in pre-order (parent before its children), siblings by kind then name. */
export function asTree(rows: UnitRow[]): TreeRow[] {
  const ids = new Set(rows.map((r) => r.id));
  const byParent = new Map<number | null, UnitRow[]>();
  for (const r of rows) {
    const key = r.parentId !== null && ids.has(r.parentId) ? r.parentId : null;
    byParent.set(key, [...(byParent.get(key) ?? []), r]);
  }
  const order = (a: UnitRow, b: UnitRow) =>
    UNIT_KINDS.indexOf(a.kind) - UNIT_KINDS.indexOf(b.kind) || a.name.localeCompare(b.name, 'vi');
  const out: TreeRow[] = [];
  const walk = (parent: number | null, depth: number) => {
    for (const r of (byParent.get(parent) ?? []).sort(order)) {
      out.push({ ...r, depth });
      walk(r.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

export async function listUnitTree(db: Db, actor: Actor): Promise<TreeRow[]> {
  return asTree(await listSubtree(db, actor.unitPath));
}

async function reachableUnit(db: Db, actor: Actor, id: number): Promise<UnitRecord | undefined> {
  const unit = await findUnit(db, id);
  return unit && canReach(actor, unit.path) ? unit : undefined;
}

export interface UnitPage {
  unit: UnitRecord;
  /** Units above this one that the actor may open, top first. */
  ancestors: { id: number; name: string }[];
  children: UnitRow[];
  desks: DeskRow[];
  areas: AreaOption[];
  childKinds: UnitKind[];
}

export async function loadUnitPage(db: Db, actor: Actor, unitId: number): Promise<UnitPage | undefined> {
  const unit = await reachableUnit(db, actor, unitId);
  if (!unit) return undefined;
  const [ancestors, children, desks, areas] = await Promise.all([
    listAncestors(db, unit.path),
    listChildren(db, unit.id),
    listUnitDesks(db, unit.id),
    listServiceAreas(db),
  ]);
  return {
    unit,
    ancestors: ancestors.filter((a) => canReach(actor, a.path)).map(({ id, name }) => ({ id, name })),
    children,
    desks,
    areas,
    childKinds: UNIT_KINDS.filter((k) => kindAllowedUnder(unit.kind, k)),
  };
}

export async function createChildUnit(
  db: Db,
  actor: Actor,
  parentId: number,
  input: { code: string; name: string; kind: UnitKind },
): Promise<Change> {
  const parent = await reachableUnit(db, actor, parentId);
  if (!parent) return NOT_FOUND;
  if (!parent.active) return invalid({ form: UNIT_INACTIVE });
  if (!kindAllowedUnder(parent.kind, input.kind)) {
    return invalid({ kind: 'Loại đơn vị này không thể trực thuộc đơn vị hiện tại.' });
  }
  return db.transaction().execute(async (trx) => {
    const id = await insertChildUnit(trx, { parentId, ...input });
    if (!id) return invalid({ code: `Mã “${input.code}” đã được dùng cho một đơn vị khác. Vui lòng chọn mã khác.` });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: id,
      action: 'unit.create',
      detail: { parentId, ...input },
    });
    return { status: 'ok', id } as const;
  });
}

/**
 * A unit at the top of the hierarchy (a province, or a commune run on its
 * own): only an administrator whose scope is everything may add one.
 */
export async function createTopUnit(
  db: Db,
  actor: Actor,
  input: { code: string; name: string; kind: UnitKind },
): Promise<Change> {
  if (actor.role !== 'admin' || actor.unitPath !== '/') return NOT_FOUND;
  return db.transaction().execute(async (trx) => {
    const id = await insertChildUnit(trx, { parentId: null, ...input });
    if (!id) return invalid({ code: `Mã “${input.code}” đã được dùng cho một đơn vị khác. Vui lòng chọn mã khác.` });
    await recordAudit(trx, { actorUserId: actor.userId, unitId: id, action: 'unit.create', detail: { ...input } });
    return { status: 'ok', id } as const;
  });
}

export async function renameUnit(db: Db, actor: Actor, unitId: number, name: string): Promise<Change> {
  const unit = await reachableUnit(db, actor, unitId);
  if (!unit) return NOT_FOUND;
  if (unit.name === name) return { status: 'ok', id: unit.id };
  await db.transaction().execute(async (trx) => {
    await updateUnit(trx, unit.id, { name });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: unit.id,
      action: 'unit.rename',
      detail: { from: unit.name, to: name },
    });
  });
  return { status: 'ok', id: unit.id };
}

export async function setUnitActive(db: Db, actor: Actor, unitId: number, active: boolean): Promise<Change> {
  const unit = await reachableUnit(db, actor, unitId);
  if (!unit) return NOT_FOUND;
  if (unit.active === active) return { status: 'ok', id: unit.id };
  if (!active) {
    // Switching off one's own unit would leave no one able to switch it back.
    if (unit.id === actor.unitId) {
      return invalid({ active: 'Không thể ngừng hoạt động đơn vị mà tài khoản của Ông/Bà trực thuộc.' });
    }
    if ((await countActiveChildren(db, unit.id)) > 0) {
      return invalid({
        active: 'Đơn vị còn đơn vị trực thuộc đang hoạt động. Vui lòng ngừng hoạt động các đơn vị đó trước.',
      });
    }
  } else if (unit.parentId !== null && !(await findUnit(db, unit.parentId))?.active) {
    return invalid({ active: 'Đơn vị cấp trên đang ngừng hoạt động. Vui lòng hoạt động lại đơn vị cấp trên trước.' });
  }
  await db.transaction().execute(async (trx) => {
    await updateUnit(trx, unit.id, { active });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: unit.id,
      action: active ? 'unit.reactivate' : 'unit.deactivate',
      detail: { code: unit.code, name: unit.name },
    });
  });
  return { status: 'ok', id: unit.id };
}

/** Areas a desk may serve: the active ones, plus any it already serves. */
async function unknownAreas(db: Db, areas: string[], kept: string[] = []): Promise<boolean> {
  const allowed = new Set((await listServiceAreas(db)).filter((a) => a.active).map((a) => a.code));
  for (const k of kept) allowed.add(k);
  return areas.some((a) => !allowed.has(a));
}
const AREAS_INVALID = 'Lĩnh vực đã chọn không hợp lệ.';

export async function createDesk(
  db: Db,
  actor: Actor,
  unitId: number,
  input: { code: string; name: string; serviceAreas: string[] },
): Promise<Change> {
  const unit = await reachableUnit(db, actor, unitId);
  if (!unit) return NOT_FOUND;
  if (!unit.active) return invalid({ form: UNIT_INACTIVE });
  if (await unknownAreas(db, input.serviceAreas)) return invalid({ serviceAreas: AREAS_INVALID });
  return db.transaction().execute(async (trx) => {
    const id = await insertDeskOnce(trx, { unitId: unit.id, ...input });
    if (!id) return invalid({ code: `Mã quầy “${input.code}” đã được dùng. Vui lòng chọn mã khác.` });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: unit.id,
      action: 'desk.create',
      detail: { deskId: id, ...input },
    });
    return { status: 'ok', id } as const;
  });
}

export interface DeskPage {
  desk: DeskAdminRecord;
  areas: AreaOption[];
}

async function reachableDesk(db: Db, actor: Actor, id: number): Promise<DeskAdminRecord | undefined> {
  const desk = await findDesk(db, id);
  return desk && canReach(actor, desk.unitPath) ? desk : undefined;
}

export async function loadDeskPage(db: Db, actor: Actor, deskId: number): Promise<DeskPage | undefined> {
  const desk = await reachableDesk(db, actor, deskId);
  return desk && { desk, areas: await listServiceAreas(db) };
}

/** Name, service areas or active flag of a desk; its code never changes, it is printed on posters. */
export async function updateDeskSettings(
  db: Db,
  actor: Actor,
  deskId: number,
  change: { name: string } | { serviceAreas: string[] } | { active: boolean },
): Promise<Change> {
  const desk = await reachableDesk(db, actor, deskId);
  if (!desk) return NOT_FOUND;
  let action = 'desk.update';
  let detail: Record<string, unknown>;
  if ('name' in change) {
    if (change.name === desk.name) return { status: 'ok', id: desk.id };
    detail = { change: 'name', from: desk.name, to: change.name };
  } else if ('serviceAreas' in change) {
    if (!change.serviceAreas.length) return invalid({ serviceAreas: 'Quầy cần phục vụ ít nhất một lĩnh vực.' });
    if (await unknownAreas(db, change.serviceAreas, desk.serviceAreas)) {
      return invalid({ serviceAreas: AREAS_INVALID });
    }
    detail = { change: 'serviceAreas', from: desk.serviceAreas, to: change.serviceAreas };
  } else {
    if (change.active === desk.active) return { status: 'ok', id: desk.id };
    action = change.active ? 'desk.reactivate' : 'desk.deactivate';
    detail = {};
  }
  await db.transaction().execute(async (trx) => {
    if ('serviceAreas' in change) await replaceDeskAreas(trx, desk.id, change.serviceAreas);
    else await updateDesk(trx, desk.id, change);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: desk.unitId,
      action,
      detail: { deskId: desk.id, code: desk.code, ...detail },
    });
  });
  return { status: 'ok', id: desk.id };
}

export interface KeysPage {
  unit: UnitRecord;
  keys: ApiKeyListing[];
}

export async function loadUnitKeys(db: Db, actor: Actor, unitId: number): Promise<KeysPage | undefined> {
  const unit = await reachableUnit(db, actor, unitId);
  return unit && { unit, keys: await listUnitKeys(db, unit.id) };
}

export type KeyCreation =
  | { status: 'created'; key: string; id: number }
  | { status: 'not_found' }
  | { status: 'invalid'; errors: FormErrors };

/** A key for the unit and its subtree; a manager's reach bounds the keys it can make. */
export async function createUnitKey(
  db: Db,
  actor: Actor,
  unitId: number,
  input: { role: ApiPrincipal['role']; label: string },
): Promise<KeyCreation> {
  const unit = await reachableUnit(db, actor, unitId);
  if (!unit) return NOT_FOUND;
  if (!unit.active) return invalid({ form: UNIT_INACTIVE });
  const made = await createApiKey(db, { unitCode: unit.code, ...input }, { userId: actor.userId, label: actor.label });
  return made ? { status: 'created', ...made } : NOT_FOUND;
}

export async function revokeUnitKey(db: Db, actor: Actor, unitId: number, keyId: number): Promise<Change> {
  const unit = await reachableUnit(db, actor, unitId);
  const key = unit && (await findKeyById(db, keyId));
  // A key is only reachable through its own unit's page.
  if (!unit || key?.unitId !== unit.id) return NOT_FOUND;
  await db.transaction().execute(async (trx) => {
    if (!(await revokeKey(trx, key.id))) return;
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: unit.id,
      action: 'apikey.revoke',
      detail: { keyId: key.id, prefix: key.keyPrefix, label: key.label, role: key.role },
    });
  });
  return { status: 'ok', id: key.id };
}
