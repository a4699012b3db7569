import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import t from 'tap';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import {
  type AggregateQuery,
  itemCounts,
  monthlyItemCounts,
  rebuildAggregates,
  responseCounts,
  splitPeriod,
  unitsUnder,
} from '../server/features/reports/aggregate-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import {
  answersArb,
  bulkRow,
  quickVersionId,
  rawMonthly,
  responseIds,
  storedMonthly,
} from './helpers/aggregate-data.ts';
import { createCentre } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';

// Reports read whole local months from scale_monthly/response_monthly and the
// days outside them from the daily tables, grouped by the scope's direct
// child: whatever the period, the counts are those of the raw rows of its days.

t.test('splitPeriod: whole months, and the edge days around them', async (t) => {
  t.same(splitPeriod('2026-01-01', '2026-12-31'), {
    months: { from: '2026-01-01', toExclusive: '2027-01-01' },
    days: [],
  });
  t.same(splitPeriod('2026-01-15', '2026-03-10'), {
    months: { from: '2026-02-01', toExclusive: '2026-03-01' },
    days: [
      { from: '2026-01-15', to: '2026-01-31' },
      { from: '2026-03-01', to: '2026-03-10' },
    ],
  });
  t.same(splitPeriod('2026-02-03', '2026-02-20'), { days: [{ from: '2026-02-03', to: '2026-02-20' }] });
  t.same(splitPeriod('2026-01-31', '2026-02-01'), { days: [{ from: '2026-01-31', to: '2026-02-01' }] });
  t.same(splitPeriod('2028-02-01', '2028-02-29'), {
    months: { from: '2028-02-01', toExclusive: '2028-03-01' },
    days: [],
  });
  t.same(splitPeriod('2025-12-02', '2026-01-31'), {
    months: { from: '2026-01-01', toExclusive: '2026-02-01' },
    days: [{ from: '2025-12-02', to: '2025-12-31' }],
  });
  t.same(splitPeriod('2026-03-05', '2026-03-01'), { days: [{ from: '2026-03-05', to: '2026-03-01' }] }, 'empty');
});

interface Tree {
  provinceId: number;
  provincePath: string;
  communes: { id: number; path: string; centreId: number }[];
}

async function tree(db: Db): Promise<Tree> {
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
  const path = async (id: number) =>
    (await db.selectFrom('unit').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
  return {
    provinceId: a.provinceId,
    provincePath: await path(a.provinceId),
    communes: [
      { id: a.communeId, path: await path(a.communeId), centreId: a.centreId },
      { id: bCommune, path: await path(bCommune), centreId: bCentre },
    ],
  };
}

/** Scale answers of the raw rows in a period, by the scope's direct child (or the scope), area, key and value. */
async function rawItems(db: Db, q: AggregateQuery) {
  const { rows } = await sql<{ path: string; area: string; key: string; value: string; n: number }>`
    select u.path, r.service_area_code as area, a.indicator_key as key, a.value_num::text as value, count(*)::int as n
      from answer a join response r on r.id = a.response_id join unit u on u.id = r.unit_id
     where a.value_num is not null and u.path like ${`${q.scopePath}%`}
       and (r.submitted_at at time zone 'Asia/Ho_Chi_Minh')::date between ${q.from} and ${q.to}
       and (${q.includeSuspect ?? false} or not r.suspect)
     group by 1, 2, 3, 4`.execute(db);
  const out = new Map<string, number>();
  for (const r of rows) {
    const k = `${childPath(q.scopePath, r.path)}|${r.area}|${r.key}|${r.value}`;
    out.set(k, (out.get(k) ?? 0) + r.n);
  }
  return out;
}

async function rawResponses(db: Db, q: AggregateQuery) {
  const { rows } = await sql<{ path: string; area: string; channel: string; suspect: boolean; n: number }>`
    select u.path, r.service_area_code as area, r.channel, r.suspect, count(*)::int as n
      from response r join unit u on u.id = r.unit_id
     where u.path like ${`${q.scopePath}%`}
       and (r.submitted_at at time zone 'Asia/Ho_Chi_Minh')::date between ${q.from} and ${q.to}
     group by 1, 2, 3, 4`.execute(db);
  const out = new Map<string, number>();
  for (const r of rows) {
    const k = `${childPath(q.scopePath, r.path)}|${r.area}|${r.channel}|${r.suspect}`;
    out.set(k, (out.get(k) ?? 0) + r.n);
  }
  return out;
}

function childPath(scope: string, path: string): string {
  if (path === scope) return scope;
  const rest = path.slice(scope.length);
  return scope + rest.slice(0, rest.indexOf('/') + 1);
}

async function reported(db: Db, q: AggregateQuery) {
  const items = new Map(
    (await itemCounts(db, q)).map((r) => [`${r.unitPath}|${r.serviceAreaCode}|${r.indicatorKey}|${r.value}`, r.n]),
  );
  const responses = new Map(
    (await responseCounts(db, q)).map((r) => [`${r.unitPath}|${r.serviceAreaCode}|${r.channel}|${r.suspect}`, r.n]),
  );
  return { items, responses };
}

t.test('any period, whole months or not, gives the counts of the raw rows of its days', async (t) => {
  const { db } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const { provinceId, provincePath, communes } = await tree(db);
  // 2025-12-20 to 2026-04-20 local, with many answers near local midnight.
  const start = Date.UTC(2025, 11, 19, 17);
  const rows = fc.sample(
    fc.record({
      day: fc.nat(121),
      minute: fc.oneof(fc.integer({ min: 0, max: 1439 }), fc.constantFrom(0, 1, 1438, 1439)),
      where: fc.nat(4),
      area: fc.constantFrom('dat-dai', 'ho-tich'),
      channel: fc.constantFrom('qr' as const, 'paper' as const),
      answers: answersArb,
    }),
    { numRuns: 1200, seed: 8 },
  );
  await insertResponsesBulk(
    db,
    rows.map((r) => {
      // 0-1: the centres, 2-3: the communes themselves, 4: the province itself.
      const unitId = r.where === 4 ? provinceId : r.where < 2 ? communes[r.where]!.centreId : communes[r.where - 2]!.id;
      const at = new Date(start + r.day * 86_400_000 + r.minute * 60_000);
      return bulkRow(versionId, at, { unitId, deskId: null, serviceArea: r.area }, r.answers, r.channel);
    }),
  );
  const ids = await responseIds(db);
  await db
    .updateTable('response')
    .set({ suspect: true, suspect_reason: 'test' })
    .where(
      'id',
      'in',
      ids.filter((_, i) => i % 9 === 0),
    )
    .execute();
  t.strictSame(await storedMonthly(db), await rawMonthly(db), 'the monthly tables equal the raw rows');

  const fixed: [string, string][] = [
    ['2026-01-15', '2026-03-10'],
    ['2026-01-01', '2026-03-31'],
    ['2026-02-01', '2026-02-28'],
    ['2026-02-03', '2026-02-20'],
    ['2026-01-31', '2026-02-01'],
    ['2025-12-31', '2026-01-01'],
    ['2025-12-01', '2026-04-30'],
    ['2026-03-31', '2026-03-31'],
  ];
  const day = (n: number) => new Date(Date.UTC(2025, 11, 15) + n * 86_400_000).toISOString().slice(0, 10);
  const random = fc
    .sample(fc.tuple(fc.nat(135), fc.nat(135)), { numRuns: 12, seed: 3 })
    .map(([a, b]): [string, string] => [day(Math.min(a, b)), day(Math.max(a, b))]);
  const scopes = [provincePath, communes[0]!.path, communes[1]!.path];
  let compared = 0;
  for (const [from, to] of [...fixed, ...random]) {
    for (const scopePath of scopes) {
      for (const extra of [{}, { includeSuspect: true }, { serviceArea: 'ho-tich' }]) {
        const q: AggregateQuery = { scopePath, from, to, ...extra };
        const got = await reported(db, q);
        const items = await rawItems(db, q);
        const responses = await rawResponses(db, q);
        if ('serviceArea' in extra) {
          for (const k of [...items.keys()]) if (!k.includes('|ho-tich|')) items.delete(k);
          for (const k of [...responses.keys()]) if (!k.includes('|ho-tich|')) responses.delete(k);
        }
        t.strictSame(got.items, items, `items ${scopePath} ${from}..${to} ${JSON.stringify(extra)}`);
        t.strictSame(got.responses, responses, `responses ${scopePath} ${from}..${to} ${JSON.stringify(extra)}`);
        compared += [...items.values()].reduce((s, n) => s + n, 0);
      }
    }
  }
  t.ok(compared > 50_000, `${compared} scores compared`);

  // The trend: one key by month, edge months cut at the period's days.
  const q = { scopePath: provincePath, from: '2026-01-15', to: '2026-03-10', indicatorKey: 'overall' };
  const { rows: raw } = await sql<{ month: string; value: string; n: number }>`
    select to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM') as month, a.value_num::text as value,
           count(*)::int as n
      from answer a join response r on r.id = a.response_id
     where a.indicator_key = 'overall' and not r.suspect
       and (r.submitted_at at time zone 'Asia/Ho_Chi_Minh')::date between '2026-01-15' and '2026-03-10'
     group by 1, 2 order by 1, 2`.execute(db);
  t.strictSame(await monthlyItemCounts(db, q), raw, 'monthly trend counts, edge months cut');
  t.same([...new Set(raw.map((r) => r.month))], ['2026-01', '2026-02', '2026-03']);

  // After a rebuild, the same.
  await sql`truncate scale_monthly, response_monthly`.execute(db);
  await rebuildAggregates(db);
  t.strictSame(await storedMonthly(db), await rawMonthly(db), 'rebuilt from the raw rows');
  const after = await reported(db, { scopePath: provincePath, from: '2026-01-15', to: '2026-03-10' });
  t.strictSame(after.items, await rawItems(db, { scopePath: provincePath, from: '2026-01-15', to: '2026-03-10' }));
  t.ok((await unitsUnder(db, provinceId))!.children.length === 2);
});

t.test('rows come grouped by the scope direct child, or the scope itself', async (t) => {
  const { db } = await testDatabase(t);
  const versionId = await quickVersionId(db);
  const { provinceId, provincePath, communes } = await tree(db);
  const at = new Date('2026-02-10T03:00:00Z');
  const overall = (value: number) => [{ key: 'overall', kind: 'scale' as const, value }];
  const where = (unitId: number) => ({ unitId, deskId: null, serviceArea: 'dat-dai' });
  await insertResponsesBulk(db, [
    bulkRow(versionId, at, where(communes[0]!.centreId), overall(5)),
    bulkRow(versionId, at, where(communes[0]!.centreId), overall(5)),
    bulkRow(versionId, at, where(communes[0]!.id), overall(5)),
    bulkRow(versionId, at, where(communes[1]!.centreId), overall(3)),
    bulkRow(versionId, at, where(provinceId), overall(4)),
  ]);
  const year = { from: '2026-01-01', to: '2026-12-31' };
  t.same(
    (await itemCounts(db, { scopePath: provincePath, ...year })).map(({ unitId, unitPath, value, n }) => ({
      unitId,
      unitPath,
      value,
      n,
    })),
    [
      { unitId: provinceId, unitPath: provincePath, value: '4', n: 1 },
      { unitId: communes[0]!.id, unitPath: communes[0]!.path, value: '5', n: 3 },
      { unitId: communes[1]!.id, unitPath: communes[1]!.path, value: '3', n: 1 },
    ],
    'a commune and its centre pool into one row; the province own response stays its own',
  );
  t.same(
    (await responseCounts(db, { scopePath: provincePath, ...year })).map((r) => [r.unitId, r.n]),
    [
      [provinceId, 1],
      [communes[0]!.id, 3],
      [communes[1]!.id, 1],
    ],
  );
  t.same(
    (await itemCounts(db, { scopePath: communes[0]!.path, ...year })).map((r) => [r.unitId, r.unitPath, r.n]),
    [
      [communes[0]!.id, communes[0]!.path, 1],
      [communes[0]!.centreId, `${communes[0]!.path}${communes[0]!.centreId}/`, 2],
    ],
    'under a commune, its centre is the child',
  );

  // Flagging moves the month's counts out of the report, clearing brings them back.
  const [first] = await responseIds(db);
  await db.updateTable('response').set({ suspect: true, suspect_reason: 'test' }).where('id', '=', first!).execute();
  const total = async () => (await itemCounts(db, { scopePath: provincePath, ...year })).reduce((s, r) => s + r.n, 0);
  t.equal(await total(), 4, 'flagged: left out');
  t.strictSame(await storedMonthly(db), await rawMonthly(db));
  await db.updateTable('response').set({ suspect: false, suspect_reason: null }).where('id', '=', first!).execute();
  t.equal(await total(), 5, 'cleared: counted again');
  const monthly = await storedMonthly(db);
  t.strictSame(monthly, await rawMonthly(db));
  t.notOk(
    monthly.scales.some((r) => r.suspect),
    'no zero cell left behind',
  );
});
