import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// A survey round's own figures come from the raw rows of its responses, not
// from the aggregate tables (which hold the continuous stream only): a round
// has at most a few thousand forms. Suspect responses are left out of every
// figure (methodology §3).

const TZ = 'Asia/Ho_Chi_Minh';

export interface RoundAreaRow {
  code: string;
  /** Responses entered for the round in the area. */
  responses: number;
  /** Of those, with an overall answer 1–5. */
  n: number;
  /** Of those, an overall answer of 4 or 5. */
  satisfied: number;
}

/** Responses, valid overall answers and satisfied ones per service area of the round. */
export async function roundOverallByArea(db: Db, roundId: number): Promise<RoundAreaRow[]> {
  return db
    .selectFrom('response as r')
    .leftJoin('answer as a', (j) =>
      j
        .onRef('a.response_id', '=', 'r.id')
        .on('a.indicator_key', '=', 'overall')
        .on('a.value_num', '>=', 1)
        .on('a.value_num', '<=', 5),
    )
    .select([
      'r.service_area_code as code',
      sql<number>`count(distinct r.id)::int`.as('responses'),
      sql<number>`count(a.value_num)::int`.as('n'),
      sql<number>`count(*) filter (where a.value_num >= 4)::int`.as('satisfied'),
    ])
    .where('r.round_id', '=', roundId)
    .where('r.suspect', '=', false)
    .groupBy('r.service_area_code')
    .orderBy('r.service_area_code')
    .execute();
}

/** The first and last day ('yyyy-mm-dd', Vietnam) on which the round's forms were answered; null without any. */
export async function roundFieldworkDays(db: Db, roundId: number): Promise<{ first: string; last: string } | null> {
  const row = await db
    .selectFrom('response')
    .select([
      sql<string | null>`to_char(min(submitted_at) at time zone ${sql.lit(TZ)}, 'YYYY-MM-DD')`.as('first'),
      sql<string | null>`to_char(max(submitted_at) at time zone ${sql.lit(TZ)}, 'YYYY-MM-DD')`.as('last'),
    ])
    .where('round_id', '=', roundId)
    .where('suspect', '=', false)
    .executeTakeFirst();
  return row?.first && row.last ? { first: row.first, last: row.last } : null;
}

export interface RoundAnswerRow {
  responseId: string;
  key: string;
  num: number | null;
  option: string | null;
}

/**
 * The round's answers whose key starts with `prefix` (for papi-xa: 'papi.'),
 * and the ids of all its responses: one that answered none of them is still
 * a respondent.
 */
export async function roundAnswersByPrefix(
  db: Db,
  roundId: number,
  prefix: string,
): Promise<{ responseIds: string[]; answers: RoundAnswerRow[] }> {
  const [responses, answers] = await Promise.all([
    db
      .selectFrom('response')
      .select('id')
      .where('round_id', '=', roundId)
      .where('suspect', '=', false)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('answer as a')
      .innerJoin('response as r', 'r.id', 'a.response_id')
      .select([
        'a.response_id as responseId',
        'a.indicator_key as key',
        'a.value_num as num',
        'a.value_option as option',
      ])
      .where('r.round_id', '=', roundId)
      .where('r.suspect', '=', false)
      .where('a.indicator_key', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)
      .orderBy('a.response_id')
      .execute(),
  ]);
  return { responseIds: responses.map((r) => r.id), answers };
}
