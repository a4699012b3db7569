import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import t from 'tap';
import { down as roundsBackIn } from '../migrations/2026-12-05T2010_rounds-apart-from-aggregates.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { type PendingResponse, storeResponses } from '../server/features/submission/store-responses.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { migrateToLatest } from '../server/platform/db/migrate.ts';
import type { Answer } from '../surveys/answers.ts';
import {
  answersArb,
  bulkRow,
  quickVersionId,
  rawAggregates,
  rawMonthly,
  storedAggregates,
  storedMonthly,
  YEAR_START,
} from './helpers/aggregate-data.ts';
import { databaseBefore } from './helpers/before-migration.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';

// Responses entered for a sampled survey round (response.round_id, issue 16)
// are the round's results, reported apart from the raw rows: they never enter
// the aggregate tables of the continuous stream, whatever path inserts,
// flags, moves or deletes them, nor a rebuild
// (migrations/2026-12-05T2010_rounds-apart-from-aggregates.ts).

async function insertRound(db: Db, unitId: number, versionId: number, code = 'dot-1'): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into survey_round (unit_id, code, survey_version_id, fieldwork_from, fieldwork_to,
                              population, population_source, margin, allocation)
    values (${unitId}, ${code}, ${versionId}, '2026-01-01', '2026-03-31', 400, 'typed', 0.05, 'proportional')
    returning id`.execute(db);
  return rows[0]!.id;
}

class Rollback extends Error {}

/**
 * What the aggregates must hold: the independent GROUP BYs of
 * aggregate-data.ts over the raw rows without the rounds' responses (deleted
 * in a transaction that is then rolled back).
 */
async function expectedWithoutRounds(db: Db) {
  let result: { daily: Awaited<ReturnType<typeof rawAggregates>>; monthly: Awaited<ReturnType<typeof rawMonthly>> };
  try {
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('response').where('round_id', 'is not', null).execute();
      result = { daily: await rawAggregates(trx), monthly: await rawMonthly(trx) };
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result!;
}

async function stored(db: Db) {
  return { daily: await storedAggregates(db), monthly: await storedMonthly(db) };
}

/** Responses counted in each table (n summed), and the scale answers in scale_monthly. */
async function totals(db: Db) {
  const { rows } = await sql<{ daily: number; monthly: number; scales: number }>`
    select (select coalesce(sum(n), 0)::int from response_daily) as daily,
           (select coalesce(sum(n), 0)::int from response_monthly) as monthly,
           (select coalesce(sum(n1 + n2 + n3 + n4 + n5), 0)::int from scale_monthly) as scales`.execute(db);
  return rows[0]!;
}

async function roundIds(db: Db, roundId: number): Promise<string[]> {
  const rows = await db.selectFrom('response').select('id').where('round_id', '=', roundId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

const OVERALL_4: Answer[] = [
  { key: 'overall', kind: 'scale', value: 4 },
  { key: 'staff', kind: 'scale', value: 2 },
  { key: 'trips', kind: 'option', value: '1' },
  { key: 'comment', kind: 'text', value: 'Phiếu giấy' },
];

t.test('round responses stay out of every aggregate, through every path', async (t) => {
  const { db } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
  const roundId = await insertRound(db, desk.communeId, versionId);
  const answers = fc.sample(answersArb, { numRuns: 60, seed: 16 });
  // The same days, desk and areas for both kinds, so that a round response
  // counted by mistake would land in the very cells the others fill.
  const where = (i: number) => ({
    unitId: desk.centreId,
    deskId: i % 3 === 0 ? null : desk.deskId,
    serviceArea: i % 2 ? 'ho-tich' : 'dat-dai',
  });
  const at = (i: number) => new Date(YEAR_START + (i % 10) * 86_400_000 + (i % 24) * 3_600_000);

  // 30 responses of the continuous stream.
  await insertResponsesBulk(
    db,
    answers.slice(0, 30).map((a, i) => bulkRow(versionId, at(i), where(i), a)),
  );
  const streamOnly = await stored(db);
  t.ok(streamOnly.daily.answers.length > 30, `${streamOnly.daily.answers.length} answer_daily rows`);
  t.match(await totals(db), { daily: 30, monthly: 30 }, '30 responses counted');

  // 20 round responses through the bulk path: nothing changes.
  await insertResponsesBulk(
    db,
    answers.slice(30, 50).map((a, i) => ({ ...bulkRow(versionId, at(i), where(i), a), roundId })),
  );
  t.equal((await roundIds(db, roundId)).length, 20, 'the round responses are stored');
  t.strictSame(await stored(db), streamOnly, 'the bulk insert of round responses counts nothing');

  // One bulk statement mixing both: only the 5 stream responses count.
  await insertResponsesBulk(
    db,
    answers
      .slice(50, 60)
      .map((a, i) => ({ ...bulkRow(versionId, at(i + 3), where(i), a), ...(i % 2 ? { roundId } : {}) })),
  );
  t.equal((await totals(db)).daily, 35, 'a mixed bulk insert counts only its stream responses');
  t.strictSame(await stored(db), await expectedWithoutRounds(db), 'the aggregates are the stream responses only');

  // The citizen/API path (storeResponses, insertResponseRows): one batch with both kinds.
  const pending = (i: number, round: boolean): PendingResponse => ({
    submissionId: randomUUID(),
    payloadHash: `h${i}`,
    surveyVersionId: versionId,
    ...where(i),
    channel: 'paper',
    locale: 'vi',
    answers: OVERALL_4,
    submittedAt: at(i),
    ...(round ? { roundId } : {}),
  });
  const outcomes = await storeResponses(db, [pending(1, true), pending(2, false), pending(3, true), pending(4, true)]);
  t.ok(
    outcomes.every((o) => 'inserted' in o && o.inserted),
    'all four stored',
  );
  t.equal((await roundIds(db, roundId)).length, 28, '20 + 5 + 3 round responses');
  const totalsNow = await totals(db);
  t.equal(totalsNow.daily, 36, 'response_daily counts the 36 stream responses only');
  t.equal(totalsNow.monthly, 36, 'so does response_monthly');
  const expected = await expectedWithoutRounds(db);
  t.strictSame(await stored(db), expected, 'every aggregate table equals the stream rows alone');
  t.notSame(
    (await rawAggregates(db)).responses,
    expected.daily.responses,
    'while the raw rows with the rounds would count more',
  );

  // Flag, unflag, move and delete round responses: nothing moves.
  const before = await stored(db);
  const ids = await roundIds(db, roundId);
  await db
    .updateTable('response')
    .set({ suspect: true, suspect_reason: 'test' })
    .where('id', 'in', ids.slice(0, 10))
    .execute();
  t.strictSame(await stored(db), before, 'flagging round responses suspect changes no aggregate');
  await db
    .updateTable('response')
    .set({ suspect: false, suspect_reason: null })
    .where('id', 'in', ids.slice(0, 4))
    .execute();
  t.strictSame(await stored(db), before, 'nor does clearing the flag');
  await sql`
    -- To the first day of the same month, at noon in Vietnam: a response never changes month (partitions).
    update response set service_area_code = 'ho-tich',
           submitted_at = (date_trunc('month', submitted_at at time zone 'Asia/Ho_Chi_Minh') + interval '12 hours')
                          at time zone 'Asia/Ho_Chi_Minh'
     where id = any(${ids.slice(2, 12)}::bigint[])`.execute(db);
  t.strictSame(await stored(db), before, 'nor moving them to another area and day');
  await db.deleteFrom('response').where('id', 'in', ids.slice(8, 16)).execute();
  t.equal((await roundIds(db, roundId)).length, 20, '8 round responses deleted');
  t.strictSame(await stored(db), before, 'nor deleting them');
  t.ok(
    (
      await db
        .selectFrom('response')
        .select('id')
        .where('round_id', 'is not', null)
        .where('suspect', '=', true)
        .execute()
    ).length > 0,
    'suspect round responses remain',
  );

  // The stream's own changes still move the counts, as before.
  const streamId = (
    await db.selectFrom('response').select('id').where('round_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
  ).id;
  await db.updateTable('response').set({ suspect: true, suspect_reason: 'test' }).where('id', '=', streamId).execute();
  const flagged = await stored(db);
  t.notSame(flagged, before, 'flagging a stream response moves its counts');
  t.strictSame(flagged, await expectedWithoutRounds(db), 'to where the stream rows say');

  // A rebuild recomputes exactly the same tables, round responses left out.
  const tables = async () => ({
    answerDaily: (await sql`select * from answer_daily order by 1, 2, 3, 4, 5, 6, 7, 8, 9`.execute(db)).rows,
    responseDaily: (await sql`select * from response_daily order by 1, 2, 3, 4, 5, 6`.execute(db)).rows,
    scaleMonthly: (await sql`select * from scale_monthly order by 1, 2, 3, 4, 5, 6`.execute(db)).rows,
    responseMonthly: (await sql`select * from response_monthly order by 1, 2, 3, 4, 5`.execute(db)).rows,
  });
  const kept = await tables();
  t.ok(kept.scaleMonthly.length > 0 && kept.responseMonthly.length > 0, 'all four tables hold rows');
  const { rows } = await sql<{ answer_rows: string; response_rows: string }>`
    select * from aggregates_rebuild()`.execute(db);
  t.same(
    rows[0],
    { answer_rows: String(kept.answerDaily.length), response_rows: String(kept.responseDaily.length) },
    'the rebuild writes the rows the triggers kept',
  );
  t.strictSame(await tables(), kept, 'the rebuilt tables are the kept ones, row for row');
  t.strictSame(await stored(db), await expectedWithoutRounds(db));
});

t.test('the migration takes out round responses a live database had counted, and down puts them back', async (t) => {
  const { db, unitId, versionId } = await databaseBefore(t, '2026-12-05T2010_rounds-apart-from-aggregates');
  const roundId = await insertRound(db, unitId, versionId);
  const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
  const scale = (value: number): Answer[] => [{ key: 'overall', kind: 'scale', value }];
  // Plain SQL, as rows were stored then (before the monthly partitions an answer had no submitted_at).
  const storeThen = async (at: string, overall: number, round: number | null) => {
    const { rows } = await sql<{ id: string }>`
      insert into response (submission_id, payload_hash, survey_version_id, unit_id, service_area_code, channel,
                            submitted_at, round_id)
      values (${randomUUID()}, 'x', ${versionId}, ${unitId}, 'ho-tich', 'paper', ${at}, ${round})
      returning id`.execute(db);
    await sql`insert into answer (response_id, indicator_key, value_num) values (${rows[0]!.id}, 'overall', ${overall})`.execute(
      db,
    );
  };
  await storeThen('2026-05-04T02:00:00Z', 4, null);
  await storeThen('2026-05-04T03:00:00Z', 4, roundId);
  await storeThen('2026-05-05T03:00:00Z', 2, roundId);
  const withRounds = { daily: await rawAggregates(db), monthly: await rawMonthly(db) };
  t.strictSame(await stored(db), withRounds, 'before the migration the round responses are counted');
  t.same(await totals(db), { daily: 3, monthly: 3, scales: 3 });

  await migrateToLatest(db);
  t.same(await totals(db), { daily: 1, monthly: 1, scales: 1 }, 'after it only the stream response');
  const stream = await stored(db);
  t.match(stream.daily.answers, [{ day: '2026-05-04', indicator_key: 'overall', value: '4', n: 1 }]);
  t.equal(stream.daily.answers.length, 1, 'the round response of 5 May left no cell behind');
  t.strictSame(stream, await expectedWithoutRounds(db), 'the aggregates equal the stream rows');

  await db.transaction().execute((trx) => roundsBackIn(trx));
  t.strictSame(await stored(db), withRounds, 'down counts the round responses again');
  await insertResponsesBulk(db, [
    { ...bulkRow(versionId, new Date('2026-05-06T03:00:00Z'), where, scale(5)), roundId },
  ]);
  t.strictSame(
    await stored(db),
    { daily: await rawAggregates(db), monthly: await rawMonthly(db) },
    'and the restored triggers count new ones',
  );
});
