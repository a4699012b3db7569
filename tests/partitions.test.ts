import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator, sql } from 'kysely';
import t, { type Test } from 'tap';
import { archiveBefore } from '../server/features/backup/archive-service.ts';
import { storeResponses } from '../server/features/submission/store-responses.ts';
import { countWindows } from '../server/features/submission/stuffing-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { installJobSchema } from '../server/platform/db/job-schema.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../server/platform/db/migrate.ts';
import { finishPartitionMove } from '../server/platform/db/partition-move.ts';
import { ensurePartitions, listMonthPartitions } from '../server/platform/db/partition-repository.ts';
import { monthsAhead } from '../server/platform/db/partition-upkeep.ts';
import type { Answer } from '../surveys/answers.ts';
import {
  bulkRow,
  quickVersionId,
  rawAggregates,
  rawMonthly,
  storedAggregates,
  storedMonthly,
} from './helpers/aggregate-data.ts';
import { databaseBefore, insertResponsesBefore } from './helpers/before-migration.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';

// Issue 19: response and answer partitioned by month in Vietnam's calendar,
// submission ids kept unique by `submission`, the rows of a live database
// moved in batches that survive an interruption, and old months archived.

const MIGRATION = '2026-12-05T2340_response-partitions';
const scale = (key: string, value: number): Answer => ({ key, kind: 'scale', value });
const text = (key: string, value: string): Answer => ({ key, kind: 'text', value });

/** The database just before the partitions, with the job queue a low score's mail is queued in. */
async function liveDatabase(t: Test) {
  const before = await databaseBefore(t, MIGRATION);
  await installJobSchema(before.db);
  return before;
}

async function figures(db: Db) {
  return { daily: await storedAggregates(db), monthly: await storedMonthly(db) };
}

async function count(db: Db, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** The partition each response sits in, counted. */
async function placement(db: Db): Promise<Record<string, number>> {
  const { rows } = await sql<{ part: string; n: number }>`
    select tableoid::regclass::text as part, count(*)::int as n from response group by 1 order by 1`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.part, r.n]));
}

t.test(
  'a live database moves into monthly partitions in batches, resumes after a stop, and its figures stay exact',
  async (t) => {
    const { db, unitId, versionId } = await liveDatabase(t);
    const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
    // Three months; the first minutes of October in Vietnam are still 30 September in UTC.
    const rows = [
      bulkRow(versionId, new Date('2026-09-30T17:05:00Z'), where, [scale('overall', 5)]),
      bulkRow(versionId, new Date('2026-09-30T16:55:00Z'), where, [scale('overall', 4)]),
      bulkRow(versionId, new Date('2026-10-15T03:00:00Z'), where, [scale('overall', 1), text('comment', 'Chờ lâu.')]),
      bulkRow(versionId, new Date('2026-11-02T03:00:00Z'), where, [scale('overall', 3)]),
      bulkRow(versionId, new Date('2026-11-20T03:00:00Z'), where, [scale('overall', 2)]),
    ];
    await insertResponsesBefore(db, rows);
    const before = await figures(db);
    const items = await db.selectFrom('feedback_item').select(['response_id', 'reason']).orderBy('id').execute();
    t.ok(items.length >= 2, 'the low scores opened feedback items before the move');

    // The schema step alone, then a move stopped after two batches of two: an interrupted start.
    const migrator = new Migrator({
      db,
      provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
    });
    t.notOk((await migrator.migrateToLatest()).error);
    t.equal(await finishPartitionMove(db, { batch: 2, stopAfter: 4 }), 4, 'stopped after two batches');
    t.equal(await count(db, 'response_unpartitioned'), 1, 'one response still waits in the old table');
    t.equal(await count(db, 'response'), 4, 'four are in the partitions, none twice');
    t.equal((await count(db, 'answer_unpartitioned')) + (await count(db, 'answer')), 6, 'every answer is in one place');

    // The next start carries on and finishes.
    const progress: number[] = [];
    await migrateToLatest(db, { onMoveProgress: (p) => progress.push(p.left) });
    t.same(progress, [0], 'it moved the one left');
    t.same(
      (await sql`select to_regclass('response_unpartitioned') as r`.execute(db)).rows,
      [{ r: null }],
      'the old table is gone',
    );
    t.same(
      await placement(db),
      { response_y2026m09: 1, response_y2026m10: 2, response_y2026m11: 2 },
      'by month in Vietnam',
    );
    t.strictSame(await figures(db), before, 'the aggregates are untouched by the move');
    t.strictSame(before, { daily: await rawAggregates(db), monthly: await rawMonthly(db) }, 'and equal the moved rows');
    t.same(
      await db.selectFrom('feedback_item').select(['response_id', 'reason']).orderBy('id').execute(),
      items,
      'the feedback items still point at their responses',
    );
    const { rows: checks } = await sql<{ name: string; valid: boolean }>`
    select conname as name, convalidated as valid from pg_constraint
     where conname in ('feedback_item_response_id_fkey', 'feedback_reply_key_response_id_fkey', 'round_form_response_id_fkey')`.execute(
      db,
    );
    t.ok(checks.length === 3 && checks.every((c) => c.valid), 'their references are checked');
    t.equal(await count(db, 'submission'), 5, 'every submission id is registered');

    // The triggers are back: a new response counts, opens its item, and a replay is known.
    const fresh = { ...bulkRow(versionId, new Date(), where, [scale('overall', 1), text('comment', 'Sai sót.')]) };
    const [first] = await storeResponses(db, [fresh]);
    t.match(first, { inserted: true });
    t.strictSame(await storedAggregates(db), await rawAggregates(db), 'a new response is counted');
    t.equal(await count(db, 'feedback_item'), items.length + 1, 'and opens its feedback item');
    const [again] = await storeResponses(db, [fresh]);
    t.match(again, { inserted: false, id: (first as { id: string }).id }, 'the same submission id is a replay');
    t.equal(await count(db, 'response'), 6);
  },
);

t.test('a response of a month without a partition is stored and counted in the default one', async (t) => {
  const { db, unitId, versionId } = await liveDatabase(t);
  await migrateToLatest(db);
  const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
  const old = bulkRow(versionId, new Date('2019-05-10T03:00:00Z'), where, [scale('overall', 4)]);
  t.match(await storeResponses(db, [old]), [{ inserted: true }]);
  t.same(await placement(db), { response_default: 1 });
  t.strictSame(await storedMonthly(db), await rawMonthly(db), 'counted like any other');
  t.equal(await ensurePartitions(db, '2019-04-01', '2019-06-01'), 2, 'April and June are made; May stays in default');
  t.same(await placement(db), { response_default: 1 });
});

t.test('the partitions are made three months ahead, by the month in Vietnam', async (t) => {
  t.same(monthsAhead(new Date('2026-12-31T17:30:00Z')), { from: '2027-01-01', to: '2027-04-01' });
  t.same(monthsAhead(new Date('2026-12-31T16:30:00Z')), { from: '2026-12-01', to: '2027-03-01' });
  const { db } = await liveDatabase(t);
  await migrateToLatest(db);
  const { from, to } = monthsAhead(new Date());
  await ensurePartitions(db, from, to);
  const months = (await listMonthPartitions(db)).map((p) => p.month);
  t.ok(months.includes(to.slice(0, 7)), `the partition of ${to.slice(0, 7)} exists`);
  t.equal(await ensurePartitions(db, from, to), 0, 'a second run makes nothing');
});

t.test('archive detaches the months before the one named, and the figures stay', async (t) => {
  const { db, url, unitId, versionId } = { ...(await liveDatabase(t)), url: '' };
  const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
  await insertResponsesBefore(db, [
    bulkRow(versionId, new Date('2026-09-10T03:00:00Z'), where, [scale('overall', 5)]),
    bulkRow(versionId, new Date('2026-10-10T03:00:00Z'), where, [scale('overall', 2)]),
    bulkRow(versionId, new Date('2026-11-10T03:00:00Z'), where, [scale('overall', 4)]),
  ]);
  await migrateToLatest(db);
  const before = await figures(db);
  const now = new Date('2026-12-05T03:00:00Z');
  await t.rejects(
    archiveBefore(db, url, { before: '2027-01', drop: false, now }),
    /still coming in/,
    'not a month to come',
  );
  await t.rejects(archiveBefore(db, url, { before: '2026-9', drop: false, now }), /as YYYY-MM/, 'YYYY-MM only');
  await t.rejects(
    archiveBefore(db, url, { before: '2026-10', drop: true, now }),
    /--drop needs --out/,
    '--drop needs --out',
  );

  const done = await archiveBefore(db, url, { before: '2026-11', drop: false, now });
  t.same(done.months, ['2026-09', '2026-10']);
  t.same(await placement(db), { response_y2026m11: 1 }, 'the live table keeps November');
  t.equal(await count(db, 'archive.response_y2026m09'), 1, 'September waits in the schema archive');
  t.equal(await count(db, 'archive.answer_y2026m10'), 1);
  t.strictSame(await figures(db), before, 'the report figures of the archived months stay');
  t.equal(await count(db, 'feedback_item'), 1, "October's feedback item stays");
  t.same((await archiveBefore(db, url, { before: '2026-11', drop: false, now })).months, [], 'nothing twice');
});

t.test('a response keeps its month; within it its answers follow it; deleted, it takes them along', async (t) => {
  const { db, unitId, versionId } = await liveDatabase(t);
  await migrateToLatest(db);
  const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
  const [stored] = await storeResponses(db, [
    bulkRow(versionId, new Date('2026-12-10T03:00:00Z'), where, [scale('overall', 4), text('comment', 'Ổn.')]),
  ]);
  const id = (stored as { id: string }).id;
  await t.rejects(
    sql`update response set submitted_at = '2026-11-30T03:00:00Z' where id = ${id}`.execute(db),
    /cannot move to another month/,
    'to November: refused',
  );
  await sql`update response set submitted_at = '2026-12-02T03:00:00Z' where id = ${id}`.execute(db);
  const { rows } = await sql<{
    at: Date;
  }>`select distinct submitted_at as at from answer where response_id = ${id}`.execute(db);
  t.same(rows, [{ at: new Date('2026-12-02T03:00:00Z') }], 'its answers moved with it');
  t.strictSame(await storedAggregates(db), await rawAggregates(db), 'and the aggregates');
  await sql`delete from response where id = ${id}`.execute(db);
  t.equal(await count(db, 'answer'), 0, 'deleted: no answer left');
  t.equal(await count(db, 'submission'), 0, 'its submission id is free again');
});

t.test('two nodes starting together both finish the move, and each row moves once', async (t) => {
  const { db, unitId, versionId } = await liveDatabase(t);
  const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
  await insertResponsesBefore(
    db,
    Array.from({ length: 12 }, (_, i) =>
      bulkRow(versionId, new Date(Date.UTC(2026, 8 + (i % 3), 10 + i)), where, [scale('overall', 1 + (i % 5))]),
    ),
  );
  const before = await figures(db);
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
  t.notOk((await migrator.migrateToLatest()).error);
  // Two processes' moves at once, in batches of one, on separate connections of the pool.
  const [a, b] = await Promise.all([finishPartitionMove(db, { batch: 1 }), finishPartitionMove(db, { batch: 1 })]);
  t.equal(a + b, 12, 'the twelve rows moved between them, none twice');
  t.equal(await count(db, 'response'), 12);
  t.equal(await count(db, 'submission'), 12);
  t.same((await sql`select to_regclass('partition_move_step') as r`.execute(db)).rows, [{ r: null }], 'finished once');
  t.strictSame(await figures(db), before, 'the aggregates untouched');
});

t.test('the stuffing checks read the partitions of the last day only, however many months are kept', async (t) => {
  const { db } = await testDatabase(t);
  const { deskId, centreId } = await createDesk(db, ['ho-tich']);
  const versionId = await quickVersionId(db);
  await ensurePartitions(db, '2025-01-01', '2025-12-01');
  const where = { unitId: centreId, deskId, serviceArea: 'ho-tich' };
  const keys = { clientKey: 'c'.repeat(32), renderKey: 'a'.repeat(32), answerPattern: 'p' };
  const at = (d: Date) => ({ ...bulkRow(versionId, d, where, [scale('overall', 4)], 'qr'), ...keys });
  await storeResponses(db, [at(new Date('2025-02-10T03:00:00Z')), at(new Date())]);
  const reads = async (conn: Db) => {
    // This session's table statistics, flushed to where pg_stat_user_tables reads them.
    await sql`select pg_stat_force_next_flush()`.execute(conn);
    const { rows } = await sql<{ relname: string; n: string }>`
      select relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) as n
        from pg_stat_user_tables where relname like 'response_y%'`.execute(conn);
    return Object.fromEntries(rows.map((r) => [r.relname, Number(r.n)]));
  };
  await db.connection().execute(async (conn) => {
    const before = await reads(conn);
    const [counts] = await countWindows(conn, [
      {
        deskId,
        submissionId: randomUUID(),
        ...keys,
        windowMinutes: 10,
        caps: { desk: 100, source: 100, sourcePattern: 100, token: 100 },
      },
    ]);
    const after = await reads(conn);
    t.same(counts, { desk: 1, source: 1, sourcePattern: 1, token: 1 }, 'the page of last February is not counted');
    t.equal(after.response_y2025m02, before.response_y2025m02, 'last February is not read');
    const now = Object.keys(after).filter((p) => (after[p] ?? 0) > (before[p] ?? 0));
    t.ok(now.length >= 1 && now.length <= 5, `read: ${now.join(', ')} (this month, the months ahead)`);
  });
});
