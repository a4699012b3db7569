import { isoDateToVi } from '../../../analysis/local-time.ts';
import type { LineageEvent } from './unit-lineage-types.ts';
import type { UnitRow } from './unit-repository.ts';

// The tree as it stood on a past day, rebuilt from today's by undoing the
// events that took effect after it (newest first), from their before-state.
// Pure: the rows and events come from the service.

export function treeAtDate(rows: UnitRow[], events: LineageEvent[], date: string): UnitRow[] {
  const byId = new Map(rows.map((r) => [r.id, { ...r }]));
  const moveDesk = (fromUnitId: number, toUnitId: number) => {
    const now = byId.get(toUnitId);
    const then = byId.get(fromUnitId);
    if (now) Object.assign(now, { desks: now.desks - 1, activeDesks: now.activeDesks - 1 });
    if (then) Object.assign(then, { desks: then.desks + 1, activeDesks: then.activeDesks + 1 });
  };
  const later = events
    .filter((e) => e.effectiveOn > date)
    .sort((a, b) => b.effectiveOn.localeCompare(a.effectiveOn) || b.id - a.id);
  for (const e of later) {
    const d = e.detail;
    if (d.kind === 'rename') {
      const u = byId.get(d.unitId);
      if (u) u.name = d.from;
    } else if (d.kind === 'move') {
      const u = byId.get(d.unitId);
      if (u) u.parentId = d.fromParentId;
    } else {
      for (const id of d.retired) {
        const u = byId.get(id);
        if (u) u.active = true;
      }
      if (d.kind === 'merge') {
        for (const f of d.from) {
          const u = byId.get(f.id);
          if (u) u.parentId = f.parentId;
        }
        // A successor the merge founded did not exist before it.
        for (const id of d.created ?? []) byId.delete(id);
      }
      for (const desk of d.desks) {
        if (desk.toUnitId !== null) moveDesk(desk.fromUnitId, desk.toUnitId);
        else {
          const u = byId.get(desk.fromUnitId);
          if (u) u.activeDesks += 1;
        }
      }
    }
  }
  return [...byId.values()];
}

/** One note for the report of a unit whose subtree holds predecessors, or that succeeds a split unit. */
export function noteOf(kind: 'merge' | 'split', names: string[], effectiveOn: string): string {
  const list = names.join(', ');
  return kind === 'merge'
    ? `Gồm số liệu của ${list} trước ngày ${isoDateToVi(effectiveOn)}.`
    : `Trước ngày ${isoDateToVi(effectiveOn)}, số liệu thuộc ${list}.`;
}
