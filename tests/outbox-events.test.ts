import { sql } from 'kysely';
import t from 'tap';
import { recordOverdueItems } from '../server/features/feedback/feedback-overdue-repository.ts';
import { watchDesks } from '../server/features/submission/stuffing-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { pruneOutbox } from '../server/platform/events/outbox-repository.ts';
import { comment, setup as feedbackSetup, withOverall } from './helpers/feedback.ts';
import { roundCommune } from './helpers/round-setup.ts';

// The events of issue 18 beyond the first two: each is recorded once, with
// its cause, carrying codes, ids and days only.

const events = async (db: Db, event: string) =>
  (
    await sql<{ unit_id: number; data: Record<string, unknown> }>`
      select unit_id, data from outbox_event where event = ${event} order by created_at, data->>'month', id`.execute(db)
  ).rows;

t.test('feedback.updated: a change of status, answer or assignee; not the withholding of an item', async (t) => {
  const { db, respond, items, mine } = await feedbackSetup(t);
  await respond([[...withOverall(1), comment('Phải chờ lâu, số điện thoại 0912345678.')]]);
  const [item] = await items();
  t.equal((await events(db, 'feedback.created')).length, 1);
  await db.updateTable('feedback_item').set({ status: 'in_progress' }).where('id', '=', item!.id).execute();
  await db.updateTable('feedback_item').set({ internal_note: 'ghi chú nội bộ' }).where('id', '=', item!.id).execute();
  await db
    .updateTable('feedback_item')
    .set({ status: 'answered', public_answer: 'Đã chấn chỉnh.', answered_at: new Date() })
    .where('id', '=', item!.id)
    .execute();
  const updated = await events(db, 'feedback.updated');
  t.equal(updated.length, 2, 'two handling changes; the internal note is no event');
  t.equal(updated[0]!.unit_id, mine.centreId);
  t.match(updated[1]!.data, {
    feedbackId: item!.id,
    status: 'answered',
    previousStatus: 'in_progress',
    answered: true,
  });
  t.notMatch(JSON.stringify(updated), /Đã chấn chỉnh|0912345678|ghi chú/, 'no text of the answer, note or comment');
});

t.test('feedback.overdue: once per item past its deadline, however often and however many sweep', async (t) => {
  const { db, respond, items } = await feedbackSetup(t);
  await respond([withOverall(1), withOverall(2), withOverall(1)]);
  const [late, answered, onTime] = await items();
  await db
    .updateTable('feedback_item')
    .set({ due_at: new Date(Date.now() - 3_600_000) })
    .where('id', 'in', [late!.id, answered!.id])
    .execute();
  await db
    .updateTable('feedback_item')
    .set({ status: 'answered', public_answer: 'Đã trả lời.', answered_at: new Date() })
    .where('id', '=', answered!.id)
    .execute();
  const swept = await Promise.all([recordOverdueItems(db), recordOverdueItems(db), recordOverdueItems(db)]);
  t.equal(
    swept.reduce((a, b) => a + b, 0),
    1,
    'three sweeps at once record it once',
  );
  t.equal(await recordOverdueItems(db), 0, 'a later sweep: nothing new');
  const overdue = await events(db, 'feedback.overdue');
  t.same(
    overdue.map((e) => e.data.feedbackId),
    [late!.id],
    'the open late item only: not the answered one, not the one still on time',
  );
  t.not(onTime!.id, late!.id);
});

t.test('suspects.flagged: a desk put under watch, once a day', async (t) => {
  const { db, deskId, mine } = await feedbackSetup(t);
  await watchDesks(db, [{ deskId, responses: 12 }]);
  await watchDesks(db, [{ deskId, responses: 3 }]);
  const flagged = await events(db, 'suspects.flagged');
  t.equal(flagged.length, 1, 'more responses the same day update the watch, not a new event');
  t.equal(flagged[0]!.unit_id, mine.centreId);
  t.match(flagged[0]!.data, { desk: `q-${mine.centreId}`, responses: 12, day: /^\d{4}-\d{2}-\d{2}$/ });
});

t.test('dossier_volumes.imported: one per unit and month that changed, in the import', async (t) => {
  const { db } = await roundCommune(t);
  const imported = await events(db, 'dossier_volumes.imported');
  t.same(
    imported.map((e) => [e.data.month, e.data.serviceAreas, e.data.source]),
    [
      ['2026-01', 3, 'api'],
      ['2026-02', 3, 'api'],
    ],
  );
});

t.test('the outbox keeps 30 days: older events go once their deliveries are settled', async (t) => {
  const { db, mine } = await feedbackSetup(t);
  const endpoint = await db
    .insertInto('webhook_endpoint')
    .values({
      unit_id: mine.centreId,
      url: 'https://hook.example.vn/x',
      events: ['response.low_score'],
      secret: 'a-secret-of-sixteen-plus',
      created_by: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const eventAt = async (daysAgo: number, delivery?: 'delivered' | 'pending') => {
    const e = await db
      .insertInto('outbox_event')
      .values({ event: 'response.low_score', unit_id: mine.centreId, data: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`update outbox_event set created_at = now() - make_interval(days => ${daysAgo}) where id = ${e.id}`.execute(
      db,
    );
    if (delivery) {
      await db
        .insertInto('webhook_delivery')
        .values({ endpoint_id: endpoint.id, event_id: e.id, status: delivery })
        .execute();
    }
    return e.id;
  };
  const old = await eventAt(31, 'delivered');
  const oldPending = await eventAt(31, 'pending');
  const recent = await eventAt(29, 'delivered');
  t.equal(await pruneOutbox(db), 1);
  const left = (await db.selectFrom('outbox_event').select('id').execute()).map((r) => r.id);
  t.notOk(left.includes(old), 'a 31-day-old settled event is gone');
  t.ok(left.includes(oldPending), 'one with a delivery still pending stays');
  t.ok(left.includes(recent), 'a 29-day-old one stays');
  t.equal(
    (await db.selectFrom('webhook_delivery').select('id').where('event_id', '=', old).execute()).length,
    0,
    'its deliveries went with it',
  );
});
