import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { replyKeyOf } from '../server/features/feedback/feedback-rules.ts';
import { feedbackFiguresForPeriod } from '../server/features/feedback/feedback-service.ts';
import { secretHash } from '../server/platform/secrets.ts';
import { comment, ict, setup, withOverall } from './helpers/feedback.ts';
import { unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testConfig } from './helpers/harness.ts';

// What feedback gives back: the public reply a citizen reads when they come
// back to their one-time code's address, and the figures of a report period.

t.test('the citizen reads the public reply at /t/{code}: its text and day, nothing internal', async (t) => {
  const { app, db, mine, deskId, items, manager } = await setup(t, {
    stuffing: { ...testConfig().stuffing, minSeconds: 0 },
  });
  const desk = await db.selectFrom('desk').select('code').where('id', '=', deskId).executeTakeFirstOrThrow();
  const key = (await createApiKey(db, { unitCode: await unitCode(db, mine.centreId), role: 'manager', label: 'k' }))!;
  const issue = async (ref: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/transaction-codes',
      headers: { authorization: `Bearer ${key.key}` },
      payload: { desk: desk.code, serviceArea: 'dat-dai', dossierRef: ref },
    });
    t.equal(res.statusCode, 201);
    return new URL(String(res.json().url)).pathname;
  };
  const answer = async (path: string, answers: Record<string, string>) => {
    const form = await app.inject({ method: 'GET', url: path });
    const renderToken = /name="renderToken" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const res = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...answers, submissionId: randomUUID(), renderToken }).toString(),
    });
    t.equal(res.statusCode, 200, 'thanked');
  };
  const complaint = await issue('HS-0001');
  await answer(complaint, { ...VALID_FORM_ANSWERS, overall: '2', comment: 'Phải đi lại ba lần.' });
  const praise = await issue('HS-0002');
  await answer(praise, VALID_FORM_ANSWERS);
  t.equal((await app.inject({ method: 'GET', url: complaint })).statusCode, 410, 'no reply yet: the code is used');

  const item = (await items()).find((i) => i.kind === 'item')!;
  const url = `/staff/feedback/${item.id}`;
  const note = 'Ghi chú nội bộ: cán bộ Hùng trực quầy hôm đó.';
  const reply = 'UBND xã đã chấn chỉnh, từ nay hướng dẫn hồ sơ <đầy đủ> một lần.';
  t.equal(
    (await manager.post(url, { status: 'in_progress', internalNote: note, publicAnswer: reply })).statusCode,
    303,
  );
  t.equal((await app.inject({ method: 'GET', url: complaint })).statusCode, 410, 'a draft reply is not published');
  t.equal((await manager.post(url, { status: 'answered', internalNote: note, publicAnswer: reply })).statusCode, 303);

  const back = await app.inject({ method: 'GET', url: complaint });
  t.equal(back.statusCode, 200);
  t.equal(back.headers['cache-control'], 'no-store');
  t.match(back.body, /Trả lời ý kiến của Ông\/Bà/);
  t.match(back.body, /UBND xã đã chấn chỉnh, từ nay hướng dẫn hồ sơ &lt;đầy đủ&gt; một lần\./, 'the reply, escaped');
  const answeredAt = (await items()).find((i) => i.id === item.id)!.answered_at!;
  const day = answeredAt.toLocaleDateString('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' });
  t.match(back.body, `Ngày trả lời: ${day}`, 'and its day');
  for (const secret of [note, 'Hùng', 'Cán bộ Thử Nghiệm', manager.email, 'Phải đi lại ba lần', 'Đang xử lý']) {
    t.notMatch(back.body, secret, `nothing internal: ${secret}`);
  }
  t.notMatch(back.body, /<form/, 'no form: the code stays used');
  t.match((await app.inject({ method: 'GET', url: `${complaint}?lang=en` })).body, /Reply to your feedback/);
  t.equal((await app.inject({ method: 'GET', url: praise })).statusCode, 410, 'praise has no reply: used');
  t.equal((await app.inject({ method: 'GET', url: '/t/AAAAAAAAAAAAAAAAAAAAAA' })).statusCode, 404);

  // The link cannot be made from what the database keeps of the code.
  const code = complaint.slice('/t/'.length);
  const keys = await db.selectFrom('feedback_reply_key').selectAll().execute();
  t.equal(keys.length, 2, 'one key per response through a code');
  t.ok(keys.some((k) => k.key_hash === replyKeyOf(code) && k.response_id === item.response_id));
  const stored = await db.selectFrom('transaction_code').select('code_hash').execute();
  t.ok(stored.some((c) => c.code_hash === secretHash(code)));
  t.notOk(
    keys.some((k) => stored.some((c) => k.key_hash === c.code_hash || k.key_hash === secretHash(c.code_hash))),
    'no key equals a stored code hash or its hash',
  );

  // Reopened: the reply is withdrawn until answered again.
  t.equal(
    (await manager.post(url, { status: 'in_progress', internalNote: note, publicAnswer: reply })).statusCode,
    303,
  );
  t.equal((await app.inject({ method: 'GET', url: complaint })).statusCode, 410);
});

t.test('feedbackFiguresForPeriod: opened, handled, on time and praise of a period, per unit subtree', async (t) => {
  const { db, mine, other, respond, items } = await setup(t);
  const october = { at: ict('2026-10-15T09:00:00') };
  await respond([withOverall(1), withOverall(2), withOverall(3)], october);
  await respond([[...withOverall(5), comment('Cảm ơn.')]], october);
  await respond([withOverall(1)], { at: ict('2026-10-31T23:30:00') }); // still October in Vietnam
  await respond([withOverall(1)], { at: ict('2026-11-01T00:10:00') }); // October 31 in UTC: November here
  await respond([withOverall(2)], { ...october, desk: 'other' });
  const all = await items();
  const oct = all.filter((i) => i.kind === 'item' && i.unit_id === mine.centreId).slice(0, 3);
  const set = (id: number, answeredAt: Date) =>
    sql`update feedback_item set status = 'answered', public_answer = 'Đã trả lời.', answered_at = ${answeredAt}
        where id = ${id}`.execute(db);
  await set(oct[0]!.id, new Date(oct[0]!.due_at!.getTime() - 60_000)); // on time
  await set(oct[1]!.id, new Date(oct[1]!.due_at!.getTime() + 60_000)); // late
  // A suspect response's item is left out.
  await respond([withOverall(1)], october);
  const suspect = (await items()).at(-1)!;
  await sql`update response set suspect = true, suspect_reason = 'burst' where id = ${suspect.response_id}`.execute(db);

  const figures = await feedbackFiguresForPeriod(db, {
    unitIds: [mine.communeId, other.centreId, 999_999, mine.centreId],
    from: '2026-10-01',
    to: '2026-10-31',
  });
  t.same(
    figures.map(({ unitId, opened, handled, handledOnTime, praise }) => [
      unitId,
      opened,
      handled,
      handledOnTime,
      praise,
    ]),
    [
      [mine.communeId, 4, 2, 1, 1],
      [other.centreId, 1, 0, 0, 0],
      [mine.centreId, 4, 2, 1, 1],
    ],
    'in the order asked, each over its subtree; an unknown unit is left out',
  );
  t.equal(figures[0]!.handledRate, 0.5);
  t.equal(figures[0]!.onTimeRate, 0.5);
  t.equal(figures[1]!.onTimeRate, null, 'nothing handled: no rate');
  const november = await feedbackFiguresForPeriod(db, {
    unitIds: [mine.centreId],
    from: '2026-11-01',
    to: '2026-11-30',
  });
  t.match(november, [{ opened: 1, praise: 0 }], 'the day is Vietnam’s');
  const area = await feedbackFiguresForPeriod(db, {
    unitIds: [mine.centreId],
    from: '2026-10-01',
    to: '2026-10-31',
    serviceArea: 'ho-tich',
  });
  t.match(area, [{ opened: 0, praise: 0 }], 'narrowed to a service area');
  t.same(await feedbackFiguresForPeriod(db, { unitIds: [], from: '2026-10-01', to: '2026-10-31' }), []);
});
