import { sql } from 'kysely';
import t from 'tap';
import { CLI_ACTOR } from '../server/features/access/account-service.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { seedDemo } from '../server/features/demo/demo.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import {
  applyLineage,
  lineageNotes,
  previewLineage,
  unitTreeAt,
} from '../server/features/organisation/unit-lineage-service.ts';
import { findUnitId } from '../server/features/organisation/unit-repository.ts';
import { buildSatisfactionReport, buildTrendReport } from '../server/features/reports/report-service.ts';
import { insertTarget } from '../server/features/targets/target-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { lineageCli as cli } from './helpers/lineage-cli.ts';
import { staffClient } from './helpers/staff.ts';

// Units that merge, split, rename and move (issue 17): history follows a unit
// wherever its row sits in the tree, old posters still lead to a survey, and
// every change is previewed before it is made.

const NOW = new Date('2026-12-04T05:00:00Z');
const Q4 = { from: '2026-10-01', to: '2026-12-31' };

const id = async (db: Db, code: string) => (await findUnitId(db, code))!;
const pathOf = async (db: Db, unitId: number) =>
  (await db.selectFrom('unit').select('path').where('id', '=', unitId).executeTakeFirstOrThrow()).path;

/** Non-suspect responses of the units under a commune (by code) in Q4, counted from the raw table. */
async function rawCount(db: Db, codes: string[]): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from response r join unit u on u.id = r.unit_id
     where not r.suspect
       and exists (select 1 from unit c where c.code = any(${codes}) and u.path like c.path || '%')
       and (r.submitted_at at time zone 'Asia/Ho_Chi_Minh')::date between ${Q4.from}::date and ${Q4.to}::date`.execute(
    db,
  );
  return rows[0]!.n;
}

const total = (channels: Record<string, number>) => Object.values(channels).reduce((s, n) => s + n, 0);

t.test('two demo wards merged into a third: its report counts all three once, across the date', async (t) => {
  const { app, db } = await testApp(t);
  await seedDemo(db, { now: NOW });
  const [a, b, c] = ['hoi-an', 'hoi-an-tay', 'hoi-an-dong'];
  const ids = { a: await id(db, a), b: await id(db, b), c: await id(db, c) };
  const before = await Promise.all(
    [ids.a, ids.b, ids.c].map((unitId) => buildSatisfactionReport(db, CLI_ACTOR, { unitId, ...Q4 })),
  );
  const expected = await rawCount(db, [a, b, c]);
  t.equal(
    before.reduce((s, r) => s + total(r!.channels), 0),
    expected,
    'the three reports add up to the raw count',
  );

  const merged = await applyLineage(
    db,
    CLI_ACTOR,
    { kind: 'merge', into: c, from: [a, b], on: '2026-10-15', carryTargets: true, moveAccounts: false },
    NOW,
  );
  t.ok(merged.ok, `the merge is applied ${merged.ok ? '' : JSON.stringify(merged.errors)}`);

  const after = await buildSatisfactionReport(db, CLI_ACTOR, { unitId: ids.c, ...Q4 });
  t.equal(total(after!.channels), expected, "the successor's quarter counts every response of the three once");
  t.equal(
    after!.overall.n,
    before.reduce((s, r) => s + r!.overall.n, 0),
    'and every overall answer once',
  );
  const own = await buildSatisfactionReport(db, CLI_ACTOR, { unitId: ids.a, ...Q4 });
  t.equal(total(own!.channels), total(before[0]!.channels), "A's own report still covers its own days");

  const trend = await buildTrendReport(db, CLI_ACTOR, {
    unitId: ids.c,
    from: '2026-09-01',
    to: '2026-11-30',
    interval: 'month',
  });
  const n = (p: string) => trend!.points.find((x) => x.period === p)?.overall.n ?? 0;
  t.ok(n('2026-09') > 0 && n('2026-11') > 0, 'the trend runs across the effective date');

  const units = await db
    .selectFrom('unit')
    .select(['id', 'parent_id', 'active'])
    .where('id', 'in', [ids.a, ids.b])
    .execute();
  t.ok(
    units.every((u) => u.parent_id === ids.c && !u.active),
    'A and B sit under C, retired',
  );
  const desk = await db.selectFrom('desk').select('unit_id').where('code', '=', 'hoi-an-q1').executeTakeFirstOrThrow();
  t.equal(desk.unit_id, await id(db, 'hoi-an-dong-tt'), "A's desk now belongs to C's centre");
  const page = await app.inject({ method: 'GET', url: '/q/hoi-an-q1' });
  t.equal(page.statusCode, 200, "an old poster of A's still serves a survey");
  const carried = await db.selectFrom('plan_target').select('valid_from').where('unit_id', '=', ids.c).execute();
  t.ok(carried.length > 0, 'targets were carried over to C');

  const notes = await lineageNotes(db, ids.c);
  t.match(notes, [/Gồm số liệu của Phường Hội An, Phường Hội An Tây trước ngày 15\/10\/2026/]);
  t.same(await lineageNotes(db, await id(db, 'da-nang')), [], 'the city held them already: nothing to say');
  const admin = await staffClient(app, db, { role: 'admin' });
  const dashboard = await admin.get(`/staff/reports?unitId=${ids.c}&period=custom&from=01/10/2026&to=31/12/2026`);
  t.equal(dashboard.statusCode, 200);
  t.match(dashboard.body, 'Gồm số liệu của Phường Hội An', 'the dashboard says so');

  // The tree before the merge: A and B back under the city, active.
  const past = await unitTreeAt(db, CLI_ACTOR, '2026-10-14');
  const aThen = past.find((u) => u.id === ids.a)!;
  t.equal(aThen.parentId, await id(db, 'da-nang'), 'on 14/10/2026 A was under the city');
  t.ok(aThen.active, 'and active');
  const treePage = await admin.get('/staff/units?at=14/10/2026');
  t.equal(treePage.statusCode, 200);
  t.match(treePage.body, 'Cây đơn vị tại ngày 14/10/2026');
});

t.test('a province merger moves a commune: paths follow, and so does every scope', async (t) => {
  const { app, db } = await testApp(t);
  const one = await createCentre(db, 'Xã Một');
  const two = await createCentre(db, 'Xã Hai');
  const oldOfficial = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, one.provinceId) });
  const newOfficial = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, two.provinceId) });
  t.equal((await oldOfficial.get(`/staff/units/${one.communeId}`)).statusCode, 200);
  t.equal((await newOfficial.get(`/staff/units/${one.communeId}`)).statusCode, 404);

  const res = await cli(db, [
    'move',
    await unitCode(db, one.communeId),
    '--to',
    await unitCode(db, two.provinceId),
    '--on',
    '2025-07-01',
  ]);
  t.equal(res.code, 0, res.err);
  const provincePath = await pathOf(db, two.provinceId);
  t.equal(await pathOf(db, one.communeId), `${provincePath}${one.communeId}/`, "the commune's path changed");
  t.equal(await pathOf(db, one.centreId), `${provincePath}${one.communeId}/${one.centreId}/`, "so did its centre's");
  t.equal(
    (await oldOfficial.get(`/staff/units/${one.communeId}`)).statusCode,
    404,
    'the old province no longer reaches it',
  );
  t.equal((await newOfficial.get(`/staff/units/${one.communeId}`)).statusCode, 200, 'the new province does');

  const cycle = await cli(db, [
    'move',
    await unitCode(db, two.provinceId),
    '--to',
    await unitCode(db, one.centreId),
    '--on',
    '2025-07-01',
  ]);
  t.equal(cycle.code, 1, 'a move under its own subtree is refused');
  await t.rejects(
    db.updateTable('unit').set({ parent_id: one.centreId }).where('id', '=', two.provinceId).execute(),
    /cannot move under itself/,
    'the database refuses a cycle itself',
  );
  t.equal((await cli(db, ['move', 'x'])).code, 2, 'a usage error exits 2');
});

t.test('the preview lists desks, targets, users and keys, and changes nothing', async (t) => {
  const { app, db } = await testApp(t);
  const a = await createCentre(db, 'Xã An');
  const c = await createCentre(db, 'Xã Chung');
  await insertDesk(db, { unitId: c.centreId, code: 'chung-q1', name: 'Quầy Chung', serviceAreas: ['ho-tich'] });
  await insertDesk(db, { unitId: a.centreId, code: 'an-q1', name: 'Quầy An 1', serviceAreas: ['ho-tich'] });
  await insertDesk(db, { unitId: a.centreId, code: 'an-q2', name: 'Quầy An 2', serviceAreas: ['dat-dai'] });
  const aCode = await unitCode(db, a.communeId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: aCode, email: 'quan-ly-an@example.gov.vn' });
  await createApiKey(db, { unitCode: aCode, role: 'submit', label: 'khóa xã An' });
  await insertTarget(
    db,
    {
      unitId: a.communeId,
      serviceAreaCode: null,
      metric: 'satisfaction_rate',
      factorKey: null,
      comparison: 'gte',
      threshold: 0.9,
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      sourcePlan: 'Kế hoạch 12/KH-UBND',
      sourceClause: null,
    },
    null,
  );
  const snapshot = async () => ({
    units: await db.selectFrom('unit').select(['id', 'parent_id', 'active', 'name', 'path']).orderBy('id').execute(),
    desks: await db.selectFrom('desk').select(['id', 'unit_id', 'active']).orderBy('id').execute(),
    targets: await db.selectFrom('plan_target').select('id').execute(),
    users: await db.selectFrom('app_user').select(['id', 'unit_id']).orderBy('id').execute(),
    keys: await db.selectFrom('api_key').select(['id', 'unit_id']).orderBy('id').execute(),
  });
  const admin = await staffClient(app, db, { role: 'admin' });
  const official = await staffClient(app, db, { role: 'official', unitCode: aCode });
  const before = await snapshot();
  t.equal((await admin.get('/staff/units/reorganise')).statusCode, 200);
  t.equal((await manager.get('/staff/units/reorganise')).statusCode, 403, 'a manager may not reorganise');
  t.equal((await official.get('/staff/units/reorganise')).statusCode, 403, 'nor an official');
  const fields = {
    kind: 'merge',
    into: await unitCode(db, c.communeId),
    from: aCode,
    on: '01/07/2025',
    retireDesks: 'an-q2',
    carryTargets: '1',
  };
  const preview = await admin.post('/staff/units/reorganise', fields);
  t.equal(preview.statusCode, 200);
  for (const shown of [
    'an-q1',
    'an-q2',
    'chung-q1',
    'quan-ly-an@example.gov.vn',
    'khóa xã An',
    'Kế hoạch 12/KH-UBND',
    'Xác nhận',
  ]) {
    t.match(preview.body, shown, `the preview shows ${shown}`);
  }
  t.same(await snapshot(), before, 'the preview changed nothing');
  const dry = await cli(db, ['merge', '--into', fields.into, '--from', aCode, '--on', '2025-07-01', '--dry-run']);
  t.equal(dry.code, 0);
  t.match(dry.out, 'an-q1');
  t.same(await snapshot(), before, 'nor did --dry-run');

  const applied = await admin.post('/staff/units/reorganise', { ...fields, step: 'apply' });
  t.equal(applied.statusCode, 200);
  const retired = await app.inject({ method: 'GET', url: '/q/an-q2?lang=vi' });
  t.equal(retired.statusCode, 302, "a retired desk's poster leads on");
  t.equal(retired.headers.location, '/q/chung-q1?lang=vi');
  t.equal((await app.inject({ method: 'GET', url: '/q/an-q1' })).statusCode, 200);
  const audit = await db.selectFrom('audit_event').select('action').where('action', '=', 'unit.merge').execute();
  t.ok(audit.length >= 2, 'the merge is audited');
  const event = await sql<{ kind: string }>`select kind from unit_event`.execute(db);
  t.same(event.rows, [{ kind: 'merge' }]);
});

t.test('rename and split', async (t) => {
  const { db } = await testApp(t);
  const p = await createCentre(db, 'Xã Cũ');
  const s1 = await createCentre(db, 'Xã Mới Một');
  const s2 = await createCentre(db, 'Xã Mới Hai');
  await insertDesk(db, { unitId: p.centreId, code: 'cu-q1', name: 'Quầy 1', serviceAreas: ['ho-tich'] });
  await insertDesk(db, { unitId: p.centreId, code: 'cu-q2', name: 'Quầy 2', serviceAreas: ['dat-dai'] });
  const [pc, c1, c2] = [
    await unitCode(db, p.communeId),
    await unitCode(db, s1.communeId),
    await unitCode(db, s2.communeId),
  ];

  const renamed = await cli(db, ['rename', c1, '--name', 'Xã Hòa Bình', '--on', '2025-07-01']);
  t.equal(renamed.code, 0, renamed.err);
  const name = await db.selectFrom('unit').select('name').where('id', '=', s1.communeId).executeTakeFirstOrThrow();
  t.equal(name.name, 'Xã Hòa Bình');
  const past = await unitTreeAt(db, CLI_ACTOR, '2025-06-30');
  t.equal(past.find((u) => u.id === s1.communeId)?.name, 'Xã Mới Một', 'the old name on a day before');

  const preview = await previewLineage(db, CLI_ACTOR, {
    kind: 'split',
    from: pc,
    into: [c1, c2],
    on: '2025-07-01',
    desks: { 'cu-q9': c2 },
  });
  t.notOk(preview.ok, 'a desk that is not the unit’s is refused');
  const split = await cli(db, [
    'split',
    '--from',
    pc,
    '--into',
    `${c1},${c2}`,
    '--on',
    '2025-07-01',
    '--desk',
    `cu-q2=${c2}`,
  ]);
  t.equal(split.code, 0, split.err);
  const desks = await db
    .selectFrom('desk')
    .select(['code', 'unit_id'])
    .where('code', 'like', 'cu-%')
    .orderBy('code')
    .execute();
  t.same(desks, [
    { code: 'cu-q1', unit_id: s1.centreId },
    { code: 'cu-q2', unit_id: s2.centreId },
  ]);
  const old = await db.selectFrom('unit').select('active').where('id', '=', p.communeId).executeTakeFirstOrThrow();
  t.equal(old.active, false, 'the split unit is retired in place');
  t.match(await lineageNotes(db, s2.communeId), [/Trước ngày 01\/07\/2025, số liệu thuộc Xã Cũ/]);
  const before = await unitTreeAt(db, CLI_ACTOR, '2025-06-30');
  t.ok(before.find((u) => u.id === p.communeId)?.active, 'active again in the tree at a date before');
});
