// Pooling counts up the unit tree (methodology §3: roll-ups are pooled over
// respondents). Units carry a materialised path ('/1/7/42/'), so "this unit
// and everything below it" is a prefix test; counts are generic so the same
// roll-up serves item distributions, response counts or whole count maps.

import { addDistributions, emptyDistribution } from './rates.ts';
import type { Distribution } from './report-types.ts';

export interface PathCounts<T> {
  /** Materialised path of the unit the counts belong to, ending in '/'. */
  path: string;
  counts: T;
}

export interface UnitRef {
  id: number;
  path: string;
}

export interface Rollup<T> {
  /** Each direct child's whole subtree, pooled, keyed by the child's id. */
  children: Map<number, T>;
  /** Counts recorded on the scope unit itself (a commune's own desk, say). */
  own: T;
  /**
   * Counts under the scope that fall under none of the children given:
   * empty when `children` lists all of the scope's direct children.
   */
  other: T;
  /** The scope's whole subtree: children + own + other. */
  total: T;
}

/** How to pool two counts, and the count of nothing. */
export interface Monoid<T> {
  empty: () => T;
  add: (a: T, b: T) => T;
}

export function rollup<T>(
  rows: readonly PathCounts<T>[],
  scope: UnitRef,
  children: readonly UnitRef[],
  { empty, add }: Monoid<T>,
): Rollup<T> {
  const byChild = new Map<number, T>(children.map((c) => [c.id, empty()]));
  const childByPath = new Map(children.map((c) => [c.path, c.id]));
  let own = empty();
  let other = empty();
  let total = empty();
  for (const row of rows) {
    if (!row.path.startsWith(scope.path)) continue;
    total = add(total, row.counts);
    if (row.path === scope.path) {
      own = add(own, row.counts);
      continue;
    }
    // The direct child's path is the scope's plus the next segment: '/1/7/'
    // + '42/'. A lookup, not a prefix scan, so '/1/7/' never takes '/1/70/'.
    const rest = row.path.slice(scope.path.length);
    const child = childByPath.get(scope.path + rest.slice(0, rest.indexOf('/') + 1));
    if (child !== undefined) byChild.set(child, add(byChild.get(child)!, row.counts));
    else other = add(other, row.counts);
  }
  return { children: byChild, own, other, total };
}

/** Counts keyed by anything (indicator key, answer value, channel), pooled key by key. */
export const countMap: Monoid<Record<string, number>> = {
  empty: () => ({}),
  add: (a, b) => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
    return out;
  },
};

/** Answers 1..5 of one item. */
export const distributions: Monoid<Distribution> = { empty: emptyDistribution, add: addDistributions };

/** Answers 1..5 of several items, keyed by indicator key. */
export const itemDistributions: Monoid<Record<string, Distribution>> = {
  empty: () => ({}),
  add: (a, b) => {
    const out = { ...a };
    for (const [k, d] of Object.entries(b)) out[k] = addDistributions(out[k] ?? emptyDistribution(), d);
    return out;
  },
};
