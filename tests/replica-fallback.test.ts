import t, { type Test } from 'tap';
import { buildApp } from '../server/app.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { loadConfig } from '../server/platform/config.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testConfig, testDatabase } from './helpers/harness.ts';

// Reports on a streaming replica (issue 19): without a usable replica the
// report reads go to the primary, /healthz says so and still answers 200
// (the load balancer must keep the node), and the switch is logged once.
// A real replica on loopback is in `npm run test:cluster` (replica-reads).

/** Nothing listens on port 1: every connection attempt is refused at once. */
const CLOSED = 'postgres://nobody:x@127.0.0.1:1/none';

async function appWithReplica(t: Test, replicaUrl: (primaryUrl: string) => string) {
  const { db, url } = await testDatabase(t);
  const lines: { level: number; msg: string; replica?: { reason?: string } }[] = [];
  const config = testConfig({ databaseUrl: url, databaseReplica: { url: replicaUrl(url), maxLagSeconds: 30 } });
  const app = await buildApp({
    config,
    db,
    logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
  });
  t.teardown(() => app.close());
  const replicaLines = () => lines.filter((l) => l.msg.startsWith('reports read from'));
  return { app, db, replicaLines };
}

async function reportAnswers(t: Test, app: Awaited<ReturnType<typeof buildApp>>) {
  const centre = await createCentre(app.db);
  const code = await unitCode(app.db, centre.communeId);
  const key = (await createApiKey(app.db, { unitCode: code, role: 'official', label: 'bản sao' }))!.key;
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/reports/satisfaction?unit=${code}&from=2026-04-01&to=2026-06-30`,
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(res.statusCode, 200, 'the report answers from the primary');
}

t.test('a replica that is down: reports read the primary, /healthz says fallback with 200', async (t) => {
  const { app, replicaLines } = await appWithReplica(t, () => CLOSED);
  t.equal(app.reportDb, app.db, 'reportDb is the primary');
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok', replica: { state: 'fallback', reason: 'replica down' } });
  await reportAnswers(t, app);
  // Checked again and again: the fallback is logged once, not at every check.
  await app.replica!.check();
  await app.replica!.check();
  const logged = replicaLines();
  t.equal(logged.length, 1, 'one log line for the switch');
  t.equal(logged[0]?.msg, 'reports read from the primary: replica down');
  t.equal(logged[0]?.level, 40, 'at warn');
});

t.test('the primary given as the replica: not in recovery, so the primary serves reports', async (t) => {
  const { app, replicaLines } = await appWithReplica(t, (primary) => primary);
  t.equal(app.reportDb, app.db);
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json().replica, { state: 'fallback', reason: 'replica is not in recovery' });
  t.equal(replicaLines()[0]?.replica?.reason, 'replica is not in recovery');
  await reportAnswers(t, app);
});

t.test('without a replica: reportDb is the primary and /healthz has no replica field', async (t) => {
  const { db, url } = await testDatabase(t);
  const app = await buildApp({ config: testConfig({ databaseUrl: url }), db });
  t.teardown(() => app.close());
  t.equal(app.reportDb, db);
  t.equal(app.replica, undefined);
  t.same((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
});

t.test('DATABASE_REPLICA_URL: only with DATABASE_URL; the lag limit 30 s unless set', async (t) => {
  const replica = 'postgres://ro@10.0.0.12:5432/hailong';
  t.throws(() => loadConfig({ DATABASE_REPLICA_URL: replica }), {
    message: /DATABASE_REPLICA_URL: set only together with DATABASE_URL/,
  });
  const primary = 'postgres://app@10.0.0.10:5432/hailong';
  t.same(loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: replica }).databaseReplica, {
    url: replica,
    maxLagSeconds: 30,
  });
  const set = loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URL: replica, REPLICA_MAX_LAG_SECONDS: '5' });
  t.equal(set.databaseReplica?.maxLagSeconds, 5);
  t.equal(loadConfig({ DATABASE_URL: primary, REPLICA_MAX_LAG_SECONDS: '5' }).databaseReplica, undefined);
});
