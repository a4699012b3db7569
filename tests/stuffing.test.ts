import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import type { Db } from '../server/db/connect.ts';
import { insertDesk } from '../server/repositories/desk-repository.ts';
import { forgetClientKeys } from '../server/repositories/stuffing-repository.ts';
import {
  clientKey,
  countCaps,
  rateReasons,
  signRenderToken,
  verifyRenderToken,
} from '../server/services/stuffing-rules.ts';
import { issueCounterCodes } from '../server/services/transaction-code-service.ts';
import { createDesk, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { injectSender, letTimePass, normalControl, openForm, stuffingAttack } from './helpers/stuffing-attack.ts';

// Anti-stuffing on open posters: each signal flags with its reason and the
// response is stored anyway (the citizen is thanked either way); genuine
// traffic behind one NAT address is not flagged; a scripted attack mostly is.

const SECRET = 'bí-mật-ký-phiếu-thử-nghiệm-đủ-dài-32+';
const NAT = '198.51.100.20';

async function setup(t: Test) {
  const { app, db, config } = await testApp(t, { formSecret: SECRET });
  const desk = await createDesk(db, ['ho-tich']);
  return { app, db, config, desk };
}

/** A render token as if the page had been opened `secondsAgo` seconds ago. */
const tokenFor = (deskCode: string, secondsAgo = 60) =>
  signRenderToken(Buffer.from(SECRET), deskCode, Date.now() - secondsAgo * 1000);

/** Distinct scale answers for each i < 125, so that no burst forms. */
const variant = (i: number): Record<string, string> => ({
  ...VALID_FORM_ANSWERS,
  access: String(1 + (i % 5)),
  procedure: String(1 + (Math.floor(i / 5) % 5)),
  staff: String(1 + (Math.floor(i / 25) % 5)),
});

function postForm(app: FastifyInstance, deskCode: string, fields: Record<string, string>, address = NAT) {
  return app.inject({
    method: 'POST',
    url: `/q/${deskCode}`,
    remoteAddress: address,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ submissionId: randomUUID(), ...fields }).toString(),
  });
}

function postApi(
  app: FastifyInstance,
  deskCode: string,
  answers: Record<string, unknown>,
  submissionId = randomUUID(),
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/responses',
    payload: { desk: deskCode, answers, submissionId },
  });
}

/** The same as the API takes them: scores as numbers. */
const apiAnswers = (i = 0) =>
  Object.fromEntries(
    Object.entries(variant(i)).map(([k, v]) => [k, /^[1-5]$/.test(v) && k !== 'trips' ? Number(v) : v]),
  );

async function stored(db: Db) {
  return db
    .selectFrom('response')
    .select(['id', 'suspect', 'suspect_reason', 'client_key', 'verified'])
    .orderBy('id')
    .execute();
}

const THANKS = /Cảm ơn Ông\/Bà đã dành thời gian đánh giá!/;

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
  'a post sooner than 4 seconds after rendering is flagged "too_fast"; no or foreign signature is no evidence',
  async (t) => {
    const { app, db, desk } = await setup(t);
    const fresh = await openForm(injectSender(app), desk.code);
    const fast = await postForm(app, desk.code, { ...variant(0), ...fresh });
    t.match(fast.body, THANKS);
    const quick = await postForm(app, desk.code, { ...variant(6), renderToken: tokenFor(desk.code, 3) }, '10.0.0.7');
    t.match(quick.body, THANKS);
    const slow = await postForm(app, desk.code, { ...variant(1), renderToken: tokenFor(desk.code, 5) }, '10.0.0.2');
    const none = await postForm(app, desk.code, { ...variant(2) }, '10.0.0.3');
    // What a form rendered before a restart without FORM_SECRET carries.
    const foreign = signRenderToken(Buffer.from('another-secret-another-secret-xx'), desk.code, Date.now());
    const restarted = await postForm(app, desk.code, { ...variant(3), renderToken: foreign }, '10.0.0.4');
    const otherDesk = await postForm(
      app,
      desk.code,
      { ...variant(4), renderToken: tokenFor('quay-khac', 0) },
      '10.0.0.5',
    );
    const future = await postForm(
      app,
      desk.code,
      { ...variant(5), renderToken: tokenFor(desk.code, -3600) },
      '10.0.0.6',
    );
    for (const r of [slow, none, restarted, otherDesk, future]) t.equal(r.statusCode, 200);
    t.same(
      (await stored(db)).map((r) => r.suspect_reason),
      ['too_fast', 'too_fast', null, null, null, null, null],
      'after 0 and 3 seconds; not after 5; unsigned, forged, other-desk and future tokens flag nothing',
    );
  },
);

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

t.test('more than 10 responses from one client at one desk in 10 minutes are flagged "client_rate"', async (t) => {
  const { app, db, desk } = await setup(t);
  for (let i = 0; i < 12; i++) {
    const res = await postForm(app, desk.code, { ...variant(i), renderToken: tokenFor(desk.code) });
    t.equal(res.statusCode, 200);
  }
  const rows = await stored(db);
  t.same(
    rows.map((r) => r.suspect_reason),
    [...Array(10).fill(null), 'client_rate', 'client_rate'],
    'the 11th and 12th',
  );
  // Another client at the same desk is not held to the first one's count.
  await postForm(app, desk.code, { ...variant(20), renderToken: tokenFor(desk.code) }, '203.0.113.9');
  t.equal((await stored(db)).at(-1)?.suspect, false);
  // Ten minutes later the window is empty again.
  await letTimePass(db, desk.deskId, 601);
  await postForm(app, desk.code, { ...variant(21), renderToken: tokenFor(desk.code) });
  t.equal((await stored(db)).at(-1)?.suspect, false, 'the window slides');
});

t.test('eight people behind one NAT address in 10 minutes, at a normal pace, are not flagged', async (t) => {
  const { app, db, desk } = await setup(t);
  for (let i = 0; i < 8; i++) {
    await letTimePass(db, desk.deskId, 75);
    const res = await postForm(app, desk.code, { ...variant(i * 7), renderToken: tokenFor(desk.code, 40) });
    t.match(res.body, THANKS);
  }
  const rows = await stored(db);
  t.equal(rows.length, 8);
  t.same(
    rows.filter((r) => r.suspect),
    [],
    'none flagged',
  );
  t.equal(new Set(rows.map((r) => r.client_key)).size, 1, 'although they share one client key');
});

t.test('the same answers 5 times at one desk in 10 minutes: the 5th and later are flagged "burst"', async (t) => {
  const { app, db, desk } = await setup(t);
  // From different addresses and with different comments: the pattern is the scale answers.
  for (let i = 0; i < 6; i++) {
    const res = await postForm(
      app,
      desk.code,
      { ...VALID_FORM_ANSWERS, comment: `Góp ý số ${i}`, renderToken: tokenFor(desk.code) },
      `203.0.113.${i + 1}`,
    );
    t.match(res.body, THANKS);
  }
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    [null, null, null, null, 'burst', 'burst'],
  );
});

t.test('the JSON API gets the per-desk and burst checks', async (t) => {
  const { app, db, desk } = await setup(t);
  // 61 different answer patterns: only the per-desk limit (60 in 10 minutes) applies.
  for (let i = 0; i < 61; i++) t.equal((await postApi(app, desk.code, apiAnswers(i))).statusCode, 201);
  const rows = await stored(db);
  t.same(
    rows.filter((r) => r.suspect).map((r) => r.suspect_reason),
    ['desk_rate'],
    'the 61st is flagged "desk_rate"',
  );
  t.ok(
    rows.every((r) => r.client_key === null),
    'no client key for the API: a kiosk is one client for everyone',
  );

  const other = await createDesk(db, ['ho-tich']);
  for (let i = 0; i < 5; i++) await postApi(app, other.code, apiAnswers(0));
  const burst = await db
    .selectFrom('response')
    .select('suspect_reason')
    .where('desk_id', '=', other.deskId)
    .orderBy('id')
    .execute();
  t.same(
    burst.map((r) => r.suspect_reason),
    [null, null, null, null, 'burst'],
    'a burst through the API',
  );
});

t.test('a burst posted in parallel is counted as exactly as one in sequence; replays stay idempotent', async (t) => {
  const { app, db, desk } = await setup(t);
  const results = await Promise.all(Array.from({ length: 30 }, () => postApi(app, desk.code, apiAnswers(0))));
  t.same([...new Set(results.map((r) => r.statusCode))], [201]);
  const rows = await stored(db);
  t.equal(rows.length, 30);
  t.equal(rows.filter((r) => r.suspect).length, 26, 'all but the first four');

  // A flagged response replayed with the same id: the same id back, nothing new stored.
  const submissionId = randomUUID();
  const first = await postApi(app, desk.code, apiAnswers(0), submissionId);
  const replays = await Promise.all(
    Array.from({ length: 10 }, () => postApi(app, desk.code, apiAnswers(0), submissionId)),
  );
  t.equal(first.statusCode, 201);
  t.same([...new Set(replays.map((r) => r.statusCode))], [200]);
  t.same([...new Set(replays.map((r) => r.json().id))], [first.json().id], 'the same id every time');
  t.equal((await stored(db)).length, 31);
});

t.test('one-time codes skip the rate checks but keep the honeypot', async (t) => {
  const { app, db, desk } = await setup(t);
  const admin = { userId: null, keyId: null, role: 'admin' as const, unitId: null, unitPath: '/', label: 'thử' };
  const issued = await issueCounterCodes(
    db,
    admin,
    { deskId: desk.deskId, serviceArea: 'ho-tich', count: 13, expiresInDays: 7 },
    TEST_PUBLIC_URL,
  );
  if (issued.status !== 'created') throw new Error(issued.status);
  for (const [i, c] of issued.codes.entries()) {
    const res = await app.inject({
      method: 'POST',
      url: new URL(c.url).pathname,
      remoteAddress: NAT,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        ...VALID_FORM_ANSWERS,
        submissionId: randomUUID(),
        ...(i === 12 ? { website: 'bot' } : {}),
      }).toString(),
    });
    t.match(res.body, THANKS);
  }
  const rows = await stored(db);
  t.equal(rows.length, 13);
  t.ok(
    rows.every((r) => r.verified && r.client_key === null),
    'verified, no client key kept',
  );
  t.same(
    rows.map((r) => r.suspect_reason),
    [...Array(12).fill(null), 'honeypot'],
    'twelve identical answers from one address: not a burst; the honeypot still flags',
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

  // Kept a day for the rate checks, then erased.
  await sql`update response set submitted_at = now() - interval '25 hours'`.execute(db);
  t.equal(await forgetClientKeys(db, 24), 1);
  t.equal((await stored(db))[0]?.client_key, null);
});

t.test('a scripted attack on one poster is mostly flagged; a normal-paced control group is not', async (t) => {
  const { app, db, desk } = await setup(t);
  const send = injectSender(app);
  const attack = await stuffingAttack(send, db, {
    deskCode: desk.code,
    posts: 200,
    address: '203.0.113.66',
    answers: { ...VALID_FORM_ANSWERS, comment: '' },
  });
  t.comment(
    `attack: ${attack.flagged}/${attack.stored} flagged (${(attack.share * 100).toFixed(1)}%), reasons ${JSON.stringify(attack.reasons)}`,
  );
  t.equal(attack.stored, 200, 'every post stored');
  t.equal(attack.thanked, 200, 'and thanked: the script learns nothing');
  t.ok(attack.share >= 0.95, `at least 95% flagged (${attack.flagged}/200)`);
  t.ok(
    (attack.reasons.burst ?? 0) >= 196,
    'the burst check alone catches all but the first four, however slowly the script posts',
  );

  const poster = await insertDesk(db, {
    unitId: desk.centreId,
    code: `${desk.code}-2`,
    name: 'Quầy 2',
    serviceAreas: ['ho-tich'],
  });
  const control = await normalControl(send, db, { deskCode: `${desk.code}-2`, deskId: poster, people: 50 });
  t.comment(
    `control: ${control.flagged}/${control.stored} flagged (${(control.share * 100).toFixed(1)}%), reasons ${JSON.stringify(control.reasons)}`,
  );
  t.equal(control.stored, 50);
  t.equal(control.thanked, 50);
  t.ok(control.share <= 0.05, `at most 5% of genuine answers flagged (${control.flagged}/50)`);
});

t.test('counting a window only up to the caps never changes a flag', async () => {
  fc.assert(
    fc.property(
      fc.record({ desk: fc.nat(500), client: fc.nat(500), samePattern: fc.nat(500) }),
      fc.record({
        minSeconds: fc.nat(30),
        windowMinutes: fc.integer({ min: 1, max: 60 }),
        maxPerClient: fc.integer({ min: 1, max: 100 }),
        maxPerDesk: fc.integer({ min: 1, max: 300 }),
        burstSize: fc.integer({ min: 2, max: 50 }),
      }),
      fc.boolean(),
      (counts, limits, hasClient) => {
        const caps = countCaps(limits);
        const capped = {
          desk: Math.min(counts.desk, caps.desk),
          client: Math.min(counts.client, caps.client),
          samePattern: Math.min(counts.samePattern, caps.samePattern),
        };
        return (
          JSON.stringify(rateReasons(capped, limits, hasClient)) ===
          JSON.stringify(rateReasons(counts, limits, hasClient))
        );
      },
    ),
  );
});
