import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { NewResponse } from '../../server/features/submission/response-repository.ts';
import { latestVersion } from '../../server/features/surveys/survey-version-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import type { Channel } from '../../server/platform/db/schema.ts';
import type { Answer } from '../../surveys/answers.ts';
import { DEFAULT_SURVEY_CODE } from '../../surveys/instruments.ts';

// Responses for the aggregate tests, and the two views of the counts they
// compare: the aggregate tables as stored, and a GROUP BY over raw rows.

const FACTOR_KEYS = ['access', 'procedure', 'staff', 'result', 'feedback'];

/** Answers the quick survey accepts: a score or "na" per factor, an overall score, maybe trips (codes '1', '2'!) and a comment. */
export const answersArb: fc.Arbitrary<Answer[]> = fc
  .record({
    factors: fc.tuple(...FACTOR_KEYS.map(() => fc.option(fc.integer({ min: 1, max: 5 }), { freq: 5 }))),
    overall: fc.integer({ min: 1, max: 5 }),
    trips: fc.option(fc.constantFrom('1', '2', '3plus')),
    comment: fc.option(fc.constantFrom('Tốt', 'Chờ lâu quá')),
  })
  .map(({ factors, overall, trips, comment }) => [
    ...FACTOR_KEYS.map(
      (key, i): Answer => (factors[i] ? { key, kind: 'scale', value: factors[i] } : { key, kind: 'na' }),
    ),
    { key: 'overall', kind: 'scale', value: overall },
    ...(trips ? [{ key: 'trips', kind: 'option', value: trips } as const] : []),
    ...(comment ? [{ key: 'comment', kind: 'text', value: comment } as const] : []),
  ]);

/** The same answers as the web form posts them. */
export const asForm = (answers: Answer[]) =>
  Object.fromEntries(answers.map((a) => [a.key, a.kind === 'na' ? 'na' : String(a.value)]));

/** 2026-01-01 00:00 in Vietnam. */
export const YEAR_START = Date.UTC(2025, 11, 31, 17);

export async function quickVersionId(db: Db): Promise<number> {
  return (await latestVersion(db, DEFAULT_SURVEY_CODE))!.id;
}

/** A row for insertResponsesBulk, the path the demo and paper imports take. */
export function bulkRow(
  versionId: number,
  at: Date,
  where: { unitId: number; deskId: number | null; serviceArea: string },
  answers: Answer[],
  channel: Channel = 'paper',
): NewResponse & { submittedAt: Date } {
  const base = { submissionId: randomUUID(), payloadHash: 'x', surveyVersionId: versionId, locale: 'vi' as const };
  return { ...base, ...where, channel, answers, submittedAt: at };
}

export async function responseIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('response').select('id').orderBy('id').execute()).map((r) => r.id);
}

interface Cell {
  day: string;
  unit_id: number;
  desk_id: number;
  service_area_code: string;
  channel: string;
  suspect: boolean;
  n: number;
}
export interface Counts {
  answers: (Cell & { survey_version_id: number; indicator_key: string; value: string })[];
  responses: Cell[];
}

/** A GROUP BY over the raw rows, written independently of the migration's functions. */
export async function rawAggregates(db: Db): Promise<Counts> {
  const answers = await sql<Counts['answers'][number]>`
    select to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') as day, r.unit_id,
           coalesce(r.desk_id, 0) as desk_id, r.service_area_code, r.channel, r.suspect, r.survey_version_id,
           a.indicator_key, count(*)::int as n,
           coalesce(a.value_num::text, case when a.value_text is not null then '_text' end, a.value_option) as value
      from answer a join response r on r.id = a.response_id
     group by 1, 2, 3, 4, 5, 6, 7, 8, 10 order by 1, 2, 3, 4, 5, 6, 7, 8, 10`.execute(db);
  const responses = await sql<Cell>`
    select to_char(submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') as day, unit_id,
           coalesce(desk_id, 0) as desk_id, service_area_code, channel, suspect, count(*)::int as n
      from response group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`.execute(db);
  return { answers: answers.rows, responses: responses.rows };
}

/** The aggregate tables, in the same shape and order. */
export async function storedAggregates(db: Db): Promise<Counts> {
  const answers = await sql<Counts['answers'][number]>`
    select to_char(day, 'YYYY-MM-DD') as day, unit_id, desk_id, service_area_code, channel, suspect,
           survey_version_id, indicator_key, n, value
      from answer_daily order by 1, 2, 3, 4, 5, 6, 7, 8, 10`.execute(db);
  const responses = await sql<Cell>`
    select to_char(day, 'YYYY-MM-DD') as day, unit_id, desk_id, service_area_code, channel, suspect, n
      from response_daily order by 1, 2, 3, 4, 5, 6`.execute(db);
  return { answers: answers.rows, responses: responses.rows };
}

interface MonthCell {
  month: string;
  unit_id: number;
  service_area_code: string;
  suspect: boolean;
}
export interface MonthlyCounts {
  scales: (MonthCell & {
    survey_version_id: number;
    indicator_key: string;
    n1: number;
    n2: number;
    n3: number;
    n4: number;
    n5: number;
  })[];
  responses: (MonthCell & { channel: string; n: number })[];
}

/** The monthly tables' counts as a GROUP BY over the raw rows, written independently of the migration. */
export async function rawMonthly(db: Db): Promise<MonthlyCounts> {
  const scales = await sql<MonthlyCounts['scales'][number]>`
    select to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM') as month, r.unit_id,
           r.service_area_code, r.suspect, r.survey_version_id, a.indicator_key,
           count(*) filter (where a.value_num = 1)::int as n1, count(*) filter (where a.value_num = 2)::int as n2,
           count(*) filter (where a.value_num = 3)::int as n3, count(*) filter (where a.value_num = 4)::int as n4,
           count(*) filter (where a.value_num = 5)::int as n5
      from answer a join response r on r.id = a.response_id
     where a.value_num between 1 and 5
     group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`.execute(db);
  const responses = await sql<MonthlyCounts['responses'][number]>`
    select to_char(submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM') as month, unit_id, service_area_code,
           suspect, channel, count(*)::int as n
      from response group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`.execute(db);
  return { scales: scales.rows, responses: responses.rows };
}

/** scale_monthly and response_monthly as stored, in the same shape and order. */
export async function storedMonthly(db: Db): Promise<MonthlyCounts> {
  const scales = await sql<MonthlyCounts['scales'][number]>`
    select to_char(month, 'YYYY-MM') as month, unit_id, service_area_code, suspect, survey_version_id, indicator_key,
           n1, n2, n3, n4, n5
      from scale_monthly order by 1, 2, 3, 4, 5, 6`.execute(db);
  const responses = await sql<MonthlyCounts['responses'][number]>`
    select to_char(month, 'YYYY-MM') as month, unit_id, service_area_code, suspect, channel, n
      from response_monthly order by 1, 2, 3, 4, 5`.execute(db);
  return { scales: scales.rows, responses: responses.rows };
}
