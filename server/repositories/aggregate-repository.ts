import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { Channel } from '../db/schema.ts';

// Counts for reports, read from the daily aggregates (answer_daily and
// response_daily, kept by triggers in the response's transaction), never from
// raw responses: a report costs units × days × indicators, however many
// citizens answered. analysis/README.md ("Aggregates") has the design.

export interface AggregateQuery {
  /** Materialised path of the scope unit ('/1/7/'): the unit and its subtree. */
  scopePath: string;
  /** First and last local day (Asia/Ho_Chi_Minh), 'yyyy-mm-dd', both included. */
  from: string;
  to: string;
  serviceArea?: string;
  /** Suspect responses are left out of every figure unless asked for (methodology §3). */
  includeSuspect?: boolean;
}

/** Answers that are scores; 'na' and blanks never enter a denominator. */
const SCALE_VALUES = ['1', '2', '3', '4', '5'] as const;
export type ScaleValue = (typeof SCALE_VALUES)[number];

export interface ItemCount {
  unitId: number;
  /** The unit's materialised path, to roll a row up to the child of the scope it lies under. */
  unitPath: string;
  serviceAreaCode: string;
  indicatorKey: string;
  value: ScaleValue;
  n: number;
}

export interface ResponseCount {
  unitId: number;
  unitPath: string;
  serviceAreaCode: string;
  channel: Channel;
  suspect: boolean;
  n: number;
}

export interface MonthlyItemCount {
  /** 'yyyy-mm', the local month. */
  month: string;
  value: ScaleValue;
  n: number;
}

export interface UnitNode {
  id: number;
  code: string;
  name: string;
  kind: 'province' | 'commune' | 'centre' | 'other';
  path: string;
  active: boolean;
}

/** answer_daily rows in scope, period and (optionally) service area. */
function scopedAnswers(db: Db, q: AggregateQuery) {
  return db
    .selectFrom('answer_daily as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('d.day', '>=', q.from)
    .where('d.day', '<=', q.to)
    .$if(q.serviceArea !== undefined, (qb) => qb.where('d.service_area_code', '=', q.serviceArea ?? ''))
    .$if(!q.includeSuspect, (qb) => qb.where('d.suspect', '=', false));
}

/** Scale answers only: a choice can have codes '1' and '2' too (trips). */
function scopedScaleAnswers(db: Db, q: AggregateQuery) {
  return scopedAnswers(db, q)
    .innerJoin('survey_scale_item as s', (j) =>
      j.onRef('s.survey_version_id', '=', 'd.survey_version_id').onRef('s.indicator_key', '=', 'd.indicator_key'),
    )
    .where('d.value', 'in', SCALE_VALUES);
}

/**
 * The query behind itemCounts, exported so that a test can EXPLAIN it and
 * show that a report reads answer_daily, not answer or response.
 */
export function itemCountsQuery(db: Db, q: AggregateQuery) {
  return scopedScaleAnswers(db, q)
    .select([
      'd.unit_id as unitId',
      'u.path as unitPath',
      'd.service_area_code as serviceAreaCode',
      'd.indicator_key as indicatorKey',
      'd.value',
      sql<number>`sum(d.n)::int`.as('n'),
    ])
    .groupBy(['d.unit_id', 'u.path', 'd.service_area_code', 'd.indicator_key', 'd.value'])
    .orderBy('d.unit_id')
    .orderBy('d.service_area_code')
    .orderBy('d.indicator_key')
    .orderBy('d.value');
}

/** Scale answers (1–5) by unit, service area and indicator key. */
export async function itemCounts(db: Db, q: AggregateQuery): Promise<ItemCount[]> {
  return (await itemCountsQuery(db, q).execute()) as ItemCount[];
}

/**
 * Responses by unit, service area, channel and suspect flag. Both flags are
 * always returned (whatever includeSuspect says): the report shows how many
 * suspect responses it left out.
 */
export async function responseCounts(db: Db, q: AggregateQuery): Promise<ResponseCount[]> {
  return db
    .selectFrom('response_daily as d')
    .innerJoin('unit as u', 'u.id', 'd.unit_id')
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('d.day', '>=', q.from)
    .where('d.day', '<=', q.to)
    .$if(q.serviceArea !== undefined, (qb) => qb.where('d.service_area_code', '=', q.serviceArea ?? ''))
    .select([
      'd.unit_id as unitId',
      'u.path as unitPath',
      'd.service_area_code as serviceAreaCode',
      'd.channel',
      'd.suspect',
      sql<number>`sum(d.n)::int`.as('n'),
    ])
    .groupBy(['d.unit_id', 'u.path', 'd.service_area_code', 'd.channel', 'd.suspect'])
    .orderBy('d.unit_id')
    .orderBy('d.service_area_code')
    .orderBy('d.channel')
    .orderBy('d.suspect')
    .execute();
}

/** One indicator's scale answers by local month, for trends (quarters are three months summed). */
export async function monthlyItemCounts(
  db: Db,
  q: AggregateQuery & { indicatorKey: string },
): Promise<MonthlyItemCount[]> {
  const month = sql<string>`to_char(d.day, 'YYYY-MM')`;
  const rows = await scopedScaleAnswers(db, q)
    .where('d.indicator_key', '=', q.indicatorKey)
    .select([month.as('month'), 'd.value', sql<number>`sum(d.n)::int`.as('n')])
    .groupBy([month, 'd.value'])
    .orderBy(month)
    .orderBy('d.value')
    .execute();
  return rows as MonthlyItemCount[];
}

/**
 * Keys re-worded by a survey version that was answered in scope and period:
 * figures for them may mix two wordings.
 */
export async function wordingChangedKeys(db: Db, q: AggregateQuery): Promise<string[]> {
  const answered = scopedAnswers(db, q).select('d.survey_version_id').distinct();
  const rows = await db
    .selectFrom('survey_version as v')
    .where('v.id', 'in', answered)
    .select(sql<string>`unnest(v.wording_changed_keys)`.as('key'))
    .execute();
  return [...new Set(rows.map((r) => r.key))].sort();
}

/** The scope unit and its direct children (active or not: old responses still count), for a roll-up by child. */
export async function unitsUnder(
  db: Db,
  scopeUnitId: number,
): Promise<{ scope: UnitNode; children: UnitNode[] } | undefined> {
  const rows = await db
    .selectFrom('unit')
    .select(['id', 'code', 'name', 'kind', 'path', 'active', 'parent_id'])
    .where((eb) => eb.or([eb('id', '=', scopeUnitId), eb('parent_id', '=', scopeUnitId)]))
    .orderBy('name')
    .orderBy('code')
    .execute();
  const node = ({ parent_id: _, ...u }: (typeof rows)[number]): UnitNode => u;
  const scope = rows.find((r) => r.id === scopeUnitId);
  if (!scope) return undefined;
  return { scope: node(scope), children: rows.filter((r) => r.id !== scopeUnitId).map(node) };
}

export interface RebuildSummary {
  answerRows: number;
  responseRows: number;
}

/**
 * Recomputes both aggregate tables from the raw rows in one transaction
 * (aggregates_rebuild() locks response and answer in SHARE mode first, so
 * no response is inserted or flagged meanwhile).
 */
export async function rebuildAggregates(db: Db): Promise<RebuildSummary> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ answer_rows: string; response_rows: string }>`
      select answer_rows, response_rows from aggregates_rebuild()`.execute(trx);
    const row = rows[0];
    return { answerRows: Number(row?.answer_rows ?? 0), responseRows: Number(row?.response_rows ?? 0) };
  });
}
