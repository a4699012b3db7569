// What a reorganisation asks for, and the before-state an event keeps so that
// "the tree at a date" can undo it (unit_event.detail).

export interface LUnit {
  id: number;
  code: string;
  name: string;
  kind: 'province' | 'commune' | 'centre' | 'other';
  parentId: number | null;
  path: string;
  active: boolean;
}

export type LineageRequest =
  | {
      kind: 'merge';
      into: string;
      from: string[];
      on: string;
      /** The unit that receives the desks: the successor's centre unless told. */
      deskTo?: string;
      /** Desks retired instead of moved; their posters lead to a successor's desk. */
      retireDesks?: string[];
      carryTargets: boolean;
      moveAccounts: boolean;
      /** The successor is created by the merge, with `into` as its code. */
      newInto?: { name: string; parent: string };
    }
  | { kind: 'split'; from: string; into: string[]; on: string; desks: Record<string, string> }
  | { kind: 'rename'; unit: string; name: string; on: string }
  | { kind: 'move'; unit: string; to: string; on: string };

export type LineageKind = LineageRequest['kind'];

interface Moved {
  id: number;
  fromUnitId: number;
}

export interface MergeDetail {
  kind: 'merge';
  into: { id: number; name: string };
  from: { id: number; code: string; name: string; parentId: number | null }[];
  /** Units that were active and were retired. */
  retired: number[];
  /** toUnitId null: the desk was retired where it stood. */
  desks: (Moved & { code: string; toUnitId: number | null })[];
  users: Moved[];
  keys: Moved[];
  /** The successor, when the merge founded it: not in the tree before the merge. */
  created?: number[];
}

export interface SplitDetail {
  kind: 'split';
  from: { id: number; code: string; name: string };
  into: { id: number; name: string }[];
  retired: number[];
  desks: (Moved & { code: string; toUnitId: number })[];
}

export type LineageDetail =
  | MergeDetail
  | SplitDetail
  | { kind: 'rename'; unitId: number; from: string; to: string }
  | { kind: 'move'; unitId: number; fromParentId: number | null; toParentId: number };

export interface LineageEvent {
  id: number;
  kind: LineageKind;
  /** yyyy-mm-dd */
  effectiveOn: string;
  detail: LineageDetail;
}
