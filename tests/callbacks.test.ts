import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { purgeCallbacks } from '../server/features/callbacks/callback-repository.ts';
import { parseContact, signOfferToken, verifyOfferToken } from '../server/features/callbacks/callback-rules.ts';
import { callbackOffer, saveCallback } from '../server/features/callbacks/callback-service.ts';
import { feedbackFiguresForPeriod } from '../server/features/feedback/feedback-service.ts';
import { setup } from './helpers/feedback.ts';
import { submitHeaders, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testConfig } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// Issue 18, part 4: after a score of 1–2 the citizen may leave a contact for
// a callback (stored apart, shown only to whoever handles the item, deleted
// 30 days after the item closes), and rate the handling once when answered.

const PHONE = '0912345678';
const DAY = 86_400_000;

async function world(t: Parameters<typeof setup>[0]) {
  const s = await setup(t, {
    stuffing: { ...testConfig().stuffing, minSeconds: 0, maxPerClient: 1000, maxPerDesk: 1000, burstSize: 1000 },
  });
  const desk = await s.db.selectFrom('desk').select('code').where('id', '=', s.deskId).executeTakeFirstOrThrow();
  const form = (fields: Record<string, string>) => ({
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });
  /** The survey answered through `path` (a desk's /q/… or a code's /t/…). */
  const answer = async (overall: string, path = `/q/${desk.code}`, extra: Record<string, string> = {}) => {
    const page = await s.app.inject(path);
    const renderToken = /name="renderToken" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const fields = { ...VALID_FORM_ANSWERS, overall, serviceArea: 'dat-dai', submissionId: randomUUID(), renderToken };
    return s.app.inject({ method: 'POST', url: path, ...form({ ...fields, ...extra }) });
  };
  const offerOf = (html: string) => /name="offer" value="([^"]+)"/.exec(html)?.[1];
  const leave = (fields: Record<string, string>) =>
    s.app.inject({ method: 'POST', url: '/lien-he-lai', ...form(fields) });
  const client = async (role: 'manager' | 'official', unitId: number) =>
    staffClient(s.app, s.db, { role, unitCode: await unitCode(s.db, unitId) });
  const newestItem = () => s.db.selectFrom('feedback_item').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
  return { ...s, desk, form, answer, offerOf, leave, newestItem, client };
}

t.test('phone numbers and e-mails as citizens type them', async (t) => {
  t.same(parseContact(' 0912 345 678 '), { ok: true, kind: 'phone', contact: PHONE });
  t.same(parseContact('+84 912.345.678'), { ok: true, kind: 'phone', contact: PHONE });
  t.same(parseContact('+84 0912-345-678'), { ok: true, kind: 'phone', contact: PHONE });
  t.same(parseContact('ba.lan@example.vn'), { ok: true, kind: 'email', contact: 'ba.lan@example.vn' });
  for (const bad of ['012345', '1912345678', '09123456789', '0012345678', '+1 202 555 0101']) {
    t.same(parseContact(bad), { ok: false, problem: 'phone' }, `${bad} is not a Vietnamese number`);
  }
  t.same(parseContact('lan@'), { ok: false, problem: 'email' });
  t.same(parseContact('  '), { ok: false, problem: 'empty' });
});

t.test('the offer after a 1–2 only, never on a tablet; the contact saved with consent only', async (t) => {
  const w = await world(t);
  const low = await w.answer('2');
  t.equal(low.statusCode, 200);
  t.match(low.body, /Cảm ơn Ông\/Bà đã dành thời gian đánh giá!/);
  t.match(low.body, /Ông\/Bà có muốn được liên hệ lại\?/, 'the offer');
  t.match(low.body, /liên hệ lại trong 1 ngày làm việc/);
  t.match(low.body, /được xoá 30 ngày sau khi phản ánh được đóng/, 'when it is deleted');
  t.match(low.body, /<input type="checkbox" name="consent" value="1">/, 'an unticked consent box');
  const token = w.offerOf(low.body)!;
  const response = await w.newestItem();
  t.match(token, new RegExp(`^${response.response_id}\\.\\d+\\.[A-Za-z0-9_-]{43}$`), 'a signed token');

  t.notMatch((await w.answer('4')).body, /liên hệ lại/, 'no offer after a 4');
  t.notMatch((await w.answer('3')).body, /liên hệ lại/, 'no offer after a 3 (an item, not a 1–2)');
  t.match((await w.answer('1', `/q/${w.desk.code}`, { lang: 'en' })).body, /Would you like to be contacted\?/);

  // A counter tablet posts through the API: its response is never offered a callback.
  const headers = await submitHeaders(w.db, w.mine.centreId);
  const kiosk = await w.app.inject({
    method: 'POST',
    url: '/api/v1/responses',
    headers,
    payload: {
      desk: w.desk.code,
      serviceArea: 'dat-dai',
      channel: 'kiosk',
      submissionId: randomUUID(),
      answers: { access: 1, procedure: 1, staff: 1, result: 1, feedback: 'na', overall: 1 },
    },
  });
  t.equal(kiosk.statusCode, 201);
  const kioskResponse = await w.db
    .selectFrom('response')
    .select('id')
    .where('channel', '=', 'kiosk')
    .executeTakeFirstOrThrow();
  t.equal(await callbackOffer(w.db, w.app.config, kioskResponse.id), undefined, 'no offer on a tablet');
  t.ok(await callbackOffer(w.db, w.app.config, response.response_id), 'the web form’s response is offered');

  // Without consent, or with a wrong number: 422, in Vietnamese, what was typed kept.
  const noConsent = await w.leave({ offer: token, contact: PHONE });
  t.equal(noConsent.statusCode, 422);
  t.match(noConsent.body, /Ông\/Bà vui lòng đánh dấu ô đồng ý/);
  t.match(noConsent.body, `value="${PHONE}"`);
  const wrong = await w.leave({ offer: token, contact: '012345', consent: '1' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /Số điện thoại chưa đúng/);
  t.match(wrong.body, /value="012345"/, 'the typed value is kept');
  t.match(wrong.body, /name="consent" value="1" checked/, 'and the ticked box');
  t.match(wrong.body, `value="${token}"`, 'and the token');
  t.equal(await w.db.selectFrom('feedback_callback').select('feedback_id').executeTakeFirst(), undefined);

  // A forged or stale token is refused.
  const forged = token.replace(/^[0-9]+/, (id) => String(Number(id) + 1));
  t.equal((await w.leave({ offer: forged, contact: PHONE, consent: '1' })).statusCode, 400, 'forged');
  const later = new Date(Date.now() + 3 * 3_600_000);
  t.same(
    await saveCallback(w.db, w.app.config, { token, contact: PHONE, consent: true }, later),
    { status: 'expired' },
    'expired after 2 hours',
  );

  const saved = await w.leave({ offer: token, contact: '+84 912 345 678', consent: '1' });
  t.equal(saved.statusCode, 200);
  t.match(saved.body, /Cán bộ phụ trách sẽ liên hệ lại với Ông\/Bà trước ngày \d\d\/\d\d\/\d{4}/);
  const link = /href="(https:\/\/khaosat\.example\.gov\.vn\/theo-doi\/[A-Za-z0-9_-]+)"/.exec(saved.body)?.[1];
  t.ok(link, 'a personal follow-up link');
  const rows = await w.db.selectFrom('feedback_callback').selectAll().execute();
  t.same(
    rows.map((r) => [r.feedback_id, r.contact_kind, r.contact, r.delete_after]),
    [[response.id, 'phone', PHONE, null]],
  );
  const second = await w.leave({ offer: token, contact: 'khac@example.vn', consent: '1' });
  t.equal(second.statusCode, 409, 'one contact per item: the first is kept');
  t.match(second.body, /đã để lại thông tin liên hệ/);
  t.equal((await w.db.selectFrom('feedback_callback').select('contact').executeTakeFirstOrThrow()).contact, PHONE);

  const follow = await w.app.inject(new URL(link!).pathname);
  t.equal(follow.statusCode, 200);
  t.match(follow.body, /đang xử lý ý kiến của Ông\/Bà/, 'not answered yet');
  t.notMatch(follow.body, /<form/, 'nothing to rate yet');
  t.equal((await w.app.inject('/theo-doi/AAAAAAAAAAAAAAAAAAAAAA')).statusCode, 404);
  t.equal(
    (await w.app.inject({ method: 'POST', url: new URL(link!).pathname, ...w.form({ satisfied: 'yes' }) })).statusCode,
    409,
    'cannot rate before the answer',
  );
});

t.test('the contact: to its handler only, audited, in no export or event; gone 30 days after', async (t) => {
  const w = await world(t);
  const centre = await unitCode(w.db, w.mine.centreId);
  const low = await w.answer('1');
  t.equal((await w.leave({ offer: w.offerOf(low.body)!, contact: PHONE, consent: '1' })).statusCode, 200);
  const item = await w.newestItem();
  const url = `/staff/feedback/${item.id}`;
  const colleague = await w.client('manager', w.mine.centreId);
  const official = await w.client('official', w.mine.communeId);
  const above = await w.client('manager', w.mine.communeId);

  // Nobody assigned: the managers of the item's own unit see it; a manager above and an official do not.
  const unassigned = await colleague.get(url);
  t.match(unassigned.body, PHONE, "the unit's manager sees it before any assignment");
  t.match(unassigned.body, /Hạn liên hệ lại: <strong>\d\d\/\d\d\/\d{4}<\/strong> \(1 ngày làm việc\)/);
  for (const [who, client] of [
    ['official', official],
    ['manager above', above],
  ] as const) {
    const page = await client.get(url);
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, PHONE, `${who}: not the contact`);
    t.match(page.body, /Hạn liên hệ lại/, `${who}: the deadline`);
  }

  // Given to one manager: only that one.
  const me = await w.db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', w.manager.email)
    .executeTakeFirstOrThrow();
  t.equal((await w.manager.post(`${url}/assign`, { assigneeId: String(me.id) })).statusCode, 303);
  t.match((await w.manager.get(url)).body, PHONE, 'the assignee sees it');
  t.notMatch((await colleague.get(url)).body, PHONE, 'another manager of the same unit does not');
  t.equal((await colleague.post(`${url}/callback`)).statusCode, 403, 'nor records the callback');

  t.equal((await w.manager.post(`${url}/callback`)).statusCode, 303, 'Đã liên hệ lại');
  const after = (await w.manager.get(url)).body;
  t.match(after, /Đã liên hệ lại lúc \d\d\/\d\d\/\d{4} \d\d:\d\d/);
  t.match(after, /<strong>đúng hạn<\/strong>/, 'met');
  t.notMatch(after, /<button type="submit">Đã liên hệ lại<\/button>/, 'recorded once');
  t.equal((await w.manager.post(`${url}/callback`)).statusCode, 409);
  const audit = await w.db
    .selectFrom('audit_event')
    .select(['action', 'actor_user_id', 'detail'])
    .where('action', 'like', 'feedback.callback.%')
    .execute();
  t.ok(
    audit.some((a) => a.action === 'feedback.callback.view' && a.actor_user_id === me.id),
    'viewing is audited',
  );
  t.ok(
    audit.some((a) => a.action === 'feedback.callback.done' && a.actor_user_id === me.id),
    'marking too',
  );
  const everyAudit = await w.db.selectFrom('audit_event').select('detail').execute();
  t.notOk(JSON.stringify(everyAudit).includes('912345678'), 'the audit log never holds the contact');

  // In no report, export, API answer or event.
  const query = `unitId=${w.mine.communeId}&period=custom&from=${todayIso(new Date())}&to=${todayIso(new Date())}`;
  for (const path of ['export.csv', 'responses.csv', 'export.xlsx']) {
    const file = await official.get(`/staff/reports/${path}?${query}`);
    t.equal(file.statusCode, 200, path);
    t.notOk(file.rawPayload.includes('912345678'), `${path} has no contact`);
  }
  const key = (await createApiKey(w.db, { unitCode: centre, role: 'manager', label: 'k' }))!;
  const day = todayIso(new Date());
  const api = await w.app.inject({
    url: `/api/v1/reports/satisfaction?unit=${centre}&from=${day}&to=${day}`,
    headers: { authorization: `Bearer ${key.key}` },
  });
  t.equal(api.statusCode, 200);
  t.notMatch(api.body, '912345678', 'the JSON report has no contact');
  const events = await w.db.selectFrom('outbox_event').select(['event', 'data']).execute();
  t.ok(events.length > 0, 'events were recorded');
  t.notOk(JSON.stringify(events).includes('912345678'), 'no event data holds the contact');

  // Closed: deleted 30 days later by the hourly purge, not a day before (a moved clock).
  const answered = { status: 'answered', internalNote: '', publicAnswer: 'Đã liên hệ và hướng dẫn lại hồ sơ.' };
  t.equal((await w.manager.post(url, answered)).statusCode, 303);
  t.equal((await w.manager.post(url, { ...answered, status: 'closed' })).statusCode, 303);
  const closedAt = (await w.newestItem()).closed_at!;
  const row = await w.db.selectFrom('feedback_callback').select('delete_after').executeTakeFirstOrThrow();
  t.same(row.delete_after, new Date(closedAt.getTime() + 30 * DAY), 'the deletion day is set when the item closes');
  t.match((await w.manager.get(url)).body, /tự động xoá 30 ngày sau khi mục được đóng \(ngày \d\d\/\d\d\/\d{4}\)/);
  t.equal(await purgeCallbacks(w.db, new Date(closedAt.getTime() + 29 * DAY)), 0, 'kept 29 days after');
  t.equal(await purgeCallbacks(w.db, new Date(closedAt.getTime() + 30 * DAY - 60_000)), 0, 'kept to the minute');
  t.equal(await purgeCallbacks(w.db, new Date(closedAt.getTime() + 30 * DAY + 60_000)), 1, 'gone after 30 days');
  t.equal(await w.db.selectFrom('feedback_callback').select('feedback_id').executeTakeFirst(), undefined);
  t.equal((await w.manager.get(url)).statusCode, 200, 'the item page without it');
  t.notMatch((await w.manager.get(url)).body, /Liên hệ lại với người dân/);
});

t.test('the second rating: once, through the code page or the follow-up link, and in the report', async (t) => {
  const w = await world(t);
  const key = (await createApiKey(w.db, {
    unitCode: await unitCode(w.db, w.mine.centreId),
    role: 'manager',
    label: 'k',
  }))!;
  const issued = await w.app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization: `Bearer ${key.key}` },
    payload: { desk: w.desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-DANH-GIA-1' },
  });
  const codePath = new URL(String(issued.json().url)).pathname;
  const code = codePath.slice('/t/'.length);
  const thanks = await w.answer('1', codePath);
  t.equal(thanks.statusCode, 200);
  t.match(thanks.body, /Ông\/Bà có muốn được liên hệ lại\?/, 'a code’s citizen is offered a callback too');
  const saved = await w.leave({ offer: w.offerOf(thanks.body)!, contact: 'lan@example.vn', consent: '1' });
  t.equal(saved.statusCode, 200);
  t.notMatch(saved.body, /theo-doi/, 'no second link: the code is theirs');
  t.match(saved.body, /quét lại mã QR trên giấy tiếp nhận/);
  const viaCode = await w.newestItem();

  // A citizen of the desk's QR with a contact: the personal link.
  const low = await w.answer('2');
  const personal = await w.leave({ offer: w.offerOf(low.body)!, contact: PHONE, consent: '1' });
  const link = new URL(/href="([^"]+\/theo-doi\/[^"]+)"/.exec(personal.body)![1]!).pathname;
  const viaLink = await w.newestItem();

  const answer = async (id: number, text: string) => {
    const fields = { status: 'answered', internalNote: 'Ghi chú riêng', publicAnswer: text };
    t.equal((await w.manager.post(`/staff/feedback/${id}`, fields)).statusCode, 303);
  };
  await answer(viaCode.id, 'Đã chấn chỉnh việc hướng dẫn hồ sơ.');
  await answer(viaLink.id, 'Đã giải quyết xong hồ sơ của Ông/Bà.');

  const reply = await w.app.inject(codePath);
  t.equal(reply.statusCode, 200);
  t.match(reply.body, `href="/theo-doi/${code}"`, 'the code page leads to the rating');
  const page = await w.app.inject(`/theo-doi/${code}`);
  t.match(page.body, /Đã chấn chỉnh việc hướng dẫn hồ sơ\./);
  t.match(page.body, /Ông\/Bà có hài lòng với cách giải quyết phản ánh\?/);
  t.notMatch(page.body, /Ghi chú riêng/, 'nothing internal');
  const rate = (path: string, fields: Record<string, string>) =>
    w.app.inject({ method: 'POST', url: path, ...w.form(fields) });
  const none = await rate(`/theo-doi/${code}`, {});
  t.equal(none.statusCode, 422);
  t.match(none.body, /Ông\/Bà vui lòng chọn một câu trả lời\./);
  t.equal((await rate(`/theo-doi/${code}`, { satisfied: 'yes' })).statusCode, 200);
  const again = await rate(`/theo-doi/${code}`, { satisfied: 'no' });
  t.equal(again.statusCode, 409, 'once only');
  t.match(again.body, /đã đánh giá cách giải quyết phản ánh này rồi/);
  t.match((await w.app.inject(`/theo-doi/${code}`)).body, /Ông\/Bà đã đánh giá cách giải quyết/);
  t.match((await w.app.inject(`${link}?lang=en`)).body, /Are you satisfied with how your feedback was handled\?/);
  t.equal((await rate(link, { satisfied: 'no' })).statusCode, 200, 'through the personal link');
  const ratings = await w.db
    .selectFrom('feedback_handling_rating')
    .select(['feedback_id', 'satisfied', sql<string>`to_char(rated_on, 'YYYY-MM-DD')`.as('day')])
    .orderBy('feedback_id')
    .execute();
  t.same(
    ratings.map((r) => [r.feedback_id, r.satisfied]),
    [
      [viaCode.id, true],
      [viaLink.id, false],
    ],
  );
  t.equal(ratings[0]!.day, todayIso(new Date()), 'the day only, in Vietnam');

  const day = todayIso(new Date());
  const [figures] = await feedbackFiguresForPeriod(w.db, { unitIds: [w.mine.communeId], from: day, to: day });
  t.equal(figures!.handlingRated, 2);
  t.equal(figures!.handlingSatisfied, 1);
  t.equal(figures!.handlingRate, 0.5);
  const official = await w.client('official', w.mine.communeId);
  const report = await official.get(`/staff/reports?unitId=${w.mine.communeId}&period=custom&from=${day}&to=${day}`);
  t.equal(report.statusCode, 200);
  t.match(report.body, /Hài lòng với cách giải quyết \(1\/2 lượt đánh giá lại\)/, 'beside the feedback figures');
  t.match(report.body, /50(,0)?\s*%/);

  // Another unit's report shows no such line.
  const other = await w.client('official', w.other.communeId);
  const empty = await other.get(`/staff/reports?unitId=${w.other.communeId}&period=custom&from=${day}&to=${day}`);
  t.notMatch(empty.body, /lượt đánh giá lại/, 'none without a second rating');
});

t.test('offer tokens are bound to their response, their secret and their time', async (t) => {
  const secret = Buffer.from('bí mật');
  const now = Date.now();
  const token = signOfferToken(secret, '42', now);
  t.equal(verifyOfferToken(secret, token, now), '42');
  t.equal(verifyOfferToken(secret, token, now + 2 * 3_600_000 + 1), 'expired');
  t.equal(verifyOfferToken(Buffer.from('khác'), token, now), undefined, 'another secret');
  t.equal(verifyOfferToken(secret, token.replace(/^42/, '43'), now), undefined, 'another response');
  const [, expires] = token.split('.');
  t.equal(
    verifyOfferToken(secret, token.replace(expires!, String(Number(expires) + DAY)), now),
    undefined,
    'stretched',
  );
  t.equal(verifyOfferToken(secret, 42, now), undefined);
});
