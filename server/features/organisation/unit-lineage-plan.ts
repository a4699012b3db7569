import type { TargetRecord, TargetWrite } from '../targets/target-repository.ts';
import type { LineageDetail, LineageRequest, LUnit } from './unit-lineage-types.ts';

// The shapes of a reorganisation's plan, and what the merge and split plans share.

export interface LDesk {
  id: number;
  code: string;
  name: string;
  unitId: number;
  active: boolean;
  serviceAreas: string[];
}
export interface LAccount {
  id: number;
  label: string;
  role: string;
  unitId: number;
}

export interface LineageState {
  /** The units named and every unit of their subtrees. */
  units: LUnit[];
  /** Desks of the predecessors' subtrees and of the units that may receive desks. */
  desks: LDesk[];
  targets: TargetRecord[];
  users: LAccount[];
  keys: LAccount[];
  /** Today in Vietnam, yyyy-mm-dd. */
  today: string;
}

export interface LineagePlan {
  request: LineageRequest;
  sections: { title: string; items: string[] }[];
  parentChanges: { unitId: number; toParentId: number }[];
  retire: number[];
  rename?: { unitId: number; name: string };
  deskMoves: { deskId: number; toUnitId: number }[];
  deskRetirements: { deskId: number; replacedBy: number }[];
  targetCopies: TargetWrite[];
  userMoves: { id: number; toUnitId: number }[];
  keyMoves: { id: number; toUnitId: number }[];
  lineage: { predecessorId: number; successorId: number }[];
  /** Units whose history is recorded: the event's audit rows go to each. */
  touched: number[];
  detail: LineageDetail;
}

export type PlanResult = { ok: true; plan: LineagePlan } | { ok: false; errors: Record<string, string> };

export const RANK: Record<string, number> = { province: 1, commune: 2, centre: 3 };

/** Whether a unit of `child` kind may sit under one of `parent` kind ('other' fits anywhere). */
export function kindFits(parent: LUnit['kind'], child: LUnit['kind']): boolean {
  if (parent === 'other' || child === 'other') return true;
  return (RANK[child] ?? 0) > (RANK[parent] ?? 0);
}

export const under = (u: LUnit, top: LUnit) => u.path.startsWith(top.path);

/** Where desks of a unit go: its first active centre, else the unit itself. */
export function deskHome(state: LineageState, unit: LUnit): LUnit {
  const centres = state.units
    .filter((u) => u.parentId === unit.id && u.kind === 'centre' && u.active)
    .sort((a, b) => a.name.localeCompare(b.name, 'vi'));
  return centres[0] ?? unit;
}

export function successorDesk(state: LineageState, home: LUnit, desk: LDesk): LDesk | undefined {
  const overlap = (d: LDesk) => d.serviceAreas.filter((a) => desk.serviceAreas.includes(a)).length;
  return state.desks
    .filter((d) => d.unitId === home.id && d.active)
    .sort((a, b) => overlap(b) - overlap(a) || a.code.localeCompare(b.code))[0];
}

export type Finder = (field: string, code: string) => LUnit | undefined;
export type Base = Omit<LineagePlan, 'sections' | 'touched' | 'detail'>;

export function accountsSection(users: LAccount[], keys: LAccount[], unitName: (id: number) => string, note: string) {
  return {
    title: 'Tài khoản và khóa API',
    items: [
      ...users.map((u) => `Tài khoản ${u.label} (${u.role}, ${unitName(u.unitId)}): ${note}.`),
      ...keys.map((k) => `Khóa API ${k.label} (${k.role}, ${unitName(k.unitId)}): ${note}.`),
      ...(users.length + keys.length ? [] : ['Không có tài khoản hay khóa API nào.']),
    ],
  };
}
