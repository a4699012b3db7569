import { sql } from 'kysely';
import t from 'tap';
import { setup, withOverall } from './helpers/feedback.ts';
import { unitCode } from './helpers/fixtures.ts';
import { type StaffClient, staffClient } from './helpers/staff.ts';

// Assigning an item to a named manager, and the assignee's "Việc của tôi".
// Only managers the actor may see and who can open the item are offered or
// accepted; every assignment is audited and written in the item's history.

t.test('a manager gives an item to a named colleague, who finds it under "Việc của tôi"', async (t) => {
  const { app, db, mine, other, respond, items, manager } = await setup(t);
  await respond([withOverall(1), withOverall(2)]);
  const [item, second] = await items();
  const url = `/staff/feedback/${item!.id}`;

  const named = async (client: StaffClient, name: string) => {
    await db.updateTable('app_user').set({ name }).where('email', '=', client.email).execute();
    return (await db.selectFrom('app_user').select('id').where('email', '=', client.email).executeTakeFirstOrThrow())
      .id;
  };
  const centreManager = await named(manager, 'Trần Văn Bình');
  const commune = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
  const communeManager = await named(commune, 'Lê Thị Hoa');
  const counter = await named(
    await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, mine.centreId) }),
    'Phạm Văn Quầy',
  );
  const outsider = await named(
    await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.centreId) }),
    'Ngô Văn Ngoài',
  );

  const options = (body: string) =>
    [...body.matchAll(/<option value="(\d+)"[^>]*>([^<]+)</g)].map((m) => [Number(m[1]), m[2]!.split(' (')[0]]);
  const communePage = await commune.get(url);
  t.same(
    options(communePage.body),
    [
      [communeManager, 'Lê Thị Hoa'],
      [centreManager, 'Trần Văn Bình'],
    ],
    "the commune's manager may give it to a manager of the commune or of the centre (not counter staff, not another commune)",
  );
  t.same(
    options((await manager.get(url)).body),
    [[centreManager, 'Trần Văn Bình']],
    "the centre's manager sees only the managers of the centre: the commune is above them",
  );

  for (const [who, id] of [
    ['counter staff', counter],
    ["another commune's manager", outsider],
    ['nobody that exists', 999_999],
  ] as const) {
    const refused = await commune.post(`${url}/assign`, { assigneeId: String(id) });
    t.equal(refused.statusCode, 422, `${who}: refused`);
    t.match(refused.body, /Chọn một người trong danh sách/);
  }
  t.equal((await manager.post(`${url}/assign`, { assigneeId: String(communeManager) })).statusCode, 422, 'nor above');
  t.equal((await commune.post(`${url}/assign`, { assigneeId: 'abc' })).statusCode, 422);
  t.equal((await items())[0]!.assignee_user_id, null, 'nothing assigned by any of these');

  const given = await commune.post(`${url}/assign`, { assigneeId: String(centreManager) });
  t.equal(given.statusCode, 303);
  t.equal(given.headers.location, `${url}?saved=1`);
  const row = (await items())[0]!;
  t.equal(row.assignee_user_id, centreManager);
  t.ok(row.assigned_at);
  t.equal((await commune.post(`${url}/assign`, { assigneeId: String(centreManager) })).statusCode, 422, 'no change');

  const mine1 = await manager.get('/staff/feedback?view=mine');
  t.match(mine1.body, /Việc của tôi \(1\)/);
  t.match(mine1.body, `href="/staff/feedback/${item!.id}"`, 'the assignee sees it under "Việc của tôi"');
  t.notMatch(mine1.body, `href="/staff/feedback/${second!.id}"`, 'and only what is theirs');
  t.notMatch((await commune.get('/staff/feedback?view=mine')).body, `href="/staff/feedback/${item!.id}"`);
  t.match((await commune.get('/staff/feedback')).body, /<td>Trần Văn Bình<\/td>/, 'the list names the assignee');
  const page = await manager.get(url);
  t.match(page.body, /Người xử lý: <strong>Trần Văn Bình<\/strong>/);
  t.match(page.body, /Giao cho Trần Văn Bình/, 'the history says who gave it to whom');

  t.equal((await commune.post(`${url}/assign`, { assigneeId: '' })).statusCode, 303, 'taken back');
  t.equal((await items())[0]!.assignee_user_id, null);
  const audited = await db
    .selectFrom('audit_event')
    .select(['actor_user_id', 'detail'])
    .where('action', '=', 'feedback.assign')
    .orderBy('id')
    .execute();
  t.same(
    audited.map((a) => [a.actor_user_id, a.detail]),
    [
      [communeManager, { feedbackId: item!.id, from: null, to: centreManager }],
      [communeManager, { feedbackId: item!.id, from: centreManager, to: null }],
    ],
    'each assignment audited',
  );

  // A closed item is final: no one to give it to.
  await sql`update feedback_item set status = 'closed', public_answer = 'Đã xử lý.', answered_at = now(),
            closed_at = now() where id = ${item!.id}`.execute(db);
  t.notMatch((await commune.get(url)).body, /action="[^"]*\/assign"/);
  t.equal((await commune.post(`${url}/assign`, { assigneeId: String(centreManager) })).statusCode, 422);

  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  t.notMatch((await official.get(url)).body, /action="[^"]*\/assign"/, 'an official reads, never assigns');
  t.equal((await official.post(`/staff/feedback/${second!.id}/assign`, { assigneeId: '' })).statusCode, 403);
});
