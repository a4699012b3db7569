import { randomUUID } from 'node:crypto';
import t from 'tap';
import { testDatabase } from '../helpers/harness.ts';
import { exited, startServer } from '../helpers/process.ts';

// The server as a user starts it: a real process on an empty database.

t.test('first start migrates, seeds the demo, serves it, and stops cleanly on SIGTERM', async (t) => {
  const { url: databaseUrl, db } = await testDatabase(t, { empty: true });
  const server = await startServer({ DATABASE_URL: databaseUrl, PUBLIC_URL: 'https://khaosat.example.gov.vn' });
  t.teardown(() => void server.child.kill('SIGKILL'));
  t.match(server.output(), /Demo data: 19 units, 28 desks, \d+ responses, \d+ survey-round forms\./);

  const health = await fetch(`${server.url}/healthz`);
  t.equal(health.status, 200);
  const home = await (await fetch(`${server.url}/`)).text();
  t.match(home, /Trung tâm Phục vụ hành chính công xã Tân Hội/);
  t.match(home, /https:\/\/khaosat\.example\.gov\.vn\/q\/tan-hoi-q1/);

  const page = await fetch(`${server.url}/q/tan-hoi-q2`);
  t.equal(page.status, 200);
  t.match(await page.text(), /Xã Tân Hội/);

  const before = await db
    .selectFrom('response')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const post = await fetch(`${server.url}/q/tan-hoi-q2`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      submissionId: randomUUID(),
      access: '5',
      procedure: '5',
      staff: '4',
      result: '5',
      feedback: '4',
      overall: '5',
    }),
  });
  t.equal(post.status, 200);
  const after = await db
    .selectFrom('response')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(after.n), Number(before.n) + 1);

  server.child.kill('SIGTERM');
  t.equal(await exited(server.child), 0, 'exits 0 after SIGTERM');
});

t.test('two instances starting together on one empty database both come up, seeding once', async (t) => {
  const { url: databaseUrl, db } = await testDatabase(t, { empty: true });
  const [a, b] = await Promise.all([
    startServer({ DATABASE_URL: databaseUrl }),
    startServer({ DATABASE_URL: databaseUrl }),
  ]);
  t.teardown(() => {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  });
  t.equal((await fetch(`${a.url}/healthz`)).status, 200);
  t.equal((await fetch(`${b.url}/healthz`)).status, 200);
  const communes = await db.selectFrom('unit').select('code').where('kind', '=', 'commune').execute();
  t.equal(communes.length, 7, 'the demo communes exist once');
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  await Promise.all([exited(a.child), exited(b.child)]);
});

t.test('a bad setting stops the start with a clear message and exit code 1', async (t) => {
  const { runScript } = await import('../helpers/process.ts');
  const run = await runScript('server/server.ts', [], { PORT: 'eighty', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  t.equal(run.code, 1);
  t.match(run.stderr, /PORT/);
});

t.test('an unreachable database stops the start with exit code 1', async (t) => {
  const { runScript } = await import('../helpers/process.ts');
  const run = await runScript('server/server.ts', [], { PORT: '0', DATABASE_URL: 'postgres://x:y@127.0.0.1:1/x' });
  t.equal(run.code, 1);
  t.match(run.stderr, /Start failed/);
});
