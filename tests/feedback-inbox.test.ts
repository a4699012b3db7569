import { sql } from 'kysely';
import t from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { comment, ict, setup, withOverall } from './helpers/feedback.ts';
import { unitCode } from './helpers/fixtures.ts';
import { staffClient } from './helpers/staff.ts';

// Feedback follow-up (PAKN), the manager's side: the pages never tell the
// time of a complaint; the inbox's filters, figures and pages; who may read
// and change items (assignment: feedback-assign.test.ts).

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

/** The list part of the inbox page: the links to items in its table. */
const listed = (body: string) =>
  [...body.slice(body.indexOf('class="paging"')).matchAll(/href="\/staff\/feedback\/(\d+)"/g)].map((m) => Number(m[1]));

t.test(
  'the inbox: filters first, the work figures, then filters by status, overdue, dates, unit, desk, area',
  async (t) => {
    const { app, db, mine, deskId, respond, items, manager } = await setup(t);
    // Four items sent on 05/11/2026 (due long ago), one sent today.
    await respond([withOverall(1), withOverall(1), withOverall(2), withOverall(2)], { at: ict('2026-11-05T10:00:00') });
    await respond([[...withOverall(3), comment('Nên có chỗ để xe rộng hơn.')]]);
    const [a, b, c, d, e] = await items();
    const set = (id: number, status: string, answeredAt: Date | null) =>
      sql`update feedback_item set status = ${status}, public_answer = 'Đã trả lời.', answered_at = ${answeredAt}
        where id = ${id}`.execute(db);
    await set(a!.id, 'answered', new Date(a!.due_at!.getTime() - 3_600_000)); // on time
    await set(b!.id, 'answered', new Date(b!.due_at!.getTime() + 3_600_000)); // late
    // c and d: overdue; e: not yet due. Praise counts nowhere in the work figures.
    await respond([[...withOverall(5), comment('Cảm ơn cán bộ.')]]);

    const page = await manager.get('/staff/feedback');
    t.equal(page.statusCode, 200);
    const at = page.body.indexOf('id="figures"');
    const figures = page.body.slice(at, page.body.indexOf('</p>', at));
    t.match(figures, /<strong>5<\/strong> mục/, 'five items: praise is not work');
    t.match(figures, /<strong>40%<\/strong> <span class="muted">\(2\/5\)/, '2 of 5 handled');
    t.match(figures, /<strong>50%<\/strong> <span class="muted">\(1\/2\)/, '1 of the 2 handled on time');
    t.match(figures, /quá hạn, chưa xử lý: <strong>2</);
    t.ok(page.body.indexOf('name="status"') < at, 'the filters come before the figures and the list');
    t.match(page.body, /Lời khen, góp ý \(1\)/);

    const ids = async (query: string) => listed((await manager.get(`/staff/feedback?${query}`)).body);
    t.same(listed(page.body), [c!.id, d!.id, e!.id], 'by default the items not yet handled, the most urgent first');
    t.same(await ids('status=answered'), [a!.id, b!.id]);
    t.same(await ids('status=all&overdue=1'), [c!.id, d!.id], 'handled late is not overdue');
    t.same(await ids('from=20%2F11%2F2026'), [e!.id], 'sent from 20/11/2026 (the day, in Vietnam)');
    t.same(await ids('status=all&to=05%2F11%2F2026'), [c!.id, d!.id, a!.id, b!.id], 'up to 05/11/2026 inclusive');
    t.same(await ids('from=06%2F11%2F2026&to=19%2F11%2F2026'), []);
    const bad = await manager.get('/staff/feedback?from=31%2F02%2F2026');
    t.match(bad.body, /Từ ngày «31\/02\/2026» không phải là ngày hợp lệ/, 'an impossible date is said, not guessed');
    t.match(bad.body, /value="31\/02\/2026"/, 'and kept as typed');
    t.same(listed(bad.body), [c!.id, d!.id, e!.id]);
    t.equal(
      (await manager.get('/staff/feedback?status=nonsense&page=x&unitId=abc')).statusCode,
      200,
      'unknown filters fall back',
    );

    // A second centre of the commune; its commune's manager sees both and narrows by unit, desk, area.
    const second = await insertUnit(db, {
      code: `tt2-${mine.communeId}`,
      name: 'Điểm tiếp nhận Ấp Hai',
      kind: 'centre',
      parent_id: mine.communeId,
    });
    const secondDesk = await insertDesk(db, {
      unitId: second,
      code: `q2-${second}`,
      name: 'Quầy Ấp Hai',
      serviceAreas: ['ho-tich'],
    });
    await respond([withOverall(2)], { desk: { unitId: second, deskId: secondDesk, serviceArea: 'ho-tich' } });
    const f = (await items()).at(-1)!;
    const commune = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
    const theirs = async (query: string) => listed((await commune.get(`/staff/feedback?${query}`)).body);
    t.same(await theirs(''), [c!.id, d!.id, e!.id, f.id]);
    t.same(await theirs(`unitId=${second}`), [f.id], 'one unit');
    t.same(await theirs(`unitId=${mine.centreId}`), [c!.id, d!.id, e!.id]);
    t.same(await theirs(`deskId=${deskId}`), [c!.id, d!.id, e!.id], 'one desk');
    t.same(await theirs('serviceArea=ho-tich'), [f.id], 'one service area');
    t.same(
      await ids(`deskId=${secondDesk}`),
      [c!.id, d!.id, e!.id],
      "a desk outside the centre manager's scope: ignored",
    );
    t.notMatch((await manager.get('/staff/feedback')).body, /Ấp Hai/, 'and not offered');
  },
);

t.test('pages of 50, with counts, keeping the filter', async (t) => {
  const { respond, items, manager } = await setup(t);
  await respond(Array.from({ length: 120 }, () => withOverall(1)));
  const all = (await items()).map((i) => i.id);
  const first = await manager.get('/staff/feedback?serviceArea=dat-dai');
  t.match(first.body, /Hiển thị <strong>1–50<\/strong> trong <strong>120<\/strong> mục · Trang 1\/3/);
  t.equal(listed(first.body).length, 50);
  t.match(
    first.body,
    /href="\/staff\/feedback\?serviceArea=dat-dai&amp;page=2" rel="next"/,
    'the next page keeps the filter',
  );
  const third = await manager.get('/staff/feedback?serviceArea=dat-dai&page=3');
  t.match(third.body, /Hiển thị <strong>101–120<\/strong> trong <strong>120<\/strong> mục · Trang 3\/3/);
  t.notMatch(third.body, /rel="next"/);
  const seen = [
    ...listed(first.body),
    ...listed((await manager.get('/staff/feedback?page=2')).body),
    ...listed(third.body),
  ];
  t.same(
    [...seen].sort((x, y) => x - y),
    all,
    'the three pages hold every item once',
  );
  t.match((await manager.get('/staff/feedback?page=99')).body, /Trang 3\/3/, 'past the end: the last page');
});

// Another commune's items by id (404, as for an id that does not exist or is malformed) and
// changing them: the cross-unit matrix (tests/cross-unit.test.ts).
t.test("who may read and change items; another commune's are not listed", async (t) => {
  const { app, db, mine, respond, items, manager } = await setup(t);
  await respond([[...withOverall(3), comment('Ý kiến của xã Tân Hội.')]]);
  await respond([[...withOverall(3), comment('Ý kiến của xã Bình Minh.')]], { desk: 'other' });
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
