import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import t from 'tap';
import {
  itemCounts,
  monthlyItemCounts,
  rebuildAggregates,
  unitsUnder,
} from '../server/features/reports/aggregate-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { storeResponses } from '../server/features/submission/store-responses.ts';
import { submitResponse } from '../server/features/submission/submission-service.ts';
import { connect } from '../server/platform/db/connect.ts';
import { migrateToLatest } from '../server/platform/db/migrate.ts';
import {
  answersArb,
  asForm,
  bulkRow,
  quickVersionId,
  rawAggregates,
  rawMonthly,
  responseIds,
  storedAggregates,
  storedMonthly,
  YEAR_START,
} from './helpers/aggregate-data.ts';
import { databaseBefore, insertResponsesBefore } from './helpers/before-migration.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';
import { runScript } from './helpers/process.ts';

// The daily aggregates that reports read: kept by triggers in the response's
// transaction whatever inserts or changes it, always equal to a GROUP BY over
// the raw rows, rebuildable from them, and cut at local midnight.

t.test(
  'aggregates equal a GROUP BY over raw rows after random submits, bulk inserts, flags, moves and deletes',
  async (t) => {
    const { db } = await testDatabase(t);
    const versionId = await quickVersionId(db);
    const desks = [await createDesk(db, ['dat-dai', 'ho-tich']), await createDesk(db, ['y-te'])];
    const pick = (all: string[], fractions: number[]) => [
      ...new Set(fractions.map((f) => all[Math.floor(f * all.length)]!)),
    ];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('submit' as const), desk: fc.nat(1), area: fc.nat(1), answers: answersArb }),
      fc.record({
        kind: fc.constant('bulk' as const),
        rows: fc.array(
          fc.record({ desk: fc.nat(2), at: fc.integer({ min: 0, max: 365 * 86_400_000 }), answers: answersArb }),
          {
            maxLength: 25,
          },
        ),
      }),
      fc.record({
        kind: fc.constantFrom('flag' as const, 'unflag' as const, 'move' as const, 'delete' as const),
        at: fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 6 }),
      }),
    );
    const done = new Set<string>();
    let flaggedSeen = false;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
        for (const o of ops) {
          done.add(o.kind);
          if (o.kind === 'submit') {
            const desk = desks[o.desk]!;
            const result = await submitResponse(db, {
              deskCode: desk.code,
              serviceArea: o.desk === 0 ? ['dat-dai', 'ho-tich'][o.area] : undefined,
              answers: asForm(o.answers),
              submissionId: randomUUID(),
              channel: 'qr',
              locale: 'vi',
              source: 'form',
            });
            if (result.status !== 'created') throw new Error(`submit: ${result.status}`);
          } else if (o.kind === 'bulk') {
            const rows = o.rows.map((r) => {
              // desk 2: a paper form entered for the centre, without a desk.
              const d = desks[r.desk % 2]!;
              const where = {
                unitId: d.centreId,
                deskId: r.desk === 2 ? null : d.deskId,
                serviceArea: r.desk === 1 ? 'y-te' : 'dat-dai',
              };
              return bulkRow(versionId, new Date(YEAR_START + r.at), where, r.answers);
            });
            await insertResponsesBulk(db, rows);
          } else {
            const chosen = pick(await responseIds(db), o.at);
            if (!chosen.length) continue;
            const target = db.updateTable('response').where('id', 'in', chosen);
            if (o.kind === 'flag') await target.set({ suspect: true, suspect_reason: 'test' }).execute();
            else if (o.kind === 'unflag') await target.set({ suspect: false, suspect_reason: null }).execute();
            else if (o.kind === 'move') await target.set({ service_area_code: 'ho-tich' }).execute();
            else await db.deleteFrom('response').where('id', 'in', chosen).execute();
          }
        }
        const raw = await rawAggregates(db);
        flaggedSeen ||= raw.responses.some((r) => r.suspect);
        assert.deepStrictEqual(await storedAggregates(db), raw);
        assert.deepStrictEqual(await storedMonthly(db), await rawMonthly(db));
      }),
      { numRuns: 12, seed: 20261122 },
    );
    t.same([...done].sort(), ['bulk', 'delete', 'flag', 'move', 'submit', 'unflag'], 'every kind of change was tried');
    t.ok(flaggedSeen, 'with suspect responses among them');
    const raw = await rawAggregates(db);
    t.ok(raw.answers.length > 100, `${raw.answers.length} aggregate rows at the end`);
    t.strictSame(await storedAggregates(db), raw, 'after every run the aggregates equal the raw rows');
    const monthly = await rawMonthly(db);
    t.ok(monthly.scales.length > 10, `${monthly.scales.length} scale_monthly rows at the end`);
    t.strictSame(await storedMonthly(db), monthly, 'and so do the monthly ones');
  },
);

t.test('rebuild-aggregates recomputes both tables from raw rows, by function and from the command line', async (t) => {
  const { db, url } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const desk = await createDesk(db, ['dat-dai']);
  const answers = fc.sample(answersArb, { numRuns: 300, seed: 7 });
  await insertResponsesBulk(
    db,
    answers.map((a, i) =>
      bulkRow(
        versionId,
        new Date(YEAR_START + i * 3_600_000),
        { unitId: desk.centreId, deskId: desk.deskId, serviceArea: 'dat-dai' },
        a,
      ),
    ),
  );
  await db
    .updateTable('response')
    .set({ suspect: true, suspect_reason: 'test' })
    .where('id', 'in', (await responseIds(db)).slice(0, 40))
    .execute();
  const before = await storedAggregates(db);
  const monthlyBefore = await storedMonthly(db);
  t.strictSame(monthlyBefore, await rawMonthly(db));

  // Counts gone wrong (a hand edit, a bug fixed later): the rebuild repairs them.
  await sql`update answer_daily set n = n + 3 where value = '5'`.execute(db);
  await sql`delete from response_daily where suspect`.execute(db);
  await sql`update scale_monthly set n4 = n4 + 1`.execute(db);
  await sql`delete from response_monthly where not suspect`.execute(db);
  t.notSame(await storedAggregates(db), before, 'the aggregates were damaged');
  t.notSame(await storedMonthly(db), monthlyBefore, 'the monthly ones too');
  const summary = await rebuildAggregates(db);
  const after = await storedAggregates(db);
  t.strictSame(after, before, 'the rebuilt rows are the rows the triggers kept');
  t.strictSame(await storedMonthly(db), monthlyBefore, 'the monthly tables too');
  t.strictSame(after, await rawAggregates(db));
  t.same(
    summary,
    { answerRows: after.answers.length, responseRows: after.responses.length },
    'it reports the rows it wrote',
  );

  await sql`truncate answer_daily, response_daily, scale_monthly, response_monthly`.execute(db);
  const run = await runScript('server/cli.ts', ['rebuild-aggregates'], { DATABASE_URL: url });
  t.equal(run.code, 0, run.stderr);
  t.equal(
    run.stdout,
    `Rebuilt ${after.answers.length} answer_daily rows and ${after.responses.length} response_daily rows.\n`,
  );
  t.strictSame(await storedAggregates(db), before);
  t.strictSame(await storedMonthly(db), monthlyBefore);
});

t.test('the migration counts responses a live database already holds', async (t) => {
  const { db, unitId, versionId } = await databaseBefore(t, '2026-11-22T0600_daily-aggregates');
  const where = { unitId, deskId: null, serviceArea: 'ho-tich' };
  await insertResponsesBefore(db, [
    bulkRow(versionId, new Date('2026-05-04T02:00:00Z'), where, [{ key: 'overall', kind: 'scale', value: 4 }]),
    bulkRow(versionId, new Date('2026-05-04T03:00:00Z'), where, [{ key: 'overall', kind: 'scale', value: 4 }]),
  ]);

  await migrateToLatest(db);
  const stored = await storedAggregates(db);
  t.equal(stored.answers.length, 1);
  t.match(stored.answers[0], { day: '2026-05-04', desk_id: 0, indicator_key: 'overall', value: '4', n: 2 });
  t.strictSame(stored, await rawAggregates(db));
  const monthly = await storedMonthly(db);
  t.match(monthly.scales, [{ month: '2026-05', indicator_key: 'overall', n4: 2, n5: 0 }]);
  t.match(monthly.responses, [{ month: '2026-05', channel: 'paper', n: 2 }]);
  t.strictSame(monthly, await rawMonthly(db), 'the monthly migration counts them too');
});

t.test('the day is the local date: 17:30 UTC counts on the next day in Vietnam', async (t) => {
  const { db } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const desk = await createDesk(db, ['dat-dai']);
  const where = { unitId: desk.centreId, deskId: desk.deskId, serviceArea: 'dat-dai' };
  await insertResponsesBulk(db, [
    bulkRow(versionId, new Date('2026-03-31T16:59:59Z'), where, [{ key: 'overall', kind: 'scale', value: 2 }]),
    bulkRow(versionId, new Date('2026-03-31T17:30:00Z'), where, [{ key: 'overall', kind: 'scale', value: 5 }]),
  ]);
  const scopePath = (await unitsUnder(db, desk.communeId))!.scope.path;
  const day = (d: string) => itemCounts(db, { scopePath, from: d, to: d });
  t.match(await day('2026-03-31'), [{ indicatorKey: 'overall', value: '2', n: 1 }]);
  t.equal((await day('2026-03-31')).length, 1, '23:59:59 local stays on 31 March');
  t.match(await day('2026-04-01'), [{ indicatorKey: 'overall', value: '5', n: 1 }]);
  t.equal((await day('2026-04-01')).length, 1, '00:30 local is 1 April');
  t.same(await monthlyItemCounts(db, { scopePath, from: '2026-01-01', to: '2026-06-30', indicatorKey: 'overall' }), [
    { month: '2026-03', value: '2', n: 1 },
    { month: '2026-04', value: '5', n: 1 },
  ]);
});

t.test('a failed insert leaves the aggregates as they were', async (t) => {
  const { db } = await testDatabase(t);
  const desk = await createDesk(db, ['dat-dai']);
  const versionId = await quickVersionId(db);
  await insertResponsesBulk(db, [
    bulkRow(versionId, new Date(), { unitId: desk.centreId, deskId: desk.deskId, serviceArea: 'dat-dai' }, [
      { key: 'overall', kind: 'scale', value: 4 },
    ]),
  ]);
  const before = await storedAggregates(db);
  const bad = storeResponses(db, [
    {
      submissionId: randomUUID(),
      payloadHash: 'x',
      surveyVersionId: versionId,
      unitId: desk.centreId,
      deskId: desk.deskId,
      serviceArea: 'dat-dai',
      channel: 'api',
      locale: 'vi',
      // The response row and the overall answer go in first; the comment breaks a check.
      answers: [
        { key: 'overall', kind: 'scale', value: 4 },
        { key: 'comment', kind: 'text', value: 'x'.repeat(2001) },
      ],
    },
  ]);
  await t.rejects(bad, /check constraint/);
  t.strictSame(await storedAggregates(db), before, 'no count from the rolled-back response');
  t.strictSame(before, await rawAggregates(db));
});

t.test('20 parallel submits to one desk give exact counts; replays add nothing', async (t) => {
  const { db, url } = await testDatabase(t);
  const wide = connect({ url, poolMax: 20 });
  t.teardown(() => wide.destroy());
  const desk = await createDesk(db, ['ho-tich']);
  const submit = (i: number, submissionId: string) =>
    submitResponse(wide, {
      deskCode: desk.code,
      serviceArea: undefined,
      answers: {
        ...{ access: '4', procedure: '4', result: '3', feedback: 'na' },
        ...{ overall: String((i % 5) + 1), staff: i % 2 ? '5' : 'na', comment: 'Cảm ơn' },
      },
      submissionId,
      channel: 'kiosk',
      locale: 'vi',
      source: 'form',
    });
  const submissionIds = Array.from({ length: 20 }, () => randomUUID());
  const results = await Promise.all(submissionIds.map((id, i) => submit(i, id)));
  t.same(
    results.map((r) => r.status),
    Array(20).fill('created'),
  );
  const replays = await Promise.all(submissionIds.slice(0, 5).map((id, i) => submit(i, id)));
  t.same(
    replays.map((r) => r.status),
    Array(5).fill('replayed'),
  );
  const stored = await storedAggregates(db);
  t.match(stored.responses, [{ desk_id: desk.deskId, channel: 'kiosk', suspect: false, n: 20 }]);
  const n = (key: string, value: string) => stored.answers.find((r) => r.indicator_key === key && r.value === value)?.n;
  t.same(
    [1, 2, 3, 4, 5].map((v) => n('overall', String(v))),
    [4, 4, 4, 4, 4],
  );
  t.same([n('staff', '5'), n('staff', 'na'), n('comment', '_text')], [10, 10, 20]);
  t.strictSame(stored, await rawAggregates(db));
});
