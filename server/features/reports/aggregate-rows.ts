// The rows of the aggregate queries (aggregate-repository.ts) turned into
// what the reports read: each grouped row with the unit it lies under.

const byUnit = <T extends { unitId: number }>(rows: T[]) =>
  // Children by id, as rows by unit were; the scope's own rows (id from its path) in the same order.
  rows.sort((a, b) => a.unitId - b.unitId);

/**
 * Grouped rows with their unit (the scope itself, or its direct child), by
 * unit: copied field by field, one unit object per child. A province's
 * quarter is some 20,000 rows; a rest-and-spread copy of each cost 45 ms and
 * as much again in garbage collection.
 */
export function withUnits<R extends { seg: number | null }, T>(
  q: { scopePath: string },
  rows: R[],
  copy: (r: R) => T,
): (T & { unitId: number; unitPath: string })[] {
  const own = Number(q.scopePath.split('/').at(-2));
  const paths = new Map<number, string>();
  const out = rows.map((r) => {
    const o = copy(r) as T & { unitId: number; unitPath: string };
    o.unitId = r.seg ?? own;
    let path = r.seg === null ? q.scopePath : paths.get(r.seg);
    if (path === undefined) {
      path = `${q.scopePath}${r.seg}/`;
      paths.set(r.seg as number, path);
    }
    o.unitPath = path;
    return o;
  });
  return byUnit(out);
}
