import { randomUUID } from 'node:crypto';
import t from 'tap';
import { issueCounterCodes } from '../server/features/posters-codes/transaction-code-service.ts';
import { createDesk, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL } from './helpers/harness.ts';
import { letTimePass } from './helpers/stuffing-attack.ts';
import {
  apiAnswers,
  FIVES,
  NAT,
  postApi,
  postForm,
  SECRET,
  setup,
  stored,
  THANKS,
  tokenFor,
  variant,
} from './helpers/stuffing-form.ts';

// Anti-stuffing over several posts: a source (a client address as a keyed
// hash, or an API key) caught by its rate or a burst is flagged back to its
// first response in the window, and nobody else at the desk is; the same
// answers from different people are not a burst; one-time codes skip only
// the per-source checks.

t.test('more than 10 responses from one source at one desk in 10 minutes: the source is flagged', async (t) => {
  const { app, db, desk } = await setup(t);
  for (let i = 0; i < 12; i++) {
    const res = await postForm(app, desk.code, { ...variant(i), renderToken: tokenFor(desk.code) });
    t.equal(res.statusCode, 200);
  }
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    Array(12).fill('client_rate'),
    'the 11th and 12th, and the ten before them from the same source',
  );
  // Another client at the same desk is not held to the first one's count.
  await postForm(app, desk.code, { ...variant(20), renderToken: tokenFor(desk.code) }, '203.0.113.9');
  t.equal((await stored(db)).at(-1)?.suspect, false);
  // Ten minutes later the window is empty again.
  await letTimePass(db, desk.deskId, 601);
  await postForm(app, desk.code, { ...variant(21), renderToken: tokenFor(desk.code) });
  t.equal((await stored(db)).at(-1)?.suspect, false, 'the window slides');
  t.equal((await stored(db)).filter((r) => r.suspect).length, 12, 'and nothing before it is flagged again');
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

t.test('eight happy citizens in a row, all answering 5: none flagged', async (t) => {
  const { app, db, desk } = await setup(t);
  for (let i = 0; i < 8; i++) {
    const res = await postForm(
      app,
      desk.code,
      { ...VALID_FORM_ANSWERS, ...FIVES, renderToken: tokenFor(desk.code, 30) },
      `203.0.113.${i + 1}`,
    );
    t.match(res.body, THANKS);
  }
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    Array(8).fill(null),
    'the same answers from different people are not a burst',
  );
});

t.test('the same answers 5 times from one source in 10 minutes: all of them "burst"', async (t) => {
  const { app, db, desk } = await setup(t);
  // With different comments: the pattern is the scale answers.
  for (let i = 0; i < 6; i++) {
    const res = await postForm(
      app,
      desk.code,
      { ...VALID_FORM_ANSWERS, comment: `Góp ý số ${i}`, renderToken: tokenFor(desk.code) },
      '203.0.113.50',
    );
    t.match(res.body, THANKS);
  }
  await postForm(app, desk.code, { ...VALID_FORM_ANSWERS, renderToken: tokenFor(desk.code) }, '203.0.113.51');
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    [...Array(6).fill('burst'), null],
    'the source is caught back to its first; a citizen with the same answers elsewhere is not',
  );
});

t.test('six one-tap "Rất hài lòng" from a shared Wi-Fi at a normal pace are not a burst', async (t) => {
  // The quick survey can be sent with the overall item alone (issue 13): so
  // many honest answers look the same that the pattern is no evidence.
  const { app, db, desk } = await setup(t);
  for (let i = 0; i < 6; i++) {
    await letTimePass(db, desk.deskId, 60);
    const res = await postForm(app, desk.code, {
      serviceArea: 'ho-tich',
      overall: '5',
      renderToken: tokenFor(desk.code, 30),
    });
    t.match(res.body, THANKS);
  }
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    Array(6).fill(null),
    'none flagged; the per-source limit (10 in 10 minutes) still holds for floods',
  );
});

t.test('the JSON API: the key is the source; other sources at the desk are not touched', async (t) => {
  const { app, db, desk } = await setup(t);
  // A kiosk posting more than a desk serves: 11 different answers in a few seconds.
  for (let i = 0; i < 11; i++) t.equal((await postApi(app, desk.code, apiAnswers(i))).statusCode, 201);
  await postForm(app, desk.code, { ...variant(40), renderToken: tokenFor(desk.code) }, '203.0.113.7');
  const rows = await stored(db);
  t.same(
    rows.map((r) => r.suspect_reason),
    [...Array(11).fill('client_rate'), null],
    "the kiosk's responses flagged, the citizen's phone not",
  );
  t.equal(new Set(rows.slice(0, 11).map((r) => r.client_key)).size, 1, 'the key is kept as one keyed source');

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
    Array(5).fill('burst'),
    'a burst through the API',
  );
  // Paper entry is bulk typing by design: no rate checks, only keys granted paper use it.
  const paper = await createDesk(db, ['ho-tich']);
  for (let i = 0; i < 30; i++) {
    const res = await postApi(app, paper.code, apiAnswers(0), randomUUID(), 'paper');
    t.equal(res.statusCode, 201);
  }
  const typed = await db.selectFrom('response').select('suspect').where('desk_id', '=', paper.deskId).execute();
  t.equal(typed.filter((r) => r.suspect).length, 0, 'thirty identical paper forms typed in: none flagged');
});

t.test('a burst posted in parallel is counted as exactly as one in sequence; replays stay idempotent', async (t) => {
  const { app, db, desk } = await setup(t);
  const results = await Promise.all(Array.from({ length: 30 }, () => postApi(app, desk.code, apiAnswers(0))));
  t.same([...new Set(results.map((r) => r.statusCode))], [201]);
  const rows = await stored(db);
  t.equal(rows.length, 30);
  t.equal(rows.filter((r) => r.suspect).length, 30, 'every one, as in sequence');

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

t.test('one-time codes skip the per-source checks but keep the honeypot, timing and burst', async (t) => {
  const { app, db, desk } = await setup(t);
  const admin = { userId: null, keyId: null, role: 'admin' as const, unitId: null, unitPath: '/', label: 'thử' };
  const issued = await issueCounterCodes(
    db,
    admin,
    {
      deskId: desk.deskId,
      serviceArea: 'ho-tich',
      dossierRefs: Array.from({ length: 16 }, (_, i) => `HS-${i}`),
      expiresInDays: 7,
    },
    { secret: Buffer.from(SECRET), dailyCap: 200, publicUrl: TEST_PUBLIC_URL },
  );
  if (issued.status !== 'created') throw new Error(issued.status);
  const postCode = (url: string, fields: Record<string, string>, address = NAT) =>
    app.inject({
      method: 'POST',
      url: new URL(url).pathname,
      remoteAddress: address,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        submissionId: randomUUID(),
        renderToken: tokenFor(desk.code),
        ...fields,
      }).toString(),
    });
  const codes = issued.codes.map((c) => c.url);
  // Twelve citizens with receipts on the centre's Wi-Fi, answering differently.
  for (let i = 0; i < 12; i++) t.match((await postCode(codes[i]!, variant(i))).body, THANKS);
  t.same(
    (await stored(db)).map((r) => r.suspect_reason),
    Array(12).fill(null),
    'twelve from one address with receipts: not a rate',
  );
  t.match((await postCode(codes[12]!, { ...variant(30), website: 'bot' }, '203.0.113.30')).body, THANKS);
  t.match(
    (await postCode(codes[13]!, { ...variant(31), renderToken: tokenFor(desk.code, 1) }, '203.0.113.31')).body,
    THANKS,
  );
  t.match((await postCode(codes[14]!, { ...variant(32), renderToken: '' }, '203.0.113.32')).body, THANKS);
  const rows = await stored(db);
  t.ok(
    rows.every((r) => r.verified),
    'all verified',
  );
  t.same(
    rows.slice(12).map((r) => r.suspect_reason),
    ['honeypot', 'too_fast', 'no_token'],
    'the honeypot, the timing and the page still flag',
  );
});
