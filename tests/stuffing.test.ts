import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { buildApp } from '../server/app.ts';
import { forgetClientKeys } from '../server/features/submission/stuffing-repository.ts';
import {
  clientKey,
  countCaps,
  rateReasons,
  reachesBackNow,
  signRenderToken,
  underWatch,
  verifyRenderToken,
} from '../server/features/submission/stuffing-rules.ts';
import { VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testConfig, testDatabase } from './helpers/harness.ts';
import { injectSender, openForm } from './helpers/stuffing-attack.ts';
import { NAT, postForm, SECRET, setup, stored, THANKS, tokenFor, variant } from './helpers/stuffing-form.ts';

// Anti-stuffing, the signals a single post brings: the honeypot, the render
// token (missing, forged, too fast, replayed) and the keyed client hash; each
// flags with its reason and the response is stored anyway (the citizen is
// thanked either way). Sources caught over several posts are in
// stuffing-sources.test.ts; whole attacks against honest traffic in
// stuffing-traffic.test.ts.

t.test('the form carries a honeypot people do not see and a signed render time', async (t) => {
  const { app, desk } = await setup(t);
  const page = await app.inject({ method: 'GET', url: `/q/${desk.code}` });
  const honeypot =
    /<div class="sr" aria-hidden="true"><label for="f-hp">Để trống ô này<\/label><input ([^>]+)><\/div>/.exec(
      page.body,
    );
  t.ok(honeypot, 'a visually hidden field, hidden from screen readers, labelled "Để trống ô này"');
  t.match(honeypot?.[1], /name="website"/);
  t.match(honeypot?.[1], /tabindex="-1"/, 'out of the tab order');
  t.match(honeypot?.[1], /autocomplete="off"/, 'never autofilled');
  const token = /name="renderToken" value="([^"]+)"/.exec(page.body)?.[1];
  const at = verifyRenderToken(Buffer.from(SECRET), desk.code, token, Date.now());
  t.ok(at !== undefined && Date.now() - at < 10_000, 'the render time is signed with the server secret');
});

t.test('a filled honeypot is stored, flagged "honeypot", and thanked like any other', async (t) => {
  const { app, db, desk } = await setup(t);
  const res = await postForm(app, desk.code, {
    ...VALID_FORM_ANSWERS,
    renderToken: tokenFor(desk.code),
    website: 'http://spam.example',
  });
  t.equal(res.statusCode, 200);
  t.match(res.body, THANKS, 'no hint to the attacker');
  const rows = await stored(db);
  t.equal(rows.length, 1, 'stored, not dropped');
  t.equal(rows[0]?.suspect, true);
  t.equal(rows[0]?.suspect_reason, 'honeypot');
  const answers = await db
    .selectFrom('answer')
    .select('indicator_key')
    .where('response_id', '=', rows[0]!.id)
    .execute();
  t.equal(answers.length, 8, 'with all its answers');
});

t.test(
  'a post sooner than 4 seconds after rendering is flagged "too_fast"; a missing or forged page "no_token"',
  async (t) => {
    const { app, db, desk } = await setup(t);
    const fresh = await openForm(injectSender(app), desk.code, '127.9.0.1');
    const fast = await postForm(app, desk.code, { ...variant(0), ...fresh }, '127.9.0.1');
    t.match(fast.body, THANKS);
    const quick = await postForm(app, desk.code, { ...variant(6), renderToken: tokenFor(desk.code, 3) }, '10.0.0.7');
    t.match(quick.body, THANKS);
    const slow = await postForm(app, desk.code, { ...variant(1), renderToken: tokenFor(desk.code, 5) }, '10.0.0.2');
    const none = await postForm(app, desk.code, { ...variant(2) }, '10.0.0.3');
    // Signed with another secret: the secret survives restarts now, so this is a forgery.
    const foreign = signRenderToken(Buffer.from('another-secret-another-secret-xx'), desk.code, Date.now());
    const forged = await postForm(app, desk.code, { ...variant(3), renderToken: foreign }, '10.0.0.4');
    const otherDesk = await postForm(
      app,
      desk.code,
      { ...variant(4), renderToken: tokenFor('quay-khac', 60) },
      '10.0.0.5',
    );
    const future = await postForm(
      app,
      desk.code,
      { ...variant(5), renderToken: tokenFor(desk.code, -3600) },
      '10.0.0.6',
    );
    for (const r of [slow, none, forged, otherDesk, future]) t.match(r.body, THANKS, 'thanked all the same');
    t.same(
      (await stored(db)).map((r) => r.suspect_reason),
      ['too_fast', 'too_fast', null, 'no_token', 'no_token', 'no_token', 'no_token'],
      'after 0 and 3 seconds; not after 5; unsigned, forged, other-desk and future tokens are no page at all',
    );
  },
);

t.test('the form secret survives a restart: a page rendered before it still verifies', async (t) => {
  const { app, db, desk } = await setup(t, { formSecret: undefined });
  const first = await openForm(injectSender(app), desk.code, '127.9.0.2');
  const secret = await db.selectFrom('app_secret').select('secret').where('name', '=', 'form').execute();
  t.equal(secret.length, 1, 'made once and kept in the database');
  // The same database, a new server process.
  const again = await buildApp({ config: testConfig({ databaseUrl: 'unused' }), db });
  t.teardown(() => again.close());
  await new Promise((r) => setTimeout(r, 4100));
  const res = await injectSender(again)({
    method: 'POST',
    url: `/q/${desk.code}`,
    address: '127.9.0.2',
    form: { ...variant(0), ...first, submissionId: randomUUID() },
  });
  t.match(res.body, THANKS);
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    [null],
    'the token from before the restart is genuine',
  );
});

t.test('a form shown again after a mistake keeps its first render time', async (t) => {
  const { app, db, desk } = await setup(t);
  const renderToken = tokenFor(desk.code, 3);
  const { overall: _, ...incomplete } = VALID_FORM_ANSWERS;
  const again = await postForm(app, desk.code, { ...incomplete, renderToken });
  t.equal(again.statusCode, 422);
  t.match(again.body, new RegExp(`name="renderToken" value="${renderToken}"`), 'the same token, not a new one');
  await new Promise((r) => setTimeout(r, 1200));
  const res = await postForm(app, desk.code, { ...VALID_FORM_ANSWERS, renderToken });
  t.equal(res.statusCode, 200);
  t.equal((await stored(db))[0]?.suspect, false, 'fixing one answer in a second is not "too fast"');
});

t.test('one page posted as several submissions: all of them "token_reuse", the first too', async (t) => {
  const { app, db, desk } = await setup(t);
  const renderToken = tokenFor(desk.code);
  await postForm(app, desk.code, { ...variant(0), renderToken }, '203.0.113.1');
  const honest = await postForm(app, desk.code, { ...variant(1), renderToken: tokenFor(desk.code) }, '203.0.113.2');
  t.match(honest.body, THANKS);
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    [null, null],
  );
  await postForm(app, desk.code, { ...variant(2), renderToken }, '203.0.113.3');
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    ['token_reuse', null, 'token_reuse'],
    'the replayed page is caught back to its first use; the other citizen is not touched',
  );
  // The same submission sent again (the retry script) is a replay, not a reuse.
  const submissionId = randomUUID();
  const other = tokenFor(desk.code);
  for (let i = 0; i < 3; i++) {
    const res = await postForm(app, desk.code, { ...variant(3), renderToken: other, submissionId }, '203.0.113.4');
    t.match(res.body, THANKS);
  }
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    ['token_reuse', null, 'token_reuse', null],
    'a retried submission stays one honest response',
  );
});

t.test('the client key is a keyed hash, never the address, and changes by day', async (t) => {
  const secret = Buffer.from(SECRET);
  const morning = new Date('2026-05-04T01:00:00Z'); // 08:00 in Vietnam
  const evening = new Date('2026-05-04T16:59:00Z'); // 23:59 in Vietnam
  const nextDay = new Date('2026-05-04T17:00:00Z'); // 00:00 on 5 May in Vietnam
  const key = clientKey(secret, NAT, morning);
  t.match(key, /^[0-9a-f]{32}$/);
  t.notOk(key.includes('198') || key.includes('100'), 'nothing of the address shows');
  t.equal(clientKey(secret, NAT, evening), key, 'the same all day (Vietnam time)');
  t.not(clientKey(secret, NAT, nextDay), key, 'another key the next day');
  t.not(clientKey(secret, '198.51.100.21', morning), key, 'another address, another key');
  t.not(clientKey(Buffer.from('x'.repeat(32)), NAT, morning), key, 'keyed: without the secret it cannot be recomputed');

  const { app, db, desk } = await setup(t);
  await postForm(app, desk.code, { ...VALID_FORM_ANSWERS, renderToken: tokenFor(desk.code) });
  const row = (await stored(db))[0]!;
  t.equal(row.client_key, clientKey(secret, NAT, new Date()), 'what is stored is the hash');
  const columns = await db.selectFrom('response').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
  t.notOk(JSON.stringify(columns).includes(NAT), 'the address is nowhere in the row');

  // Kept a day for the rate checks, then erased (with the render key) by the
  // server's own sweep, outside any citizen's transaction: a new server
  // process sweeps when it is ready.
  await postForm(app, desk.code, { ...variant(9), renderToken: tokenFor(desk.code) }, '203.0.113.77');
  // The first response as if it had come 25 hours ago (a response cannot be
  // moved to another month, and on the 1st of a month yesterday is one).
  await sql`
    insert into response (submission_id, payload_hash, survey_version_id, unit_id, desk_id, service_area_code,
                          channel, locale, client_key, render_key, answer_pattern, submitted_at)
    select gen_random_uuid(), payload_hash, survey_version_id, unit_id, desk_id, service_area_code,
           channel, locale, client_key, render_key, answer_pattern, now() - interval '25 hours'
      from response where id = ${row.id}`.execute(db);
  await sql`delete from response where id = ${row.id}`.execute(db);
  const next = await buildApp({ config: testConfig({ formSecret: SECRET }), db });
  t.teardown(() => next.close());
  await next.ready();
  // The sweep runs beside the start, not before it: wait for it.
  const kept = () => db.selectFrom('response').select('id').where('client_key', 'is not', null).execute();
  for (let i = 0; i < 200 && (await kept()).length > 1; i++) await new Promise((r) => setTimeout(r, 25));
  const keys = await db
    .selectFrom('response')
    .select(['id', 'client_key', 'render_key'])
    .orderBy('submitted_at')
    .execute();
  t.same(
    keys.map((k) => [k.client_key === null, k.render_key === null]),
    [
      [true, true],
      [false, false],
    ],
    'the day-old keys are erased, the fresh ones kept',
  );
  t.equal(await forgetClientKeys(db, 24), 0, 'nothing left for a sweep by hand');
});

t.test('a sweep held up does not hold up the start', async (t) => {
  // At national size a slow sweep (a missing index, a day of keys after a
  // long stop) kept the server from starting: the start waited for it.
  const { db, url } = await testDatabase(t);
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  t.teardown(() => locker.end());
  await locker.query('begin');
  await locker.query('lock table response in access exclusive mode');
  const app = await buildApp({ config: testConfig({ formSecret: SECRET }), db });
  t.teardown(() => app.close());
  await app.ready();
  t.equal((await app.inject('/healthz')).statusCode, 200, 'serving while the sweep waits for the table');
  await locker.query('rollback');
});

t.test('counting a window only up to the caps never changes a flag or a reach back', async () => {
  fc.assert(
    fc.property(
      fc.record({ desk: fc.nat(500), source: fc.nat(500), sourcePattern: fc.nat(500), token: fc.nat(5) }),
      fc.record({
        minSeconds: fc.nat(30),
        windowMinutes: fc.integer({ min: 1, max: 60 }),
        maxPerClient: fc.integer({ min: 1, max: 100 }),
        maxPerDesk: fc.integer({ min: 1, max: 300 }),
        burstSize: fc.integer({ min: 2, max: 50 }),
      }),
      fc.boolean(),
      (counts, limits, perSource) => {
        const caps = countCaps(limits);
        const capped = {
          desk: Math.min(counts.desk, caps.desk),
          source: Math.min(counts.source, caps.source),
          sourcePattern: Math.min(counts.sourcePattern, caps.sourcePattern),
          token: Math.min(counts.token, caps.token),
        };
        const reasons = rateReasons(counts, limits, { perSource });
        return (
          JSON.stringify(rateReasons(capped, limits, { perSource })) === JSON.stringify(reasons) &&
          underWatch(capped, limits) === underWatch(counts, limits) &&
          reasons.every((r) => reachesBackNow(r, capped, limits) === reachesBackNow(r, counts, limits))
        );
      },
    ),
  );
});
