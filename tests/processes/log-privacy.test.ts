import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from '../helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testDatabase } from '../helpers/harness.ts';
import { exited, startServer } from '../helpers/process.ts';

// A one-time code links a receipt to its answers, and every log line has a
// time: the server's own output, at info level, must never carry one
// (issue 11, item 7). A real process, so Fastify's own request lines count.

t.test('one-time codes never reach the server log, whatever the request', async (t) => {
  const { db, url: databaseUrl } = await testDatabase(t);
  const desk = await createDesk(db, ['dat-dai']);
  const key = (await createApiKey(db, {
    unitCode: await unitCode(db, desk.centreId),
    role: 'manager',
    label: 'máy in quầy',
  }))!.key;
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'never',
    PUBLIC_URL: TEST_PUBLIC_URL,
    LOG_LEVEL: 'info',
  });
  t.teardown(() => void server.child.kill('SIGKILL'));

  const issued = await fetch(`${server.url}/api/v1/transaction-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ desk: desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-NHAT-KY-1' }),
  });
  t.equal(issued.status, 201, 'a code is issued');
  const code = new URL(((await issued.json()) as { url: string }).url).pathname.split('/')[2]!;
  t.match(code, /^[A-Za-z0-9_-]{16,}$/);
  // A code-like path that names no code: a typo or a guess is a receipt too.
  const unknown = randomBytes(16).toString('base64url');

  const page = await fetch(`${server.url}/t/${code}?lang=vi`);
  t.equal(page.status, 200, 'the citizen opens the survey of the code');
  const renderToken = /name="renderToken" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const posted = await fetch(`${server.url}/t/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...VALID_FORM_ANSWERS, submissionId: randomUUID(), renderToken }),
  });
  t.equal(posted.status, 200, 'and answers it');
  const misses = [
    await fetch(`${server.url}/t/${unknown}`),
    await fetch(`${server.url}/t/${unknown}`, { method: 'POST', body: new URLSearchParams({ overall: '1' }) }),
    await fetch(`${server.url}/t/${code}/in-lai`),
    await fetch(`${server.url}/%74/${code}`),
    await fetch(`${server.url}/T/${unknown}`),
    // The follow-up page (issue 18) is reached by the code too.
    await fetch(`${server.url}/theo-doi/${code}`),
  ];
  // /%74/ is decoded to /t/ and finds the code, used by now: a 410.
  t.same(
    misses.map((r) => r.status),
    [404, 404, 404, 410, 404, 404],
    'each is answered',
  );

  server.child.kill('SIGTERM');
  t.equal(await exited(server.child), 0);
  const log = server.output();
  const requestLines = log.split('\n').filter((l) => l.includes('"msg":"incoming request"'));
  t.ok(requestLines.length >= 8, `the requests were logged (${requestLines.length} lines)`);
  t.match(log, /"url":"\/t\/…"/, 'as /t/…');
  t.match(log, /"url":"\/q\/|"url":"\/api\/v1\/transaction-codes"/, 'other paths are logged as they are');
  t.notOk(log.includes(code), 'the issued code is nowhere in the output');
  t.notOk(log.includes(unknown), 'nor the code-like guess');
});
