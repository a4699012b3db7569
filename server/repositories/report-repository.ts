import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export interface RawResponseRow {
  /** Local date only: an export needs no finer time, and a time narrows who answered. */
  day: string;
  unitName: string;
  deskCode: string | null;
  serviceAreaCode: string;
  channel: string;
  surveyCode: string;
  version: number;
  verified: boolean;
  suspect: boolean;
  answers: Record<string, string>;
}

/**
 * Anonymous responses of a subtree and period (local dates, inclusive), one
 * row each with its answers keyed by indicator key. Raw rows on purpose: this
 * is the export of the data itself, bounded by scope and period.
 */
export async function rawResponses(
  db: Db,
  q: { scopePath: string; from: string; to: string; serviceArea?: string },
): Promise<RawResponseRow[]> {
  let query = db
    .selectFrom('response as r')
    .innerJoin('unit as u', 'u.id', 'r.unit_id')
    .leftJoin('desk as d', 'd.id', 'r.desk_id')
    .innerJoin('survey_version as v', 'v.id', 'r.survey_version_id')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select([
      sql<string>`to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')`.as('day'),
      'u.name as unitName',
      'd.code as deskCode',
      'r.service_area_code as serviceAreaCode',
      'r.channel',
      's.code as surveyCode',
      'v.version',
      'r.verified',
      'r.suspect',
      sql<Record<string, string>>`coalesce((select jsonb_object_agg(a.indicator_key,
          coalesce(a.value_num::text, a.value_option, a.value_text))
        from answer a where a.response_id = r.id), '{}'::jsonb)`.as('answers'),
    ])
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('r.submitted_at', '>=', sql<Date>`(${q.from}::date)::timestamp at time zone 'Asia/Ho_Chi_Minh'`)
    .where('r.submitted_at', '<', sql<Date>`(${q.to}::date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh'`);
  if (q.serviceArea) query = query.where('r.service_area_code', '=', q.serviceArea);
  return query.orderBy('r.submitted_at').orderBy('r.id').limit(200_000).execute();
}
