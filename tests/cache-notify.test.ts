import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { buildApp } from '../server/app.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { connect } from '../server/platform/db/connect.ts';
import { createCentre, deskSubmitHeaders } from './helpers/fixtures.ts';
import { testConfig, testDatabase } from './helpers/harness.ts';

// Two server processes on one database (here two apps, each with its own
// pool and its own copies in memory, as two nodes have): a change made
// anywhere, here straight in SQL as the CLI or an operator would, is seen by
// both within a second (issue 19), not when their copies expire (30 s).

async function node(t: Test, url: string) {
  const db = connect({ url, poolMax: 3 });
  const app = await buildApp({ config: testConfig({ databaseUrl: url }), db, changesFrom: url });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  return app;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
}

t.test('a desk closed or a key revoked elsewhere is seen by every node within a second', async (t) => {
  const { db, url } = await testDatabase(t);
  const centre = await createCentre(db, 'Xã Hai Nút');
  const deskCode = `q-${centre.centreId}`;
  await insertDesk(db, { unitId: centre.centreId, code: deskCode, name: 'Quầy 1', serviceAreas: ['ho-tich'] });
  const headers = await deskSubmitHeaders(db, deskCode);
  const [a, b] = [await node(t, url), await node(t, url)];
  const page = async (app: typeof a) => (await app.inject({ url: `/q/${deskCode}` })).statusCode;
  const keyWorks = async (app: typeof a) => (await app.inject({ url: '/api/v1/webhooks', headers })).statusCode !== 401;
  t.same([await page(a), await page(b)], [200, 200], 'both nodes show the desk (and keep it in memory)');
  t.same([await keyWorks(a), await keyWorks(b)], [true, true], 'both know the key');

  await sql`update desk set active = false where code = ${deskCode}`.execute(db);
  const seen = await Promise.all([a, b].map((app) => within(1_000, async () => (await page(app)) === 404)));
  t.ok(
    seen.every((ms) => ms <= 1_000),
    `the closed desk is gone on both nodes within a second (${seen.join(' ms, ')} ms)`,
  );

  await sql`update api_key set revoked_at = now()`.execute(db);
  const refused = await Promise.all([a, b].map((app) => within(1_000, async () => !(await keyWorks(app)))));
  t.ok(
    refused.every((ms) => ms <= 1_000),
    `the revoked key is refused on both within a second (${refused.join(' ms, ')} ms)`,
  );
});

t.test('a node whose listening connection is cut listens again and forgets what it kept', async (t) => {
  const { db, url } = await testDatabase(t);
  const centre = await createCentre(db, 'Xã Đứt Nối');
  const deskCode = `q-${centre.centreId}`;
  await insertDesk(db, { unitId: centre.centreId, code: deskCode, name: 'Quầy 1', serviceAreas: ['ho-tich'] });
  const a = await node(t, url);
  t.equal((await a.inject({ url: `/q/${deskCode}` })).statusCode, 200);
  await sql`select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = 'hai-long cache listener' and datname = current_database()`.execute(db);
  await sql`update desk set active = false where code = ${deskCode}`.execute(db);
  const ms = await within(5_000, async () => (await a.inject({ url: `/q/${deskCode}` })).statusCode === 404);
  t.ok(ms <= 5_000, `after the cut, the change is seen once the listener is back (${ms} ms)`);
  const listening = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
     where application_name = 'hai-long cache listener' and datname = current_database()`.execute(db);
  t.equal(listening.rows[0]!.n, 1, 'listening again, on one connection');
});
