import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { Channel } from '../../platform/db/schema.ts';
import { withUnits } from './aggregate-rows.ts';

// Counts for reports, read from the aggregates kept by triggers in the
// response's transaction, never from raw responses: whole local months from
// the monthly tables (scale_monthly, response_monthly), the days of a period
// outside whole months from the daily ones (answer_daily, response_daily), and
// grouped in SQL by the scope's direct child. A report costs units × months ×
// indicators (plus its edge days), however many citizens answered.
// analysis/README.md ("Aggregates") has the design.

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
  /** The scope's direct child the counts lie under, or the scope itself for its own counts. */
  unitId: number;
  /** That unit's materialised path, for rollup() (analysis/rollup.ts). */
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

/**
 * A period cut for the aggregate tables: the whole local months it covers,
 * read from the monthly tables, and the days before and after them (at most
 * two ranges, each within one month), read from the daily tables. A period
 * of whole months has no days; a period inside one month has no months.
 */
export interface PeriodParts {
  /** First days of the first whole month and of the month after the last one. */
  months?: { from: string; toExclusive: string };
  days: { from: string; to: string }[];
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}
function nextMonthStart(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return isoDay(d);
}

export function splitPeriod(from: string, to: string): PeriodParts {
  if (from > to) return { days: [{ from, to }] };
  const first = from.endsWith('-01') ? from : nextMonthStart(from);
  const afterTo = addDays(to, 1);
  const end = afterTo.endsWith('-01') ? afterTo : `${to.slice(0, 7)}-01`;
  if (first >= end) return { days: [{ from, to }] };
  const days: PeriodParts['days'] = [];
  if (from < first) days.push({ from, to: addDays(first, -1) });
  if (end <= to) days.push({ from: end, to });
  return { months: { from: first, toExclusive: end }, days };
}

/**
 * The units of the scope, each with the direct child of the scope it lies
 * under: `seg` is the child's id, the path segment after the scope's (7 for
 * '/1/7/42/' under '/1/'), null for the scope unit itself (an integer: it
 * hashes faster than text, 500 against 600 ms for the country's year). The
 * path filter is a prefix range of unit_path_idx (text_pattern_ops). Fenced
 * by `offset 0` (a subquery the planner does not pull up), so that `seg` is
 * computed once per unit rather than per aggregate row, and so that the
 * planner guesses few groups (no statistics on `seg`) and aggregates in a
 * hash table instead of sorting 1.4 M rows for the country; `id` keeps the
 * unit table's statistics. Every branch of a UNION ALL joins it itself: a
 * UNION ALL with a join in a branch is planned on its own, and the path
 * filter must reach each branch for a few units to become nested loops over
 * the aggregate's primary key (unit_id first), while the whole country is a
 * hash join.
 */
function scopeUnits(q: AggregateQuery) {
  return sql`su as not materialized (
      select id, nullif(split_part(substr(path, ${q.scopePath.length + 1}), '/', 1), '')::int as seg
        from unit where path like ${`${q.scopePath}%`} offset 0)`;
}

function filters(alias: string, q: AggregateQuery, leaveOutSuspect: boolean) {
  const t = sql.raw(alias);
  return sql.join(
    [
      ...(q.serviceArea !== undefined ? [sql`${t}.service_area_code = ${q.serviceArea}`] : []),
      ...(leaveOutSuspect && !q.includeSuspect ? [sql`not ${t}.suspect`] : []),
    ].map((f) => sql` and ${f}`),
    sql``,
  );
}

/**
 * Scale answers in scope and period as (seg, month, service_area_code,
 * indicator_key, n1..n5), seg or month null unless asked for: whole months from scale_monthly, edge days from
 * answer_daily (scale items only: a choice can have codes '1' and '2' too).
 */
function scaleRows(q: AggregateQuery, by: { indicatorKey?: string; month?: boolean } = {}) {
  const { indicatorKey } = by;
  // Only what the caller groups by: the child, or the month.
  const month = (col: string) => (by.month ? sql.raw(`to_char(${col}, 'YYYY-MM')`) : sql.raw('null::text'));
  const child = by.month ? sql`null::int` : sql`su.seg`;
  const p = splitPeriod(q.from, q.to);
  const key = (alias: string) =>
    indicatorKey === undefined ? sql`` : sql` and ${sql.raw(alias)}.indicator_key = ${indicatorKey}`;
  const n = (v: string) => sql.raw(`case when d.value = '${v}' then d.n else 0 end as n${v}`);
  const parts = [
    ...(p.months
      ? [
          sql`select ${child} as seg, ${month('m.month')} as month, m.service_area_code, m.indicator_key,
                     m.n1, m.n2, m.n3, m.n4, m.n5
                from scale_monthly m join su on su.id = m.unit_id
               where m.month >= ${p.months.from} and m.month < ${p.months.toExclusive}
                 ${filters('m', q, true)}${key('m')}`,
        ]
      : []),
    ...p.days.map(
      (r) =>
        sql`select ${child} as seg, ${month('d.day')} as month, d.service_area_code, d.indicator_key,
                   ${n('1')}, ${n('2')}, ${n('3')}, ${n('4')}, ${n('5')}
              from answer_daily d join su on su.id = d.unit_id
              join survey_scale_item s on s.survey_version_id = d.survey_version_id and s.indicator_key = d.indicator_key
             where d.day >= ${r.from} and d.day <= ${r.to} and d.value in ('1', '2', '3', '4', '5')
               ${filters('d', q, true)}${key('d')}`,
    ),
  ];
  return sql.join(parts, sql` union all `);
}

const VALUE_COLUMNS = sql.raw(
  "(values ('1', g.n1), ('2', g.n2), ('3', g.n3), ('4', g.n4), ('5', g.n5)) as v(value, n)",
);

/**
 * The query behind itemCounts, exported so that a test can EXPLAIN it and
 * show that a report reads the aggregates, not answer or response, and so
 * that its SQL is committed (aggregate-repository.sql). Grouped in SQL by
 * the scope's direct child: a country report returns children × areas ×
 * keys × values rows, not one per commune.
 */
export function itemCountsQuery(q: AggregateQuery) {
  return sql<{ seg: number | null; serviceAreaCode: string; indicatorKey: string; value: ScaleValue; n: number }>`
    with ${scopeUnits(q)},
    g as (
      select c.seg, c.service_area_code, c.indicator_key,
             sum(c.n1)::int as n1, sum(c.n2)::int as n2, sum(c.n3)::int as n3, sum(c.n4)::int as n4, sum(c.n5)::int as n5
        from (${scaleRows(q)}) c
       group by 1, 2, 3
    )
    select g.seg, g.service_area_code as "serviceAreaCode", g.indicator_key as "indicatorKey", v.value, v.n
      from g cross join lateral ${VALUE_COLUMNS}
     where v.n > 0
     order by g.seg, 2, 3, 4`;
}

/** Scale answers (1–5) by the scope's direct child (or the scope itself), service area and indicator key. */
export async function itemCounts(db: Db, q: AggregateQuery): Promise<ItemCount[]> {
  const { rows } = await itemCountsQuery(q).execute(db);
  return withUnits(q, rows, (r) => ({
    serviceAreaCode: r.serviceAreaCode,
    indicatorKey: r.indicatorKey,
    value: r.value,
    n: r.n,
  }));
}

/**
 * Responses by the scope's direct child (or the scope itself), service area,
 * channel and suspect flag. Both flags are always returned (whatever
 * includeSuspect says): the report shows how many suspect responses it left out.
 */
export async function responseCounts(db: Db, q: AggregateQuery): Promise<ResponseCount[]> {
  const { rows } = await responseCountsQuery(q).execute(db);
  return withUnits(q, rows, (r) => ({
    serviceAreaCode: r.serviceAreaCode,
    channel: r.channel,
    suspect: r.suspect,
    n: r.n,
  }));
}

/** The query behind responseCounts, built but not run (aggregate-repository.sql). */
export function responseCountsQuery(q: AggregateQuery) {
  const p = splitPeriod(q.from, q.to);
  const parts = [
    ...(p.months
      ? [
          sql`select su.seg, m.service_area_code, m.channel, m.suspect, m.n
                from response_monthly m join su on su.id = m.unit_id
               where m.month >= ${p.months.from} and m.month < ${p.months.toExclusive}${filters('m', q, false)}`,
        ]
      : []),
    ...p.days.map(
      (r) =>
        sql`select su.seg, d.service_area_code, d.channel, d.suspect, d.n
              from response_daily d join su on su.id = d.unit_id
             where d.day >= ${r.from} and d.day <= ${r.to}${filters('d', q, false)}`,
    ),
  ];
  return sql<{
    seg: number | null;
    serviceAreaCode: string;
    channel: Channel;
    suspect: boolean;
    n: number;
  }>`
    with ${scopeUnits(q)}
    select c.seg, c.service_area_code as "serviceAreaCode", c.channel, c.suspect, sum(c.n)::int as n
      from (${sql.join(parts, sql` union all `)}) c
     group by 1, 2, 3, 4
     order by 1, 2, 3, 4`;
}

/** One indicator's scale answers by local month, for trends (quarters are three months summed). */
export async function monthlyItemCounts(
  db: Db,
  q: AggregateQuery & { indicatorKey: string },
): Promise<MonthlyItemCount[]> {
  const { rows } = await sql<MonthlyItemCount>`
    with ${scopeUnits(q)},
    g as (
      select c.month, sum(c.n1)::int as n1, sum(c.n2)::int as n2, sum(c.n3)::int as n3,
             sum(c.n4)::int as n4, sum(c.n5)::int as n5
        from (${scaleRows(q, { indicatorKey: q.indicatorKey, month: true })}) c
       group by 1
    )
    select g.month, v.value, v.n
      from g cross join lateral ${VALUE_COLUMNS}
     where v.n > 0
     order by 1, 2`.execute(db);
  return rows;
}

/**
 * Keys re-worded by a survey version that was answered in scope and period:
 * figures for them may mix two wordings. Only versions that re-worded
 * something are looked for; whole months count a version by its scale
 * answers (scale_monthly), edge days by any answer (answer_daily).
 */
export async function wordingChangedKeys(db: Db, q: AggregateQuery): Promise<string[]> {
  const p = splitPeriod(q.from, q.to);
  const parts = [
    ...(p.months
      ? [
          sql`select 1 from scale_monthly m join su on su.id = m.unit_id
               where m.survey_version_id = v.id
                 and m.month >= ${p.months.from} and m.month < ${p.months.toExclusive}${filters('m', q, true)}`,
        ]
      : []),
    ...p.days.map(
      (r) =>
        sql`select 1 from answer_daily d join su on su.id = d.unit_id
             where d.survey_version_id = v.id
               and d.day >= ${r.from} and d.day <= ${r.to}${filters('d', q, true)}`,
    ),
  ];
  const { rows } = await sql<{ key: string }>`
    with ${scopeUnits(q)}
    select distinct unnest(v.wording_changed_keys) as key
      from survey_version v
     where cardinality(v.wording_changed_keys) > 0
       and exists (${sql.join(parts, sql` union all `)})
     order by 1`.execute(db);
  return rows.map((r) => r.key);
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
