import type { TreeRow } from './unit-admin-service.ts';

// A province or a commune has no desk of its own: its desks are its centres'.
// The units table shows what lies under each unit, counted here from the rows
// already read (pure: no database), so that a province does not read 0.

export interface SubtreeDesks {
  /** Desks of the unit and every unit below it that is in the list. */
  subtreeDesks: number;
  subtreeActiveDesks: number;
}

/** Each row with its subtree's desk counts; a row's own counts stay as they are. */
export function withSubtreeDesks<T extends TreeRow>(rows: T[]): (T & SubtreeDesks)[] {
  const byId = new Map(rows.map((r) => [r.id, { ...r, subtreeDesks: 0, subtreeActiveDesks: 0 }]));
  for (const r of rows) {
    // Up the parent chain while the parent is listed (the actor's scope ends above).
    for (let at = byId.get(r.id); at; at = at.parentId === null ? undefined : byId.get(at.parentId)) {
      at.subtreeDesks += r.desks;
      at.subtreeActiveDesks += r.activeDesks;
    }
  }
  return rows.map((r) => byId.get(r.id)!);
}
