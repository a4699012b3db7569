import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import t from 'tap';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import {
  type AggregateQuery,
  itemCounts,
  itemCountsQuery,
  monthlyItemCounts,
  responseCounts,
  unitsUnder,
  wordingChangedKeys,
} from '../server/features/reports/aggregate-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Answer } from '../surveys/answers.ts';
import { answersArb, bulkRow, quickVersionId, responseIds, YEAR_START } from './helpers/aggregate-data.ts';
import { createCentre, createDesk } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';

// The counts a report asks for, read from the daily aggregates: by scope,
// inclusive local period, service area and suspect flag, scale answers only;
// and the query plan of a commune-year report, which never reads raw rows.

t.test('report queries: scope, inclusive period, service area, suspect responses, scale answers only', async (t) => {
  const { db } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const a = await createCentre(db, 'Xã An');
  const bCommune = await insertUnit(db, {
    code: `c-b-${randomUUID().slice(0, 6)}`,
    name: 'Xã Bình',
    kind: 'commune',
    parent_id: a.provinceId,
  });
  const bCentre = await insertUnit(db, {
    code: `tt-b-${randomUUID().slice(0, 6)}`,
    name: 'Trung tâm Bình',
    kind: 'centre',
    parent_id: bCommune,
  });
  const inA = (serviceArea: string) => ({ unitId: a.centreId, deskId: null, serviceArea });
  const overall = (value: number, more: Answer[] = []): Answer[] => [{ key: 'overall', kind: 'scale', value }, ...more];
  const local = (day: string) => new Date(`${day}T09:00:00+07:00`);
  await insertResponsesBulk(db, [
    bulkRow(
      versionId,
      local('2026-02-01'),
      inA('dat-dai'),
      overall(5, [
        { key: 'trips', kind: 'option', value: '1' },
        { key: 'access', kind: 'na' },
        { key: 'comment', kind: 'text', value: 'Nhanh' },
      ]),
      'qr',
    ),
    bulkRow(versionId, local('2026-02-28'), inA('ho-tich'), overall(2)),
    bulkRow(versionId, local('2026-03-01'), inA('dat-dai'), overall(4)),
    bulkRow(versionId, local('2026-02-12'), { unitId: bCentre, deskId: null, serviceArea: 'y-te' }, overall(3)),
    bulkRow(versionId, local('2026-02-15'), inA('dat-dai'), overall(1), 'qr'),
  ]);
  const last = (await responseIds(db)).at(-1)!;
  await db.updateTable('response').set({ suspect: true, suspect_reason: 'test' }).where('id', '=', last).execute();

  const tree = (await unitsUnder(db, a.provinceId))!;
  t.equal(tree.scope.id, a.provinceId);
  t.same(
    tree.children.map((c) => c.name),
    ['Xã An', 'Xã Bình'],
    'the direct children, by name',
  );
  const communeA = (await unitsUnder(db, a.communeId))!;
  t.same(
    communeA.children.map((c) => c.id),
    [a.centreId],
  );
  t.equal(await unitsUnder(db, 987654), undefined);

  const feb: AggregateQuery = { scopePath: communeA.scope.path, from: '2026-02-01', to: '2026-02-28' };
  const row = (unitId: number, serviceAreaCode: string, value: string, n = 1) => ({
    unitId,
    serviceAreaCode,
    indicatorKey: 'overall',
    value,
    n,
  });
  const strip = <T extends { unitPath: string }>(rows: T[]) => rows.map(({ unitPath: _, ...r }) => r);
  t.same(
    strip(await itemCounts(db, feb)),
    [row(a.centreId, 'dat-dai', '5'), row(a.centreId, 'ho-tich', '2')],
    'both ends of the period, no trips option "1", no "na", no comment, no suspect response, not commune B',
  );
  t.same(strip(await itemCounts(db, { ...feb, serviceArea: 'dat-dai' })), [row(a.centreId, 'dat-dai', '5')]);
  t.same(strip(await itemCounts(db, { ...feb, includeSuspect: true, serviceArea: 'dat-dai' })), [
    row(a.centreId, 'dat-dai', '1'),
    row(a.centreId, 'dat-dai', '5'),
  ]);
  const province = { ...feb, scopePath: tree.scope.path };
  t.same(
    strip(await itemCounts(db, province)).map((r) => r.value),
    ['5', '2', '3'],
    'the province reaches commune B',
  );
  t.ok(
    (await itemCounts(db, province)).every((r) => r.unitPath.startsWith(tree.scope.path)),
    'rows carry their unit path',
  );

  t.same(
    strip(await responseCounts(db, feb)),
    [
      { unitId: a.centreId, serviceAreaCode: 'dat-dai', channel: 'qr', suspect: false, n: 1 },
      { unitId: a.centreId, serviceAreaCode: 'dat-dai', channel: 'qr', suspect: true, n: 1 },
      { unitId: a.centreId, serviceAreaCode: 'ho-tich', channel: 'paper', suspect: false, n: 1 },
    ],
    'suspect responses are counted apart, for the report to say how many it left out',
  );

  t.same(await monthlyItemCounts(db, { ...province, to: '2026-03-31', indicatorKey: 'overall' }), [
    { month: '2026-02', value: '2', n: 1 },
    { month: '2026-02', value: '3', n: 1 },
    { month: '2026-02', value: '5', n: 1 },
    { month: '2026-03', value: '4', n: 1 },
  ]);
  t.same(await monthlyItemCounts(db, { ...province, indicatorKey: 'trips' }), [], 'a choice is not a score');

  // A re-worded version answered in April only.
  const v1 = await db.selectFrom('survey_version').selectAll().where('id', '=', versionId).executeTakeFirstOrThrow();
  const v2 = await db
    .insertInto('survey_version')
    .values({
      survey_id: v1.survey_id,
      version: v1.version + 1,
      definition: JSON.stringify(v1.definition),
      wording_changed_keys: ['staff', 'overall'],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await insertResponsesBulk(db, [bulkRow(v2.id, local('2026-04-02'), inA('dat-dai'), overall(4))]);
  t.same(await wordingChangedKeys(db, feb), []);
  t.same(await wordingChangedKeys(db, { ...feb, from: '2026-01-01', to: '2026-04-30' }), ['overall', 'staff']);
  t.same(
    strip(await itemCounts(db, { ...feb, from: '2026-04-01', to: '2026-04-30' })),
    [row(a.centreId, 'dat-dai', '4')],
    'a new version counts under the same key',
  );
});

t.test('a commune-year report reads scale_monthly, not answer_daily, answer or response', async (t) => {
  const { db } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const desks = [await createDesk(db, ['dat-dai', 'ho-tich']), await createDesk(db, ['y-te'])];
  const answers = fc.sample(answersArb, { numRuns: 3000, seed: 2026 });
  await insertResponsesBulk(
    db,
    answers.map((a, i) => {
      const d = desks[i % 2]!;
      const where = {
        unitId: d.centreId,
        deskId: d.deskId,
        serviceArea: i % 2 ? 'y-te' : i % 4 ? 'dat-dai' : 'ho-tich',
      };
      return bulkRow(versionId, new Date(YEAR_START + ((i * 365) / 3000) * 86_400_000 + 3_600_000), where, a, 'qr');
    }),
  );
  await sql`analyze`.execute(db);
  const scopePath = (await unitsUnder(db, desks[0]!.communeId))!.scope.path;
  const q = { scopePath, from: '2026-01-01', to: '2026-12-31' };
  const relationsOf = async (query: AggregateQuery) => {
    const { rows } = await sql<{ 'QUERY PLAN': unknown }>`explain (format json) ${itemCountsQuery(query)}`.execute(db);
    const relations = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'Relation Name') relations.add(String(v));
          else walk(v);
        }
      }
    };
    walk(rows[0]?.['QUERY PLAN']);
    return relations;
  };
  const year = await relationsOf(q);
  t.ok(year.has('scale_monthly'), `a year of whole months reads scale_monthly (${[...year].join(', ')})`);
  t.notOk(year.has('answer_daily'), 'and no daily rows');
  t.notOk(year.has('answer') || year.has('response'), 'no raw answers or responses are read');
  const edges = await relationsOf({ ...q, from: '2026-01-15', to: '2026-03-10' });
  t.ok(
    edges.has('scale_monthly') && edges.has('answer_daily'),
    `15 January to 10 March: February from scale_monthly, the edge days from answer_daily (${[...edges].join(', ')})`,
  );
  t.notOk(edges.has('answer') || edges.has('response'));
  const days = await relationsOf({ ...q, from: '2026-02-03', to: '2026-02-20' });
  t.notOk(days.has('scale_monthly'), 'a period inside one month reads only days');

  const counts = await itemCounts(db, q);
  const scores = answers.filter((_, i) => i % 2 === 0).flatMap((a) => a.filter((x) => x.kind === 'scale'));
  t.equal(
    counts.reduce((s, r) => s + r.n, 0),
    scores.length,
    'every score of the commune, each once',
  );
});
