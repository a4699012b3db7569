import t from 'tap';
import { buildApp } from '../server/app.ts';
import { connect } from '../server/platform/db/connect.ts';
import { testApp, testConfig } from './helpers/harness.ts';

t.test('healthz answers 200 when the database answers', async (t) => {
  const { app } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
});

t.test('healthz answers 503 with Retry-After when the database does not', async (t) => {
  // Nothing listens on port 1: every connection attempt is refused.
  const db = connect({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 1 });
  // As an app already running: it read its form secret at start, when the database was there.
  const app = await buildApp({ config: testConfig({ formSecret: 'f'.repeat(32) }), db });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '5');
  t.equal(res.json().status, 'unavailable');
});

t.test('a page that needs the database answers 503, not 500, when it is down', async (t) => {
  const db = connect({ url: 'postgres://nobody:x@127.0.0.1:1/none', poolMax: 1 });
  // As an app already running: it read its form secret at start, when the database was there.
  const app = await buildApp({ config: testConfig({ formSecret: 'f'.repeat(32) }), db });
  t.teardown(async () => {
    await app.close();
    await db.destroy();
  });
  const page = await app.inject({ method: 'GET', url: '/q/any-desk' });
  t.equal(page.statusCode, 503);
  t.notMatch(page.body, /ECONNREFUSED|at .*\.ts/);
  const api = await app.inject({ method: 'GET', url: '/api/v1/surveys/sipas-quick' });
  t.equal(api.statusCode, 503);
  t.equal(api.json().code, 'service.unavailable');
});
