import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import type { NewResponse } from '../server/features/submission/response-repository.ts';
import { submitBatched } from '../server/features/submission/submission-batcher.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { quickVersionId } from './helpers/aggregate-data.ts';
import { createDesk, deskSubmitHeaders, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// Group commit (server/features/submission/submission-batcher.ts): submissions that
// arrive together share one transaction, and each still gets exactly its own
// outcome; the cached desk survey and the cached citizen page never outlive a
// staff change, and never repeat a per-request value.

const ANSWERS = { access: 4, procedure: 5, staff: 5, result: 4, feedback: 'na', overall: 5, trips: '1' };

async function count(db: Db, query: ReturnType<typeof sql<{ n: string }>>): Promise<number> {
  return Number((await query.execute(db)).rows[0]?.n ?? 0);
}

t.test('submissions arriving together share transactions and each gets its own 201', async (t) => {
  const { app, db } = await testApp(t);
  const desks = await Promise.all([createDesk(db, ['ho-tich']), createDesk(db, ['ho-tich'])]);
  const keys = await Promise.all(desks.map((d) => deskSubmitHeaders(db, d.code)));
  const posts = Array.from({ length: 40 }, (_, i) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/responses',
      headers: keys[i % 2],
      payload: { desk: desks[i % 2]?.code, answers: { ...ANSWERS, access: 1 + (i % 5) }, submissionId: randomUUID() },
    }),
  );
  const replies = await Promise.all(posts);
  t.same(
    replies.map((r) => r.statusCode),
    replies.map(() => 201),
  );
  const ids = new Set(replies.map((r) => r.json().id));
  t.equal(ids.size, 40, 'forty different response ids');
  t.equal(await count(db, sql`select count(*) as n from response`), 40);
  const transactions = await count(db, sql`select count(distinct xmin::text) as n from response`);
  t.ok(transactions <= 10, `40 responses were written in ${transactions} transactions`);
  t.equal(await count(db, sql`select coalesce(sum(n), 0) as n from response_daily`), 40, 'aggregates count each once');
});

t.test('in one batch, a resent id is a replay and a reused id with other answers a 409', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const id = randomUUID();
  const headers = await deskSubmitHeaders(db, desk.code);
  const post = (answers: Record<string, unknown>, submissionId = id) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/responses',
      headers,
      payload: { desk: desk.code, answers, submissionId },
    });
  // Others first, so the three with one id queue up behind them and go together.
  const others = Array.from({ length: 6 }, () => post(ANSWERS, randomUUID()));
  const [a, b, c] = await Promise.all([post(ANSWERS), post(ANSWERS), post({ ...ANSWERS, overall: 1 }), ...others]);
  const codes = [a, b, c].map((r) => r?.statusCode).sort();
  t.same(codes, [200, 201, 409], 'one stored, one replay, one conflict');
  const stored = [a, b].map((r) => r?.json().id);
  t.equal(stored[0], stored[1], 'the replay returns the stored id');
  t.equal(await count(db, sql`select count(*) as n from response where submission_id = ${id}`), 1);
  t.equal(
    await count(
      db,
      sql`select count(*) as n from answer a join response r on r.id = a.response_id
                              where r.submission_id = ${id}`,
    ),
    7,
    'one set of answers',
  );
});

t.test('a row the database refuses fails alone; its batch neighbours are stored', async (t) => {
  const { db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  const versionId = await quickVersionId(db);
  const row = (comment: string): NewResponse => ({
    submissionId: randomUUID(),
    payloadHash: randomUUID(),
    surveyVersionId: versionId,
    unitId: desk.centreId,
    deskId: desk.deskId,
    serviceArea: 'ho-tich',
    channel: 'api',
    locale: 'vi',
    answers: [
      { key: 'overall', kind: 'scale', value: 4 },
      { key: 'comment', kind: 'text', value: comment },
    ],
  });
  // A 2,001-character comment breaks a check constraint (validation would stop it earlier).
  const rows = [row('tốt'), row('tốt'), row('x'.repeat(2001)), row('tốt'), row('tốt')];
  const results = await Promise.allSettled(rows.map((r) => submitBatched(db, r)));
  t.same(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
  t.match(String((results[2] as PromiseRejectedResult).reason), /check constraint/);
  t.equal(await count(db, sql`select count(*) as n from response`), 4);
  t.equal(await count(db, sql`select coalesce(sum(n), 0) as n from response_daily`), 4);
});

t.test('a staff change reaches the next citizen at once, though desks are cached', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich']);
  t.equal((await app.inject(`/q/${desk.code}`)).statusCode, 200, 'the desk is now cached');
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, desk.provinceId) });
  t.equal((await manager.post(`/staff/desks/${desk.deskId}/active`, { value: '0' })).statusCode, 303);
  t.equal((await app.inject(`/q/${desk.code}`)).statusCode, 404, 'the deactivated desk is gone from the page');
  const post = await app.inject({
    method: 'POST',
    url: '/api/v1/responses',
    headers: await deskSubmitHeaders(db, desk.code),
    payload: { desk: desk.code, answers: ANSWERS, submissionId: randomUUID() },
  });
  t.equal(post.statusCode, 422, 'and refuses submissions');
});

t.test('the cached citizen page gets a new submission id, render time and nonces each time', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['ho-tich', 'dat-dai']);
  const pages = await Promise.all([app.inject(`/q/${desk.code}`), app.inject(`/q/${desk.code}`)]);
  const field = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(body)?.[1];
  const [one, two] = pages.map((p) => p.body);
  t.ok(field(one ?? '', 'submissionId'));
  t.not(field(one ?? '', 'submissionId'), field(two ?? '', 'submissionId'), 'a submission id per page');
  // The render time is signed per request: a page served from the cache
  // later than the first still says when it was served, not when it was cached.
  await new Promise((r) => setTimeout(r, 50));
  const later = (await app.inject(`/q/${desk.code}`)).body;
  const renderedAt = (body: string) => Number(field(body, 'renderToken')?.split('.')[0]);
  t.ok(renderedAt(later) - renderedAt(one ?? '') >= 50, 'the render time is the time of each request');
  t.ok(Math.abs(renderedAt(later) - Date.now()) < 5_000);
  t.notMatch(one ?? '', /HLFILL/, 'no placeholder is left');
  for (const page of pages) {
    const csp = String(page.headers['content-security-policy']);
    const nonces = [...page.body.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]);
    t.ok(nonces.length >= 2, 'the style and the script carry a nonce');
    for (const n of nonces) t.match(csp, `'nonce-${n}'`, 'the nonce is the one the policy allows');
  }
  const english = await app.inject(`/q/${desk.code}?lang=en&area=dat-dai`);
  t.match(english.body, /<html lang="en"/, 'a language has its own page');
  t.match(english.body, /value="dat-dai"[^>]*checked/, 'and a chosen area its own');
});
