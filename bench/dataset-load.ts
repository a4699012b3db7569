import { type Kysely, sql } from 'kysely';
import type { Database } from '../server/platform/db/schema.ts';
import { REASONS, TZ } from './dataset-profile.ts';
import { u, z } from './dataset-random.ts';

// The bulk rows of the bench dataset: responses and their answers made inside
// PostgreSQL by INSERT … SELECT over the sampling tables (dataset-sampling.ts),
// one statement per chunk of days, with triggers off and the secondary
// indexes dropped and rebuilt after (dataset.ts explains why).

type Conn = Kysely<Database>;

export async function loadResponses(
  conn: Conn,
  o: {
    responses: number;
    chunk: number;
    keepIndexes: boolean;
    seed: number;
    surveyVersionId: number;
    cells: number;
    log: (done: number) => void;
    phase: (what: string) => void;
    /** work_mem of the load and the aggregate rebuild after it. */
    workMem: string;
  },
): Promise<number> {
  await sql`set maintenance_work_mem = '1GB'`.execute(conn);
  await sql`select set_config('work_mem', ${o.workMem}, false)`.execute(conn);
  await sql`set synchronous_commit = off`.execute(conn);

  // Secondary indexes go for the load (their definitions are kept in a table
  // first, so an interrupted load is repaired by the next run).
  await sql`insert into bench_index_def (name, def)
    select i.indexrelid::regclass::text, ${everyPartition}
      from pg_index i
     where i.indrelid in ('response'::regclass, 'answer'::regclass)
       and not i.indisprimary and not i.indisunique and not ${o.keepIndexes}
    on conflict (name) do nothing`.execute(conn);
  const dropped = await sql<{ name: string }>`select name from bench_index_def order by name`.execute(conn);
  for (const { name } of dropped.rows) await sql`drop index if exists ${sql.id(name)}`.execute(conn);
  await sql`set session_replication_role = replica`.execute(conn);

  const s = o.seed * 1000;
  const day = await sql<{ day: string; n: number }>`select day::text as day, n from bench_day order by day`.execute(
    conn,
  );
  let answers = 0;
  let done = 0;
  let from: string | undefined;
  let size = 0;
  const chunks: { from: string; to: string; n: number }[] = [];
  for (const d of day.rows) {
    from ??= d.day;
    size += d.n;
    if (size >= o.chunk) {
      chunks.push({ from, to: d.day, n: size });
      from = undefined;
      size = 0;
    }
  }
  const last = day.rows.at(-1);
  if (from && last) chunks.push({ from, to: last.day, n: size });

  const i = 'g.i';
  const id = 'r.id';
  const item = `${id} * 16 + q.ord`;
  for (const chunk of chunks) {
    const result = await sql`
      with gen as (
        select ${sql.raw(i)} as i, dd.day, extract(isodow from dd.day) = 6 as saturday,
               ${sql.raw(u(i, s + 1))} as u1, ${sql.raw(u(i, s + 2))} as u2
          from bench_day dd
          cross join lateral generate_series(dd.first, dd.first + dd.n - 1) g(i)
         where dd.day between ${chunk.from}::date and ${chunk.to}::date
      ), drawn as (
        select gen.i, gen.day, gen.saturday,
               case when gen.u2 < a.prob then a.idx else a.alias end as cell
          from gen
          join bench_cell a on a.idx = floor(gen.u1 * ${o.cells})::integer
      ), timed as (
        select d.i, c.unit_id, c.desk_id, c.area,
               (d.day + make_interval(secs => case
                  when d.saturday or ${sql.raw(u('d.i', s + 3))} < 0.56
                    then 27000 + 14400 * (${sql.raw(u('d.i', s + 4))} + ${sql.raw(u('d.i', s + 5))}) / 2
                  else 48600 + 12600 * (${sql.raw(u('d.i', s + 4))} + ${sql.raw(u('d.i', s + 5))}) / 2 end))
                 at time zone ${TZ} as submitted_at,
               ${sql.raw(u('d.i', s + 6))} as uc, ${sql.raw(u('d.i', s + 7))} as uf, ${sql.raw(u('d.i', s + 8))} as ur
          from drawn d
          join bench_cell c on c.idx = d.cell
      ), numbered as (
        select t.*, row_number() over (order by t.submitted_at, t.i) as n from timed t
      ), registered as (
        -- With triggers off, the submission registry is filled here (response_register would).
        insert into submission (submission_id, response_id)
        select lpad(to_hex(${done} + x.n), 32, '0')::uuid, ${done} + x.n from numbered x
      ), ins as (
        insert into response (id, submission_id, payload_hash, survey_version_id, unit_id, desk_id,
                              service_area_code, channel, locale, submitted_at, suspect, suspect_reason,
                              suspect_review, suspect_reviewed_at)
        select ${done} + x.n,
               lpad(to_hex(${done} + x.n), 32, '0')::uuid,
               encode(sha256(int8send(${done} + x.n)), 'hex'),
               ${o.surveyVersionId}, x.unit_id, x.desk_id, x.area,
               case when x.uc < 0.85 then 'qr' when x.uc < 0.92 then 'kiosk' when x.uc < 0.97 then 'paper' else 'link' end,
               case when x.uc * 1000 - floor(x.uc * 1000) < 0.005 then 'en' else 'vi' end,
               x.submitted_at,
               x.uf < 0.006 and x.ur < 0.83,
               case when x.uf < 0.006 then (${REASONS}::text[])[1 + floor(x.ur * 1000)::integer % ${REASONS.length}] end,
               case when x.uf < 0.006 and x.ur >= 0.5 then case when x.ur < 0.83 then 'confirmed' else 'cleared' end end,
               case when x.uf < 0.006 and x.ur >= 0.5 then x.submitted_at + interval '1 day' * (1 + 5 * x.ur) end
          from numbered x
         order by x.n
        returning id, unit_id, service_area_code, submitted_at
      )
      insert into answer (response_id, submitted_at, indicator_key, value_num, value_option, value_text)
      select r.id, r.submitted_at, q.key,
             case when q.kind = 'scale' and ${sql.raw(u(item, s + 20))} >= q.na
                  then least(5, greatest(1, round(m.mood + q.shift
                         + 0.55 * ${sql.raw(z(id, s + 21))} + 0.5 * ${sql.raw(z(item, s + 22))})))::smallint end,
             case when q.kind = 'scale' and ${sql.raw(u(item, s + 20))} < q.na then 'na'
                  when q.kind = 'choice' then q.slots[1 + floor(100 * ${sql.raw(u(item, s + 23))})::integer] end,
             case when q.kind = 'text' then q.slots[1 + floor(100 * ${sql.raw(u(item, s + 23))})::integer] end
        from ins r
        join bench_mood m on m.unit_id = r.unit_id and m.area = r.service_area_code
        cross join bench_question q
       where q.present >= 1 or ${sql.raw(u(item, s + 24))} < q.present
    `.execute(conn);
    answers += Number(result.numAffectedRows ?? 0);
    done += chunk.n;
    o.log(done);
  }

  await sql`reset session_replication_role`.execute(conn);
  await sql`select setval(pg_get_serial_sequence('submission', 'response_id'), greatest(1, (select coalesce(max(id), 0) from response)))`.execute(
    conn,
  );
  for (const { name } of dropped.rows) {
    const def = await sql<{ def: string }>`select def from bench_index_def where name = ${name}`.execute(conn);
    const text = def.rows[0]?.def;
    if (text) await sql.raw(text).execute(conn);
    await sql`delete from bench_index_def where name = ${name}`.execute(conn);
  }
  o.phase(`indexes rebuilt (${dropped.rows.map((r) => r.name).join(', ') || 'none'})`);
  return answers;
}

/**
 * An index's definition as it builds on every partition: pg_get_indexdef of
 * a partitioned table's index says `ON ONLY`, which makes an invalid index
 * on the parent alone (the bench of 2026-12-05 ran without its secondary
 * indexes that way; repairIndexes mends such a dataset).
 */
const everyPartition = sql<string>`replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON ')`;

/**
 * Builds again, on every partition, the indexes of response and answer
 * left invalid (made `ON ONLY` the parent).
 */
async function repairIndexes(conn: Conn): Promise<string[]> {
  const invalid = await sql<{ name: string; def: string }>`
    select i.indexrelid::regclass::text as name, ${everyPartition} as def
      from pg_index i
     where i.indrelid in ('response'::regclass, 'answer'::regclass) and not i.indisvalid`.execute(conn);
  for (const { name, def } of invalid.rows) {
    await sql`drop index ${sql.id(name)}`.execute(conn);
    await sql.raw(def).execute(conn);
  }
  return invalid.rows.map((r) => r.name);
}

/** Recreates indexes a previous, interrupted load dropped, and mends invalid ones. */
export async function restoreIndexes(conn: Conn): Promise<string[]> {
  const left = await sql<{ name: string; def: string }>`select name, def from bench_index_def`.execute(conn);
  for (const { name, def } of left.rows) {
    const exists = await sql<{ x: number }>`select 1 as x from pg_class where oid = to_regclass(${name})`.execute(conn);
    if (!exists.rows.length) await sql.raw(def.replace(' ON ONLY ', ' ON ')).execute(conn);
    await sql`delete from bench_index_def where name = ${name}`.execute(conn);
  }
  await sql`set maintenance_work_mem = '1GB'`.execute(conn);
  return repairIndexes(conn);
}
