import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { addWorkingDays } from '../analysis/local-time.ts';
import { feedbackCounts } from '../server/features/feedback/feedback-repository.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import { migrateToLatest } from '../server/platform/db/migrate.ts';
import type { Answer } from '../surveys/answers.ts';
import { databaseBefore } from './helpers/before-migration.ts';
import { createCentre, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// Feedback follows the suspect flag (issue 11, item 6), whichever path sets
// it: flagged at insert, flagged later by a plain UPDATE (as the flood checks
// do when a later post reveals its source), confirmed or cleared on review.

const scale = (key: string, value: number): Answer => ({ key, kind: 'scale', value });
const HAPPY: Answer[] = ['access', 'procedure', 'staff', 'result', 'feedback', 'overall'].map((k) => scale(k, 4));
const comment = (value: string): Answer => ({ key: 'comment', kind: 'text', value });
const LOW: Answer[] = HAPPY.map((a) => (a.key === 'overall' ? scale('overall', 1) : a));
/** No overall score: with a comment, an item (nothing says it is praise; feedback.test.ts). */
const UNRATED: Answer[] = HAPPY.filter((a) => a.key !== 'overall');
const DAY = 86_400_000;

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const centre = await createCentre(db, 'Xã Tân Hội');
  const deskId = await insertDesk(db, {
    unitId: centre.centreId,
    code: `q-${centre.centreId}`,
    name: 'Quầy 1',
    serviceAreas: ['dat-dai'],
  });
  const version = (await latestVersion(db, 'sipas-quick'))!;
  /** Stores responses as imports do; returns their ids in order. */
  const respond = async (answers: Answer[][], opts: { at?: Date; suspect?: boolean } = {}) => {
    const rows = answers.map((a) => ({
      submissionId: randomUUID(),
      payloadHash: 'x',
      surveyVersionId: version.id,
      unitId: centre.centreId,
      deskId,
      serviceArea: 'dat-dai',
      channel: 'qr' as const,
      locale: 'vi' as const,
      answers: a,
      submittedAt: opts.at ?? new Date(),
      suspectReasons: opts.suspect ? ['honeypot'] : [],
    }));
    await insertResponsesBulk(db, rows);
    const ids = await db
      .selectFrom('response')
      .select(['id', 'submission_id'])
      .where(
        'submission_id',
        'in',
        rows.map((r) => r.submissionId),
      )
      .execute();
    return rows.map((r) => ids.find((i) => i.submission_id === r.submissionId)!.id);
  };
  const itemOf = (responseId: string) =>
    db.selectFrom('feedback_item').selectAll().where('response_id', '=', responseId).executeTakeFirst();
  // The same UPDATEs the flood checks and the review make, in plain SQL.
  const flag = (ids: string[]) =>
    sql`update response set suspect = true, suspect_reason = 'client_rate' where id = any(${ids}::bigint[])`.execute(
      db,
    );
  const review = (id: string, decision: 'confirmed' | 'cleared') =>
    sql`update response set suspect = ${decision === 'confirmed'}, suspect_review = ${decision},
               suspect_reviewed_at = now() where id = ${id}`.execute(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, centre.centreId) });
  const scopePath = (
    await db.selectFrom('unit').select('path').where('id', '=', centre.centreId).executeTakeFirstOrThrow()
  ).path;
  const counts = () => feedbackCounts(db, scopePath, new Date());
  return { app, db, deskId, respond, itemOf, flag, review, manager, counts };
}

t.test('a suspect response opens no item; clearing opens it; confirming it never counts', async (t) => {
  const { app, db, deskId, respond, itemOf, review, manager, counts } = await setup(t);
  const [flooded, lowFlagged, praised] = await respond(
    [[...UNRATED, comment('Ý kiến máy tự động.')], LOW, [...HAPPY, comment('Cảm ơn cán bộ.')]],
    { suspect: true },
  );
  t.equal(await itemOf(flooded!), undefined, 'a flagged comment opens no item');
  t.equal(await itemOf(lowFlagged!), undefined, 'a flagged low score opens no item');

  // Through the citizen's form too: a filled honeypot is flagged at insert.
  const desk = await db.selectFrom('desk').select('code').where('id', '=', deskId).executeTakeFirstOrThrow();
  const bot = await app.inject({
    method: 'POST',
    url: `/q/${desk.code}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...VALID_FORM_ANSWERS, submissionId: randomUUID(), website: 'x' }).toString(),
  });
  t.equal(bot.statusCode, 200, 'the bot is thanked like anyone');
  const stored = await db.selectFrom('response').select('suspect').where('desk_id', '=', deskId).execute();
  t.equal(stored.length, 4);
  t.ok(
    stored.every((r) => r.suspect),
    'all four stored as suspect',
  );
  t.equal((await db.selectFrom('feedback_item').select('id').execute()).length, 0, 'no item at all');
  t.same(await counts(), { total: 0, handled: 0, handledOnTime: 0, overdue: 0 });

  const before = Date.now();
  await review(flooded!, 'cleared');
  const opened = await itemOf(flooded!);
  t.ok(opened, 'clearing the flag opens the item');
  t.equal(opened?.status, 'new');
  t.equal(opened?.reason, 'comment');
  t.equal(opened?.withheld, null);
  t.ok(
    opened!.due_at!.getTime() >= addWorkingDays(new Date(before), 5).getTime() - 5_000,
    'due a full period after it opened, not after the response was sent',
  );
  t.equal((await counts()).total, 1);
  await review(praised!, 'cleared');
  t.match(
    await itemOf(praised!),
    { kind: 'praise', due_at: null },
    'cleared praise comes back as praise, with no deadline',
  );
  t.equal((await counts()).total, 1, 'and is no work');
  const inbox = await manager.get('/staff/feedback');
  t.match(inbox.body, `href="/staff/feedback/${opened!.id}"`);
  t.match(inbox.body, /Ý kiến máy tự động\./);

  await review(lowFlagged!, 'confirmed');
  t.equal(await itemOf(lowFlagged!), undefined, 'a confirmed suspect that never had an item gets none');

  // An official changes their mind: the cleared response is confirmed after all.
  await review(flooded!, 'confirmed');
  const closed = await itemOf(flooded!);
  t.equal(closed?.withheld, 'not_counted', 'confirming closes the item as not counted');
  t.same(await counts(), { total: 0, handled: 0, handledOnTime: 0, overdue: 0 }, 'out of every figure');
  t.notMatch((await manager.get('/staff/feedback?status=all')).body, `href="/staff/feedback/${closed!.id}"`);
  const page = await manager.get(`/staff/feedback/${closed!.id}`);
  t.equal(page.statusCode, 200, 'still readable by its number');
  t.match(page.body, /Trạng thái: <strong>Không tính \(phiếu nghi vấn\)<\/strong>/);
  t.notMatch(page.body, /<form method="post" action="\/staff\/feedback/, 'no form to follow it up');
  const refused = await manager.post(`/staff/feedback/${closed!.id}`, {
    status: 'answered',
    internalNote: '',
    publicAnswer: 'Đã trả lời.',
  });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /được xác nhận là phiếu nghi vấn/);
  t.equal((await itemOf(flooded!))?.status, 'new', 'nothing changed');
  const notes = await db
    .selectFrom('feedback_event')
    .select(['note', 'actor_user_id'])
    .where('feedback_id', '=', closed!.id)
    .orderBy('id')
    .execute();
  t.match(
    notes.map((n) => n.note),
    [/^Mở mục sau khi phiếu nghi vấn được xem xét/, /^Không tính \(phiếu nghi vấn\)/],
    'the history says why',
  );
  t.ok(
    notes.every((n) => n.actor_user_id === null),
    'written by the system',
  );
});

t.test('a response flagged after it was stored leaves the inbox and the figures until it is cleared', async (t) => {
  const { db, respond, itemOf, flag, review, manager, counts } = await setup(t);
  const longAgo = new Date(Date.now() - 30 * DAY);
  const [answered, overdue, honest] = await respond(
    [[...UNRATED, comment('Đã được trả lời.')], [...LOW, comment('Phải đi lại ba lần.')], LOW],
    { at: longAgo },
  );
  const answeredItem = (await itemOf(answered!))!;
  await sql`update feedback_item set status = 'answered', public_answer = 'UBND xã đã rà soát.',
             answered_at = due_at - interval '1 hour' where id = ${answeredItem.id}`.execute(db);
  t.same(await counts(), { total: 3, handled: 1, handledOnTime: 1, overdue: 2 }, 'before: one of three handled');

  await flag([answered!, overdue!]);
  t.same(
    await counts(),
    { total: 1, handled: 0, handledOnTime: 0, overdue: 1 },
    'suspects leave every figure, answered or not',
  );
  const overdueItem = (await itemOf(overdue!))!;
  t.equal(overdueItem.withheld, 'under_review', 'withheld, not deleted');
  t.equal(overdueItem.status, 'new', 'its status is kept for when it comes back');
  t.equal((await itemOf(answered!))?.status, 'answered');

  const inbox = await manager.get('/staff/feedback');
  const at = inbox.body.indexOf('id="figures"');
  const figures = inbox.body.slice(at, inbox.body.indexOf('</p>', at));
  t.match(figures, /<strong>1<\/strong> mục/);
  t.match(figures, /quá hạn, chưa xử lý: <strong>1</);
  t.notMatch(inbox.body, /Phải đi lại ba lần/, 'not in the inbox');
  t.match(inbox.body, `href="/staff/feedback/${(await itemOf(honest!))!.id}"`);
  t.notMatch((await manager.get('/staff/feedback?status=answered')).body, /Đã được trả lời\./);
  const withheld = await manager.get('/staff/feedback?status=withheld');
  t.match(withheld.body, /Phải đi lại ba lần/, 'a manager can still find where it went');
  t.match(withheld.body, /Tạm rút \(phiếu đang bị nghi vấn\)/);
  const page = await manager.get(`/staff/feedback/${overdueItem.id}`);
  t.match(page.body, /đang chờ xem xét/);
  t.notMatch(page.body, /Quá hạn<\/span>/, 'not overdue while withheld');
  const refused = await manager.post(`/staff/feedback/${overdueItem.id}`, {
    status: 'in_progress',
    internalNote: 'Xem lại.',
    publicAnswer: '',
  });
  t.equal(refused.statusCode, 422, 'not followed up while under review');

  const clearedAt = Date.now();
  await review(overdue!, 'cleared');
  await review(answered!, 'cleared');
  const back = (await itemOf(overdue!))!;
  t.equal(back.withheld, null, 'cleared: back in the inbox');
  t.equal(back.status, 'new');
  t.ok(back.due_at!.getTime() >= addWorkingDays(new Date(clearedAt), 5).getTime() - 5_000, 'with a full period again');
  const answeredBack = (await itemOf(answered!))!;
  t.equal(answeredBack.public_answer, 'UBND xã đã rà soát.', 'the answer given before the flag is kept');
  t.same(answeredBack.due_at, answeredItem.due_at, 'a handled item keeps its due date (and so its on-time mark)');
  t.same(await counts(), { total: 3, handled: 1, handledOnTime: 1, overdue: 1 }, 'both count again');
  const history = await manager.get(`/staff/feedback/${back.id}`);
  t.match(history.body, /Tạm rút khỏi hộp thư và số liệu/);
  t.match(history.body, /Đưa lại vào hộp thư: phiếu được xem xét và tính là hợp lệ/);
});

t.test('the migration withholds the items a live database already holds for suspect responses', async (t) => {
  const { db, unitId, versionId } = await databaseBefore(t, '2026-12-05T0300_feedback-follows-flag');
  // Plain SQL, as the rows were at that point: the old trigger opened an item for each.
  // `now`: in today's schema, where an answer carries its response's submitted_at (monthly partitions).
  const store = async (flag: { suspect: boolean; reason: string | null; review: string | null }, now = false) => {
    const { rows } = await sql<{ id: string }>`
      insert into response (submission_id, payload_hash, survey_version_id, unit_id, service_area_code, channel,
                            suspect, suspect_reason, suspect_review, suspect_reviewed_at)
      values (${randomUUID()}, 'x', ${versionId}, ${unitId}, 'ho-tich', 'qr', ${flag.suspect}, ${flag.reason},
              ${flag.review}, ${flag.review ? new Date() : null})
      returning id`.execute(db);
    const id = rows[0]!.id;
    if (now) {
      await sql`insert into answer (response_id, submitted_at, indicator_key, value_num)
                select id, submitted_at, 'overall', 1 from response where id = ${id}`.execute(db);
    } else {
      await sql`insert into answer (response_id, indicator_key, value_num) values (${id}, 'overall', 1)`.execute(db);
    }
    return id;
  };
  const pending = await store({ suspect: true, reason: 'burst', review: null });
  const confirmed = await store({ suspect: true, reason: 'burst', review: 'confirmed' });
  const cleared = await store({ suspect: false, reason: 'burst', review: 'cleared' });
  const honest = await store({ suspect: false, reason: null, review: null });
  const count = await sql<{ n: number }>`select count(*)::int as n from feedback_item`.execute(db);
  t.equal(count.rows[0]?.n, 4, 'before: every response opened an item, suspect or not');

  await migrateToLatest(db);
  const { rows } = await sql<{ response_id: string; withheld: string | null; events: number }>`
    select f.response_id, f.withheld, (select count(*)::int from feedback_event e where e.feedback_id = f.id) as events
      from feedback_item f`.execute(db);
  const state = (id: string) => rows.find((r) => r.response_id === id);
  t.match(state(pending), { withheld: 'under_review', events: 1 }, 'pending review: withheld, with a history line');
  t.match(state(confirmed), { withheld: 'not_counted', events: 1 }, 'confirmed: not counted');
  t.match(state(cleared), { withheld: null, events: 0 }, 'cleared: untouched');
  t.match(state(honest), { withheld: null, events: 0 });

  const late = await store({ suspect: true, reason: 'burst', review: null }, true);
  const opened = await sql`select 1 from feedback_item where response_id = ${late}`.execute(db);
  t.equal(opened.rows.length, 0, 'and from now on a suspect response opens none');
});

t.test('an old response cleared on review: its item is announced with its own score and day', async (t) => {
  // feedback.created looks in the last two days first (migration
  // 2026-12-06T0100, for the partitions); a response of months ago is found too.
  const { db, respond, review, itemOf } = await setup(t);
  const [old] = await respond([LOW], { at: new Date('2026-01-10T03:00:00Z'), suspect: true });
  await review(old!, 'cleared');
  const item = await itemOf(old!);
  t.ok(item, 'the item opens');
  const { rows } = await sql<{ data: Record<string, unknown> }>`
    select data from outbox_event where event = 'feedback.created' and (data->>'feedbackId')::int = ${item!.id}`.execute(
    db,
  );
  t.match(rows, [{ data: { score: 1, day: '2026-01-10' } }], 'score and day of January, not null');
});
