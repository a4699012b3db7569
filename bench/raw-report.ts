import { sql } from 'kysely';
import type { Db } from '../server/platform/db/connect.ts';

// The honest baseline for the report bench: the counts a report is made of,
// computed straight from the raw rows (response ⋈ answer ⋈ unit), never from
// the aggregate tables. It uses the indexes the schema has: unit_path_idx for
// the subtree, response_unit_time_idx (unit_id, submitted_at) for each unit's
// period, the answer primary key (response_id, indicator_key) for a
// response's answers; the planner switches to sequential scans and hash joins
// when the scope is most of the table (the whole country), as it should. The
// period is a half-open range on submitted_at itself (sargable), cut at
// midnight in Vietnam.

export interface RawReportQuery {
  /** Materialised path of the scope unit, e.g. '/1/7/'. */
  scopePath: string;
  /** First and last local day (Asia/Ho_Chi_Minh), inclusive, 'YYYY-MM-DD'. */
  from: string;
  to: string;
}

export interface RawItemCount {
  /** The scope's own path (its own responses) or the path of its direct child above the unit. */
  childPath: string;
  serviceAreaCode: string;
  indicatorKey: string;
  value: '1' | '2' | '3' | '4' | '5';
  n: number;
}

export interface RawResponseCount {
  childPath: string;
  serviceAreaCode: string;
  channel: string;
  suspect: boolean;
  n: number;
}

export interface RawReportCounts {
  /** Scale answers (1–5) of responses not flagged suspect. */
  items: RawItemCount[];
  /** Responses, flagged or not. */
  responses: RawResponseCount[];
}

export async function rawReportCounts(db: Db, q: RawReportQuery): Promise<RawReportCounts> {
  if (!/^\/(\d+\/)+$/.test(q.scopePath)) throw new Error(`not a unit path: ${q.scopePath}`);
  const scope = q.scopePath;
  // A literal prefix, so that the planner can turn it into an index range on unit_path_idx.
  const prefix = sql.lit(`${scope}%`);
  // The units in scope with the child each one counts under: '/1/' + '7/42/'
  // → '/1/7/'. Worked out once per unit, not once per answer row.
  const units = sql`select id, case when path = ${scope} then ${scope}
      else left(path, ${scope.length} + strpos(substr(path, ${scope.length + 1}), '/')) end as child_path
    from unit where path like ${prefix}`;
  const period = sql`r.submitted_at >= (${q.from}::date)::timestamp at time zone 'Asia/Ho_Chi_Minh'
    and r.submitted_at < (${q.to}::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh'`;

  // The whole country at 10 M responses takes longer than the application's
  // statement timeout, so it is lifted for this transaction; and the baseline
  // gets the memory to hash its joins and groups instead of spilling to disk.
  return db.transaction().execute(async (trx) => {
    await sql`set local statement_timeout = 0`.execute(trx);
    await sql`set local work_mem = '256MB'`.execute(trx);
    // Counted per unit first (small integer keys), then summed per child.
    const items = await sql<{
      child_path: string;
      service_area_code: string;
      indicator_key: string;
      value: string;
      n: string;
    }>`
      with s as materialized (${units}),
      c as (
        select r.unit_id, r.service_area_code, a.indicator_key, a.value_num, count(*) as n
          from s
          join response r on r.unit_id = s.id
          join answer a on a.response_id = r.id
         where ${period}
           and not r.suspect
           and a.value_num is not null
         group by 1, 2, 3, 4
      )
      select s.child_path, c.service_area_code, c.indicator_key, c.value_num::text as value, sum(c.n) as n
        from c join s on s.id = c.unit_id
       group by 1, 2, 3, 4
       order by 1, 2, 3, 4`.execute(trx);

    const responses = await sql<{
      child_path: string;
      service_area_code: string;
      channel: string;
      suspect: boolean;
      n: string;
    }>`
      with s as materialized (${units}),
      c as (
        select r.unit_id, r.service_area_code, r.channel, r.suspect, count(*) as n
          from s
          join response r on r.unit_id = s.id
         where ${period}
         group by 1, 2, 3, 4
      )
      select s.child_path, c.service_area_code, c.channel, c.suspect, sum(c.n) as n
        from c join s on s.id = c.unit_id
       group by 1, 2, 3, 4
       order by 1, 2, 3, 4`.execute(trx);

    return {
      items: items.rows.map((r) => ({
        childPath: r.child_path,
        serviceAreaCode: r.service_area_code,
        indicatorKey: r.indicator_key,
        value: r.value as RawItemCount['value'],
        n: Number(r.n),
      })),
      responses: responses.rows.map((r) => ({
        childPath: r.child_path,
        serviceAreaCode: r.service_area_code,
        channel: r.channel,
        suspect: r.suspect,
        n: Number(r.n),
      })),
    };
  });
}
