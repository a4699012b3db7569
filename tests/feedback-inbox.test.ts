import { sql } from 'kysely';
import t from 'tap';
import { feedbackRates } from '../server/features/feedback/feedback-rules.ts';
import { comment, HAPPY, ict, setup, withOverall } from './helpers/feedback.ts';
import { unitCode } from './helpers/fixtures.ts';
import { staffClient } from './helpers/staff.ts';

// Feedback follow-up (PAKN), the manager's side: the pages never tell the
// time of a complaint; the inbox shows the figures, the overdue list and
// filters; who may read and change items.

t.test('feedback pages show the day a response was sent, never its time, and no receipt badge', async (t) => {
  const { db, respond, items, manager } = await setup(t);
  // 09:24:37 on a Friday: a manager who knows who was at the counter then
  // must not learn who complained. The due date keeps that time of day too.
  await respond([[...withOverall(1), comment('Cán bộ quầy 1 thiếu niềm nở.')]], { at: ict('2026-11-20T09:24:37') });
  await sql`update response set verified = true`.execute(db);
  const id = (await items())[0]!.id;
  const pages = {
    list: (await manager.get('/staff/feedback?status=all')).body,
    overdue: (await manager.get('/staff/feedback?status=all&overdue=1')).body,
    item: (await manager.get(`/staff/feedback/${id}`)).body,
  };
  for (const [name, body] of Object.entries(pages)) {
    t.match(body, /Cán bộ quầy 1 thiếu niềm nở\./, `${name}: the item is on the page`);
    t.match(body, /20\/11\/2026/, `${name}: the day it was sent`);
    t.notMatch(body, /\b\d{1,2}(:|h|&#58;)\d{2}\b/, `${name}: no time of day anywhere, in text or attributes`);
    t.notMatch(body, /datetime=|data-sort|data-time/, `${name}: no machine-readable time either`);
    t.notMatch(body, /có mã|giấy tiếp nhận/i, `${name}: no receipt badge`);
  }
  t.match(pages.item, /Quầy 1 – Đất đai/, 'the desk stays: the minute goes');
});

t.test('the inbox: figures, the overdue list, filters', async (t) => {
  const { db, respond, items, manager } = await setup(t);
  const now = Date.now();
  // Four items due long ago, one due in the future.
  await respond([withOverall(1), withOverall(1), withOverall(2), withOverall(2)], {
    at: new Date(now - 30 * 86_400_000),
  });
  await respond([[...HAPPY, comment('Nên có chỗ để xe rộng hơn.')]]);
  const [a, b, c, d, e] = await items();
  const set = (id: number, status: string, answeredAt: Date | null) =>
    sql`update feedback_item set status = ${status}, public_answer = 'Đã trả lời.', answered_at = ${answeredAt}
        where id = ${id}`.execute(db);
  await set(a!.id, 'answered', new Date(a!.due_at.getTime() - 3_600_000)); // on time
  await set(b!.id, 'answered', new Date(b!.due_at.getTime() + 3_600_000)); // late
  // c and d: overdue; e: not yet due.

  const page = await manager.get('/staff/feedback');
  t.equal(page.statusCode, 200);
  const figures = page.body.slice(
    page.body.indexOf('id="figures"'),
    page.body.indexOf('</table>', page.body.indexOf('id="figures"')),
  );
  t.match(figures, /Tổng số phản ánh, kiến nghị<\/th><td class="num">5</);
  t.match(figures, /<strong>40%<\/strong> <span class="muted">\(2\/5\)/, '2 of 5 handled');
  t.match(figures, /<strong>50%<\/strong> <span class="muted">\(1\/2\)/, '1 of the 2 handled on time');
  t.match(figures, /Quá hạn, chưa xử lý<\/th><td class="num"><strong>2</);
  const overdue = page.body.slice(
    page.body.indexOf('<h2>Quá hạn, chưa xử lý</h2>'),
    page.body.indexOf('<h2>Danh sách</h2>'),
  );
  t.match(overdue, `href="/staff/feedback/${c!.id}"`);
  t.match(overdue, `href="/staff/feedback/${d!.id}"`);
  t.notMatch(overdue, `href="/staff/feedback/${e!.id}"`);
  t.notMatch(overdue, `href="/staff/feedback/${a!.id}"`);

  const list = (body: string) => body.slice(body.indexOf('<h2>Danh sách</h2>'));
  const open = list(page.body);
  t.notMatch(open, `href="/staff/feedback/${a!.id}"`, 'by default only items not yet handled');
  t.match(open, `href="/staff/feedback/${e!.id}"`);
  t.match(open, /Nên có chỗ để xe rộng hơn\./);
  const answered = list((await manager.get('/staff/feedback?status=answered')).body);
  t.match(answered, `href="/staff/feedback/${a!.id}"`);
  t.notMatch(answered, `href="/staff/feedback/${c!.id}"`);
  const late = list((await manager.get('/staff/feedback?status=all&overdue=1')).body);
  t.match(late, `href="/staff/feedback/${c!.id}"`);
  t.notMatch(late, `href="/staff/feedback/${e!.id}"`);
  t.notMatch(late, `href="/staff/feedback/${b!.id}"`, 'handled late is not overdue');
  t.equal((await manager.get('/staff/feedback?status=nonsense')).statusCode, 200, 'an unknown filter falls back');

  t.same(feedbackRates({ total: 0, handled: 0, handledOnTime: 0, overdue: 0 }), {
    handledRate: null,
    onTimeRate: null,
  });
});

// Another commune's items by id (404, as for an id that does not exist or is malformed) and
// changing them: the cross-unit matrix (tests/cross-unit.test.ts).
t.test("who may read and change items; another commune's are not listed", async (t) => {
  const { app, db, mine, respond, items, manager } = await setup(t);
  await respond([[...HAPPY, comment('Ý kiến của xã Tân Hội.')]]);
  await respond([[...HAPPY, comment('Ý kiến của xã Bình Minh.')]], { desk: 'other' });
  const [ours] = await items();
  const change = { status: 'in_progress', internalNote: 'x', publicAnswer: '' };

  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  t.equal((await official.get(`/staff/feedback/${ours!.id}`)).statusCode, 200, 'an official reads');
  t.notMatch((await official.get(`/staff/feedback/${ours!.id}`)).body, /<form method="post" action="\/staff\/feedback/);
  t.equal((await official.post(`/staff/feedback/${ours!.id}`, change)).statusCode, 403, 'but does not change');
  const counter = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, mine.centreId) });
  t.equal((await counter.get('/staff/feedback')).statusCode, 403);
  t.equal((await counter.get(`/staff/feedback/${ours!.id}`)).statusCode, 403);

  const list = await manager.get('/staff/feedback');
  t.match(list.body, /Ý kiến của xã Tân Hội/);
  t.notMatch(list.body, /Bình Minh/, "another commune's feedback is not listed");
  t.same(
    (await items()).map((i) => i.status),
    ['new', 'new'],
    'nothing changed',
  );
});
