import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// The raw rows behind the anonymous responses export (CSV and XLSX), read in
// bounded chunks so that an export of any size holds a few thousand rows in
// memory at a time and a database connection only while one chunk is read.
//
// Keyset pagination, not a cursor: a cursor holds a pool connection (and a
// snapshot) for as long as the slowest client takes to download, and the
// pool is shared with citizens' submissions. Each chunk is one short query;
// between chunks nothing is held, and a client that goes away simply stops
// the loop. The keyset is bounded to a window of whole days (one day, or
// consecutive days holding at most a chunk together), so each query scans
// only that window through response_unit_time_idx.
//
// Anonymity: no id and no time leave this file (the id is the keyset's last
// tie-break, the time only picks the day), and the order inside a day is
// day, unit, service area, desk, then md5 of a random per-export salt and the
// id: a shuffle that says nothing about arrival and cannot be replayed.

const TZ = 'Asia/Ho_Chi_Minh';

export interface RawResponseRow {
  /** Local date only: an export needs no finer time, and a time narrows who answered. */
  day: string;
  unitName: string;
  deskCode: string | null;
  deskName: string | null;
  serviceAreaCode: string;
  channel: string;
  surveyCode: string;
  version: number;
  surveyVersionId: number;
  verified: boolean;
  suspect: boolean;
  answers: Record<string, string>;
}

export interface RawScope {
  scopePath: string;
  /** yyyy-mm-dd, local, inclusive */
  from: string;
  to: string;
  serviceArea?: string;
}

const localDay = sql<string>`to_char(r.submitted_at at time zone ${sql.lit(TZ)}, 'YYYY-MM-DD')`;
const dayStart = (day: string) => sql<Date>`(${day}::date)::timestamp at time zone ${sql.lit(TZ)}`;
const dayEnd = (day: string) => sql<Date>`(${day}::date + 1)::timestamp at time zone ${sql.lit(TZ)}`;

/** The responses of a subtree between two local days, optionally one service area. */
function inScope(db: Db, q: RawScope, from: string, to: string) {
  let query = db
    .selectFrom('response as r')
    .innerJoin('unit as u', 'u.id', 'r.unit_id')
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('r.submitted_at', '>=', dayStart(from))
    .where('r.submitted_at', '<', dayEnd(to));
  if (q.serviceArea) query = query.where('r.service_area_code', '=', q.serviceArea);
  return query;
}

/** Responses per local day, in day order: the windows of the chunked read. */
export async function rawResponseDays(db: Db, q: RawScope): Promise<{ day: string; n: number }[]> {
  return inScope(db, q, q.from, q.to)
    .select([localDay.as('day'), sql<number>`count(*)::int`.as('n')])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}

/** The survey versions answered in scope: the XLSX names its columns and values from their definitions. */
export async function rawSurveyVersionIds(db: Db, q: RawScope): Promise<number[]> {
  const rows = await inScope(db, q, q.from, q.to).select('r.survey_version_id').distinct().execute();
  return rows.map((r) => r.survey_version_id);
}

/** Every answer key that occurs in scope, sorted: the export's answer columns. */
export async function rawAnswerKeys(db: Db, q: RawScope): Promise<string[]> {
  const rows = await inScope(db, q, q.from, q.to)
    .innerJoin('answer as a', 'a.response_id', 'r.id')
    .select('a.indicator_key')
    .distinct()
    .orderBy('a.indicator_key')
    .execute();
  return rows.map((r) => r.indicator_key);
}

/** Consecutive days grouped so that each window holds at most `size` rows (a bigger day is a window alone). */
function dayWindows(days: readonly { day: string; n: number }[], size: number): { from: string; to: string }[] {
  const out: { from: string; to: string; n: number }[] = [];
  for (const d of days) {
    const last = out.at(-1);
    if (last && last.n + d.n <= size) {
      last.to = d.day;
      last.n += d.n;
    } else out.push({ from: d.day, to: d.day, n: d.n });
  }
  return out.map(({ from, to }) => ({ from, to }));
}

interface Position {
  day: string;
  unitName: string;
  area: string;
  desk: string;
  shuffle: string;
  id: string;
}

function page(
  db: Db,
  q: RawScope,
  window: { from: string; to: string },
  salt: string,
  after: Position | null,
  size: number,
) {
  const deskKey = sql<string>`coalesce(d.code, '')`;
  const shuffle = sql<string>`md5(${salt} || r.id::text)`;
  let inner = inScope(db, q, window.from, window.to)
    .leftJoin('desk as d', 'd.id', 'r.desk_id')
    .innerJoin('survey_version as v', 'v.id', 'r.survey_version_id')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select([
      'r.id',
      localDay.as('day'),
      'u.name as unitName',
      'd.code as deskCode',
      'd.name as deskName',
      deskKey.as('deskKey'),
      'r.service_area_code as serviceAreaCode',
      'r.channel',
      's.code as surveyCode',
      'v.version',
      'r.survey_version_id as surveyVersionId',
      'r.verified',
      'r.suspect',
      shuffle.as('shuffle'),
    ]);
  if (after) {
    const key = sql`(${localDay}, u.name, r.service_area_code, ${deskKey}, ${shuffle}, r.id)`;
    inner = inner.where(
      sql<boolean>`${key} > (${after.day}, ${after.unitName}, ${after.area}, ${after.desk}, ${after.shuffle}, ${after.id}::bigint)`,
    );
  }
  const keys = ['day', 'unitName', 'serviceAreaCode', 'deskKey', 'shuffle', 'id'] as const;
  let sub = inner;
  for (const k of keys) sub = sub.orderBy(sql.ref(k));
  let outer = db
    .selectFrom(sub.limit(size).as('k'))
    .selectAll('k')
    .select(
      sql<Record<string, string>>`coalesce((select jsonb_object_agg(a.indicator_key,
          coalesce(a.value_num::text, a.value_option, a.value_text))
        from answer a where a.response_id = k.id), '{}'::jsonb)`.as('answers'),
    );
  for (const k of keys) outer = outer.orderBy(sql.ref(`k.${k}`));
  return outer.execute();
}

/**
 * The anonymous responses of a subtree and period (local dates, inclusive) in
 * chunks of at most `size` rows, in the export order. Stopping the iteration
 * (a client gone) stops the reads: nothing runs after the current chunk.
 */
export async function* rawResponseChunks(
  db: Db,
  q: RawScope,
  opts: { size?: number; salt: string },
): AsyncGenerator<RawResponseRow[]> {
  const size = opts.size ?? 1000;
  for (const window of dayWindows(await rawResponseDays(db, q), size)) {
    let after: Position | null = null;
    for (;;) {
      const rows = await page(db, q, window, opts.salt, after, size);
      if (rows.length) yield rows.map(({ id: _, deskKey: _d, shuffle: _s, ...row }) => row);
      const last = rows.at(-1);
      if (!last || rows.length < size) break;
      after = {
        day: last.day,
        unitName: last.unitName,
        area: last.serviceAreaCode,
        desk: last.deskKey,
        shuffle: last.shuffle,
        id: last.id,
      };
    }
  }
}
