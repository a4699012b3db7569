import type { ColumnType, Generated } from 'kysely';

// Units over time and in public (issue 17). Reorganisations
// (2026-12-05T2110_unit-lineage): each merge, split, rename or move is an
// event with its effective date and the state before it (to draw the tree
// at a past date), and the lineage links predecessors to successors. And
// whether a unit publishes its results (2026-12-05T2100_public-results).
// Imported through schema.ts.

export type UnitEventKind = 'merge' | 'split' | 'rename' | 'move';

export interface UnitEventTable {
  id: Generated<number>;
  kind: UnitEventKind;
  /** date, 'yyyy-mm-dd': select it with to_char */
  effective_on: ColumnType<string, string, string>;
  /** The before-state and what changed (unit-lineage-types.ts LineageDetail), as JSON. */
  detail: unknown;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface UnitLineageTable {
  event_id: number;
  predecessor_id: number;
  successor_id: number;
}

/** Whether a unit's results are published at /cong-khai/{code}; no row: off. */
export interface UnitPublicationTable {
  unit_id: number;
  published: boolean;
  changed_by: number | null;
  changed_at: Generated<Date>;
}
