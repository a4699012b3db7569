import { randomBytes } from 'node:crypto';
import { compositeCell } from '../../../analysis/cells.ts';
import { rateChange } from '../../../analysis/change.ts';
import { compareToPool, pooledRate } from '../../../analysis/funnel.ts';
import { periodOfDate, periodsBetween } from '../../../analysis/periods.ts';
import { emptyDistribution } from '../../../analysis/rates.ts';
import {
  applicableTarget,
  factorCells,
  factorCounts,
  type KeyDistributions,
  overallCell,
} from '../../../analysis/report-build.ts';
import { dossiersWhere } from '../../../analysis/report-dossiers.ts';
import type { SatisfactionReport, TrendReport } from '../../../analysis/report-types.ts';
import { itemDistributions, rollup } from '../../../analysis/rollup.ts';
import { judge } from '../../../analysis/verdict.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import {
  type ItemCount,
  itemCounts,
  monthlyItemCounts,
  responseCounts,
  unitsUnder,
  wordingChangedKeys,
} from './aggregate-repository.ts';
import { RAW_COLUMNS, type RawTable, rawValues } from './exports/responses.ts';
import { rawAnswerKeys, rawResponseChunks } from './raw-response-repository.ts';
import { dossierFields, reportVolumes, volumeAreas } from './report-dossiers.ts';
import { planTargets, reportTargets } from './report-targets.ts';

// The satisfaction report of a unit and period, computed from the aggregates
// (monthly for whole months, daily for the days around them; never from
// response rows) by the pure functions of analysis/. The counts come grouped
// by the scope's direct child already, so a country report handles rows for
// its provinces, not for every commune. Dossier volumes (report-dossiers.ts)
// and the plan targets of every metric (report-targets.ts) sit beside them.

export interface ReportQuery {
  unitId: number;
  /** yyyy-mm-dd, local (Asia/Ho_Chi_Minh), inclusive */
  from: string;
  to: string;
  serviceArea?: string | null;
}

async function reachableTree(db: Db, actor: Actor, unitId: number) {
  const tree = await unitsUnder(db, unitId);
  return tree && canReach(actor, tree.scope.path) ? tree : undefined;
}

function keyDistributions(rows: readonly ItemCount[]): KeyDistributions {
  const out: KeyDistributions = {};
  for (const r of rows) {
    const d = out[r.indicatorKey] ?? emptyDistribution();
    d[r.value] += r.n;
    out[r.indicatorKey] = d;
  }
  return out;
}

function groupBy<T, K>(rows: readonly T[], key: (r: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const r of rows) {
    const group = out.get(key(r));
    if (group) group.push(r);
    else out.set(key(r), [r]);
  }
  return out;
}

export async function buildSatisfactionReport(
  db: Db,
  actor: Actor,
  q: ReportQuery,
): Promise<SatisfactionReport | undefined> {
  const tree = await reachableTree(db, actor, q.unitId);
  if (!tree) return undefined;
  const { scope } = tree;
  const area = q.serviceArea ?? null;
  const aq = { scopePath: scope.path, from: q.from, to: q.to, serviceArea: q.serviceArea ?? undefined };
  const [items, responses, wordingChanged, targets, areaNames, volumes] = await Promise.all([
    itemCounts(db, aq),
    responseCounts(db, aq),
    wordingChangedKeys(db, aq),
    planTargets(db, scope.path),
    listServiceAreas(db, { activeOnly: true }),
    reportVolumes(db, aq),
  ]);
  const satisfactionTargets = targets.filter((t) => t.metric === 'satisfaction_rate');
  const all = keyDistributions(items);
  const overall = overallCell(all);
  const overallTarget = applicableTarget(satisfactionTargets, scope.path, area, q.from, q.to);

  const nameOf = new Map(areaNames.map((a) => [a.code, a.nameVi]));
  const byArea = groupBy(items, (r) => r.serviceAreaCode);
  // An area with dossiers but no answer is shown too: it is where responses are most short.
  for (const code of volumeAreas(volumes)) if (!byArea.has(code)) byArea.set(code, []);
  const serviceAreas = [...byArea].map(([code, rows]) => {
    const dists = keyDistributions(rows);
    const cell = overallCell(dists, true);
    const target = applicableTarget(satisfactionTargets, scope.path, code, q.from, q.to);
    return {
      code,
      name: nameOf.get(code) ?? code,
      ...cell,
      target,
      ...judge(cell.satisfied, cell.n, target),
      factors: factorCells(dists, true),
      dossiers: dossiersWhere(volumes.groups, (g) => g.serviceArea === code, cell.n),
    };
  });
  serviceAreas.sort((a, b) => a.name.localeCompare(b.name, 'vi'));

  const pooled = rollup(
    [...groupBy(items, (r) => r.unitPath)].map(([path, rows]) => ({ path, counts: keyDistributions(rows) })),
    scope,
    tree.children,
    itemDistributions,
  );
  const cells = tree.children
    .map((unit) => {
      const cell = overallCell(pooled.children.get(unit.id) ?? {}, true);
      const target = applicableTarget(satisfactionTargets, unit.path, area, q.from, q.to);
      const dossiers = dossiersWhere(volumes.groups, (g) => g.unitPath.startsWith(unit.path), cell.n);
      return { unit, cell, target, dossiers };
    })
    .filter((c) => c.cell.n > 0 || c.dossiers || c.unit.active);
  const childrenPooledRate = pooledRate(cells.map((c) => c.cell));
  // Built in the key order of ChildCellSchema: the API sends what the service builds, byte for byte.
  const children = cells.map(({ unit, cell, target, dossiers }) => ({
    unit: { id: unit.id, code: unit.code, name: unit.name },
    ...cell,
    target,
    ...judge(cell.satisfied, cell.n, target),
    comparison: compareToPool(cell, childrenPooledRate),
    dossiers,
  }));

  const channels: Record<string, number> = {};
  let flaggedExcluded = 0;
  for (const r of responses) {
    if (r.suspect) flaggedExcluded += r.n;
    else channels[r.channel] = (channels[r.channel] ?? 0) + r.n;
  }

  const report = {
    unit: { id: scope.id, code: scope.code, name: scope.name },
    from: q.from,
    to: q.to,
    timezone: 'Asia/Ho_Chi_Minh' as const,
    serviceArea: area,
    overall: { ...overall, target: overallTarget, ...judge(overall.satisfied, overall.n, overallTarget) },
    composite: compositeCell(factorCounts(all)),
    factors: factorCells(all),
    serviceAreas,
    children,
    childrenPooledRate,
    flaggedExcluded,
    channels,
    ...dossierFields(volumes, overall.n, serviceAreas),
  };
  return { ...report, targets: await reportTargets(db, scope.path, targets, report), wordingChanged };
}

export async function buildTrendReport(
  db: Db,
  actor: Actor,
  q: ReportQuery & { interval: 'month' | 'quarter' },
): Promise<TrendReport | undefined> {
  const tree = await reachableTree(db, actor, q.unitId);
  if (!tree) return undefined;
  const months = await monthlyItemCounts(db, {
    scopePath: tree.scope.path,
    from: q.from,
    to: q.to,
    serviceArea: q.serviceArea ?? undefined,
    indicatorKey: 'overall',
  });
  const byPeriod = new Map<string, KeyDistributions>();
  for (const m of months) {
    const key = periodOfDate(`${m.month}-01`, q.interval).key;
    const overall = byPeriod.get(key)?.overall ?? emptyDistribution();
    overall[m.value] += m.n;
    byPeriod.set(key, { overall });
  }
  let previous: { satisfied: number; n: number } | null = null;
  const points = periodsBetween(q.from, q.to, q.interval).map((p) => {
    const cell = overallCell(byPeriod.get(p.key) ?? {});
    const now = { satisfied: cell.satisfied ?? 0, n: cell.n };
    const change = previous ? rateChange(previous, now) : null;
    previous = now;
    return { period: p.key, from: p.from, to: p.to, overall: cell, change };
  });
  return {
    unit: { id: tree.scope.id, code: tree.scope.code, name: tree.scope.name },
    from: q.from,
    to: q.to,
    interval: q.interval,
    timezone: 'Asia/Ho_Chi_Minh',
    serviceArea: q.serviceArea ?? null,
    points,
  };
}

/**
 * One row per anonymous response, for the raw export; answers in columns by
 * indicator key. The rows come in chunks as the file is written (see
 * report-repository.ts for the order and why it is safe to publish).
 */
export async function rawResponsesExport(db: Db, actor: Actor, q: ReportQuery): Promise<RawTable | undefined> {
  const tree = await reachableTree(db, actor, q.unitId);
  if (!tree) return undefined;
  const scope = { scopePath: tree.scope.path, from: q.from, to: q.to, serviceArea: q.serviceArea ?? undefined };
  const keys = await rawAnswerKeys(db, scope);
  // A fresh salt per export: the shuffle inside a day cannot be replayed or compared across files.
  const salt = randomBytes(16).toString('hex');
  async function* chunks() {
    for await (const rows of rawResponseChunks(db, scope, { salt })) yield rows.map((r) => rawValues(r, keys));
  }
  return { columns: [...RAW_COLUMNS, ...keys], chunks: chunks() };
}
