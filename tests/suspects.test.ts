import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { buildSatisfactionReport } from '../server/features/reports/report-service.ts';
import { signRenderToken } from '../server/features/submission/stuffing-rules.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { rawAggregates, storedAggregates } from './helpers/aggregate-data.ts';
import { createCentre, deskSubmitHeaders, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// The officials' review of flagged responses: listed by desk and reason in
// their subtree; confirming keeps a response out of the indices, clearing
// counts it again (the report figures move accordingly); both audited;
// another commune's desks are a 404.

const ADMIN: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'thử' };

const answers = (overall: number, others = overall) => ({
  access: others,
  procedure: others,
  staff: others,
  result: others,
  feedback: 'na',
  overall,
});

const SECRET = 'bí-mật-ký-phiếu-thử-nghiệm-đủ-dài-32+';

async function setup(t: Test) {
  const { app, db } = await testApp(t, { formSecret: SECRET });
  const a = await createCentre(db, 'Xã Alpha');
  const deskCode = `quay-alpha-${a.centreId}`;
  const deskId = await insertDesk(db, {
    unitId: a.centreId,
    code: deskCode,
    name: 'Quầy Alpha',
    serviceAreas: ['ho-tich'],
  });
  const headers = await deskSubmitHeaders(db, deskCode);
  const api = (body: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/responses',
      headers,
      payload: { desk: deskCode, submissionId: randomUUID(), ...body },
    });
  // Three citizens on their own phones, each from the page opened a minute ago…
  for (const [i, overall] of [5, 4, 3].entries()) {
    const form = Object.entries(answers(overall, 4)).map(([k, v]) => [k, String(v)]);
    await app.inject({
      method: 'POST',
      url: `/q/${deskCode}`,
      remoteAddress: `203.0.113.${i + 1}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        ...Object.fromEntries(form),
        submissionId: randomUUID(),
        renderToken: signRenderToken(Buffer.from(SECRET), deskCode, Date.now() - 60_000),
      }).toString(),
    });
  }
  // …then one kiosk sends the same low scores eight times: a burst from one
  // source, flagged from the fifth and back to the first of them.
  for (let i = 0; i < 8; i++) await api({ answers: answers(1) });
  // And a bot that filled the honeypot.
  await app.inject({
    method: 'POST',
    url: `/q/${deskCode}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      ...VALID_FORM_ANSWERS,
      overall: '2',
      submissionId: randomUUID(),
      website: 'x',
    }).toString(),
  });
  const flagged = async () =>
    db
      .selectFrom('response')
      .select(['id', 'suspect', 'suspect_reason', 'suspect_review'])
      .where('suspect_reason', 'is not', null)
      .orderBy('id')
      .execute();
  const report = async () => {
    const today = todayIso(new Date());
    const r = await buildSatisfactionReport(db, ADMIN, { unitId: a.communeId, from: today, to: today });
    return { n: r!.overall.n, satisfied: r!.overall.satisfied, excluded: r!.flaggedExcluded };
  };
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, a.communeId) });
  return { app, db, a, deskId, deskCode, flagged, report, official };
}

const NOTE = 'Lý do thử nghiệm';

const burstIds = async (db: Db) =>
  (await db.selectFrom('response').select('id').where('suspect_reason', '=', 'burst').orderBy('id').execute()).map(
    (r) => r.id,
  );

t.test('suspects are stored, left out of the report, and listed by desk and reason', async (t) => {
  const { deskId, flagged, report, official } = await setup(t);
  const rows = await flagged();
  t.same(
    rows.map((r) => r.suspect_reason),
    ['burst', 'burst', 'burst', 'burst', 'burst', 'burst', 'burst', 'burst', 'honeypot,no_token'],
  );
  t.same(await report(), { n: 3, satisfied: 2, excluded: 9 }, 'flagged: out of the figures at once');

  const res = await official.get('/staff/suspects');
  t.equal(res.statusCode, 200);
  t.match(res.body, /Xã Alpha|Trung tâm Phục vụ hành chính công Xã Alpha/);
  t.match(res.body, /Quầy Alpha/);
  t.match(res.body, /Cùng một nguồn gửi nhiều phiếu trả lời giống hệt nhau/, 'reasons in words');
  t.match(res.body, /Điền vào ô ẩn mà người thật không thấy/);
  t.match(res.body, /\d{2}\/\d{2}\/20\d{2}/, 'dd/mm/yyyy');
  t.notMatch(res.body, /\d{1,2}:\d{2}/, 'never the time of a response');
  t.match(
    res.body,
    /Hài lòng chung 1 · Tiếp cận dịch vụ 1 · Thủ tục hành chính 1 · Công chức 1 · Kết quả 1 · Góp ý, phản ánh, kiến nghị không áp dụng/,
    'the answers',
  );
  t.match(res.body, /Xác nhận nghi vấn cả nhóm \(8 phiếu\)/, 'the burst as one group');
  t.match(res.body, /Bỏ đánh dấu cả nhóm \(1 phiếu\)/);
  t.equal(
    (res.body.match(/name="responseId"/g) ?? []).length,
    (8 + 1) * 2,
    "each response in its own form and in its group's",
  );
  const one = await official.get(`/staff/desks/${deskId}/suspects`);
  t.equal(one.statusCode, 200);
  t.match(one.body, /Quầy Alpha/);
});

t.test('clearing counts a response again, confirming keeps it out; both audited', async (t) => {
  const { db, a, deskId, flagged, report, official } = await setup(t);
  const [first, ...rest] = await burstIds(db);

  const noReason = await official.post(`/staff/desks/${deskId}/suspects`, { decision: 'clear', responseId: first! });
  t.equal(noReason.statusCode, 422, 'a decision needs its reason');
  t.match(noReason.body, /ghi lý do/);
  const cleared = await official.post(`/staff/desks/${deskId}/suspects`, {
    decision: 'clear',
    responseId: first!,
    note: 'Đã gọi điện xác minh với người dân',
  });
  t.equal(cleared.statusCode, 303);
  t.equal(cleared.headers.location, '/staff/suspects?status=pending&done=clear&n=1');
  t.same(await report(), { n: 4, satisfied: 2, excluded: 8 }, 'one more counted, one fewer excluded');
  const row = (await flagged()).find((r) => r.id === first);
  t.same(row, { id: first, suspect: false, suspect_reason: 'burst', suspect_review: 'cleared' }, 'its reasons kept');

  const confirmed = await official.post(`/staff/desks/${deskId}/suspects`, {
    decision: 'confirm',
    responseId: rest,
    from: 'desk',
    note: 'Một ki-ốt gửi liên tục cùng một phiếu',
  });
  t.equal(confirmed.statusCode, 303);
  t.equal(confirmed.headers.location, `/staff/desks/${deskId}/suspects?status=pending&done=confirm&n=7`);
  t.same(await report(), { n: 4, satisfied: 2, excluded: 8 }, 'confirmed: still out');
  t.same(
    (await flagged()).filter((r) => rest.includes(r.id)).map((r) => [r.suspect, r.suspect_review]),
    rest.map(() => [true, 'confirmed']),
  );
  const done = await official.get('/staff/suspects?status=pending&done=confirm&n=7');
  t.match(done.body, /Đã xác nhận 7 phiếu nghi vấn/);
  t.notMatch(done.body, /giống hệt nhau/, 'reviewed ones leave the pending list');
  t.match((await official.get('/staff/suspects?status=confirmed')).body, /Bỏ đánh dấu cả nhóm \(7 phiếu\)/);

  // A confirmation can be undone: the group cleared from the confirmed list.
  await official.post(`/staff/desks/${deskId}/suspects`, {
    decision: 'clear',
    responseId: rest,
    status: 'confirmed',
    note: 'Xem lại: ki-ốt phục vụ đoàn khách',
  });
  t.same(await report(), { n: 11, satisfied: 2, excluded: 1 });
  t.same(await storedAggregates(db), await rawAggregates(db), 'the daily counts agree with the raw rows');

  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'unit_id', 'actor_user_id', 'detail'])
    .where('action', 'like', 'suspect.%')
    .orderBy('id')
    .execute();
  t.same(
    audit.map((e) => [e.action, e.unit_id, (e.detail as { count: number }).count]),
    [
      ['suspect.clear', a.centreId, 1],
      ['suspect.confirm', a.centreId, 7],
      ['suspect.clear', a.centreId, 7],
    ],
  );
  t.equal((audit[1]!.detail as { note: string }).note, 'Một ki-ốt gửi liên tục cùng một phiếu', 'with the reason');
  t.ok(
    audit.every((e) => e.actor_user_id !== null),
    'with who did it',
  );
  t.same((audit[1]!.detail as { responseIds: string[] }).responseIds.sort(), [...rest].sort());
});

t.test('only flagged responses of that desk can be reviewed, all or nothing', async (t) => {
  const { db, deskId, flagged, report, official } = await setup(t);
  const before = { flags: await flagged(), report: await report() };
  const genuine = (
    await db.selectFrom('response').select('id').where('suspect_reason', 'is', null).executeTakeFirstOrThrow()
  ).id;
  const [burst] = await burstIds(db);
  const post = (fields: Record<string, string | string[]>) =>
    official.post(`/staff/desks/${deskId}/suspects`, { note: 'Lý do thử nghiệm', ...fields });
  t.equal(
    (await post({ decision: 'confirm', responseId: genuine })).statusCode,
    404,
    'an unflagged response cannot be excluded',
  );
  t.equal(
    (await post({ decision: 'clear', responseId: [burst!, genuine] })).statusCode,
    404,
    'one bad id: nothing done',
  );
  t.equal((await post({ decision: 'clear', responseId: '99999999' })).statusCode, 404);
  t.equal((await post({ decision: 'clear' })).statusCode, 422, 'nothing chosen');
  t.equal((await post({ decision: 'drop', responseId: burst! })).statusCode, 422, 'no other action');
  t.equal((await post({ decision: 'clear', responseId: '1; drop table response' })).statusCode, 422);
  t.same({ flags: await flagged(), report: await report() }, before, 'nothing changed');
});

// Another commune's users asking for A's desk list or clearing A's responses at A's desk (a 404
// for its officials, as for a desk that does not exist; a 403 for its manager), seeing nothing of
// A in their list, changing nothing: the cross-unit matrix (tests/cross-unit.test.ts).
t.test("A's response through B's own desk is a 404; counter staff are refused, and it is audited", async (t) => {
  const { app, db, a, deskId, flagged, official } = await setup(t);
  const b = await createCentre(db, 'Xã Beta');
  const bDesk = await insertDesk(db, {
    unitId: b.centreId,
    code: `quay-beta-${b.centreId}`,
    name: 'Quầy Beta',
    serviceAreas: ['ho-tich'],
  });
  const before = await flagged();
  const [burst] = await burstIds(db);
  const officialOfB = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, b.communeId) });
  t.equal(
    (await officialOfB.post(`/staff/desks/${bDesk}/suspects`, { decision: 'clear', responseId: burst!, note: NOTE }))
      .statusCode,
    404,
    "official of B: own desk, A's response",
  );
  t.same(await flagged(), before, 'nothing changed');

  const counter = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, a.centreId) });
  t.equal((await counter.get('/staff/suspects')).statusCode, 403);
  t.equal(
    (await counter.post(`/staff/desks/${deskId}/suspects`, { decision: 'clear', responseId: burst! })).statusCode,
    403,
  );
  const denied = await db
    .selectFrom('audit_event')
    .select('action')
    .where('action', '=', 'permission.denied')
    .execute();
  t.equal(denied.length, 2, 'refusals audited (counter staff twice)');
  t.same(await flagged(), before);
  t.equal((await official.get('/staff/suspects')).statusCode, 200);
});

t.test('nobody reviews their own score: the centre and its own officials are refused', async (t) => {
  const { app, db, a, deskId, flagged, official } = await setup(t);
  const before = await flagged();
  const [burst] = await burstIds(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, a.centreId) });
  const ownOfficial = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, a.centreId) });
  t.equal((await manager.get('/staff/suspects')).statusCode, 403, "the centre's manager does not review");
  t.equal(
    (await manager.post(`/staff/desks/${deskId}/suspects`, { decision: 'clear', responseId: burst!, note: NOTE }))
      .statusCode,
    403,
  );
  const ownList = await ownOfficial.get('/staff/suspects');
  t.equal(ownList.statusCode, 200);
  t.notMatch(ownList.body, /giống hệt nhau/, "an official of the centre's own unit is not shown its suspects");
  t.equal((await ownOfficial.get(`/staff/desks/${deskId}/suspects`)).statusCode, 403);
  t.equal(
    (await ownOfficial.post(`/staff/desks/${deskId}/suspects`, { decision: 'clear', responseId: burst!, note: NOTE }))
      .statusCode,
    403,
    'nor can it clear them',
  );
  t.same(await flagged(), before, 'nothing changed');
  const list = await official.get('/staff/suspects');
  t.match(list.body, /giống hệt nhau/, 'the official of the commune above reviews them');
  const watched = await db.selectFrom('desk_watch').selectAll().execute();
  t.same(watched, [], 'eleven responses do not put a desk under watch');
});
