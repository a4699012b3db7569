import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator, sql } from 'kysely';
import t from 'tap';
import { addWorkingDays } from '../analysis/local-time.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../server/platform/db/migrate.ts';
import type { Answer } from '../surveys/answers.ts';
import { insertResponsesBefore } from './helpers/before-migration.ts';
import { comment, setup, withOverall } from './helpers/feedback.ts';
import { unitCode } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// Praise ("Lời khen, góp ý"): a comment with an overall score of 4–5 and
// nothing scored 1–2 has no deadline and is no work, until a manager turns
// it into an item in one click; and what migration 2026-12-05T1200 does to
// the rows a live inbox already holds.

t.test('praise has its own list, no deadline, and becomes an item in one audited click', async (t) => {
  const { app, db, mine, respond, items, manager } = await setup(t);
  await respond([[...withOverall(5), comment('Thủ tục nhanh gọn, cảm ơn cán bộ.')]], {
    at: new Date(Date.now() - 30 * 86_400_000),
  });
  const praise = (await items())[0]!;
  t.equal(praise.kind, 'praise');
  t.equal(praise.due_at, null);

  const inbox = await manager.get('/staff/feedback');
  t.notMatch(inbox.body, /Thủ tục nhanh gọn/, 'not in the work list');
  t.notMatch(inbox.body, /Quá hạn<\/span>/, 'and never overdue');
  t.match(inbox.body, /Lời khen, góp ý \(1\)/);
  const list = await manager.get('/staff/feedback?view=praise');
  t.match(list.body, /Thủ tục nhanh gọn, cảm ơn cán bộ\./);
  t.match(list.body, `action="/staff/feedback/${praise.id}/convert"`, 'one click from the list');
  const url = `/staff/feedback/${praise.id}`;
  const page = await manager.get(url);
  t.match(page.body, /Lời khen, góp ý<\/strong>[^<]*không có hạn xử lý/);
  t.notMatch(page.body, /name="status"/, 'no status to move');
  const moved = await manager.post(url, { status: 'in_progress', internalNote: 'x', publicAnswer: '' });
  t.equal(moved.statusCode, 422, 'praise is not worked on as it is');

  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  t.notMatch((await official.get(url)).body, /\/convert"/);
  t.equal((await official.post(`${url}/convert`)).statusCode, 403, 'an official does not convert');

  const before = Date.now();
  const converted = await manager.post(`${url}/convert`);
  t.equal(converted.statusCode, 303);
  const row = (await items())[0]!;
  t.equal(row.kind, 'item');
  t.equal(row.status, 'new');
  t.ok(
    row.due_at!.getTime() >= addWorkingDays(new Date(before), 5).getTime() - 5_000,
    'due a full period from the conversion, not from the day it was sent',
  );
  t.equal((await manager.post(`${url}/convert`)).statusCode, 422, 'once');
  t.match((await manager.get('/staff/feedback')).body, /Thủ tục nhanh gọn/, 'now in the work list');
  t.match((await manager.get(url)).body, /Chuyển từ «Lời khen, góp ý» thành mục cần xử lý/, 'in its history');
  const audit = await db
    .selectFrom('audit_event')
    .select(['detail'])
    .where('action', '=', 'feedback.convert')
    .execute();
  t.same(
    audit.map((a) => a.detail),
    [{ feedbackId: praise.id }],
  );
});

t.test('the migration turns untouched praise already stored into praise, and leaves worked items alone', async (t) => {
  const { db } = await testDatabase(t, { empty: true });
  const names = (await fs.readdir(MIGRATIONS_DIR))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
  t.notOk((await migrator.migrateTo(names[names.indexOf('2026-12-05T1200_feedback-triage') - 1]!)).error);

  const unitId = await insertUnit(db, { code: 'xa-cu', name: 'Xã Cũ', kind: 'commune', parent_id: null });
  const survey = await db.insertInto('survey').values({ code: 'old' }).returning('id').executeTakeFirstOrThrow();
  const definition = { code: 'old', title: { vi: 'Cũ', en: 'Old' }, sections: [{ questions: [] }] };
  const version = await db
    .insertInto('survey_version')
    .values({ survey_id: survey.id, version: 1, definition: JSON.stringify(definition) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const overall = (n: number): Answer => ({ key: 'overall', kind: 'scale', value: n });
  const text = (s: string): Answer => ({ key: 'comment', kind: 'text', value: s });
  const cases: Answer[][] = [
    [overall(5), text('Cảm ơn cán bộ.')], // untouched praise → praise
    [overall(5), text('Rất hài lòng.')], // praise answered already → stays an item
    [overall(4), text('Tốt.')], // praise a manager wrote a note on → stays an item
    [overall(1)], // low score → item
    [overall(3), text('Chờ lâu.')], // a comment with 3 → reason both
    [overall(3)], // nothing opened before: nothing now (it would start overdue)
  ];
  for (const answers of cases) {
    await insertResponsesBefore(db, [
      {
        submissionId: randomUUID(),
        payloadHash: 'x',
        surveyVersionId: version.id,
        unitId,
        deskId: null,
        serviceArea: 'ho-tich',
        channel: 'paper',
        locale: 'vi',
        answers,
        submittedAt: new Date('2026-10-01T02:00:00Z'),
      },
    ]);
  }
  const before = await db.selectFrom('feedback_item').select(['id', 'reason']).orderBy('id').execute();
  t.same(
    before.map((r) => r.reason),
    ['comment', 'comment', 'comment', 'low_score', 'comment'],
    'the old rule: every comment and overall 1–2',
  );
  const [untouched, answered, noted, low, three] = before.map((r) => r.id);
  await sql`update feedback_item set status = 'answered', public_answer = 'Cảm ơn.', answered_at = now()
            where id = ${answered}`.execute(db);
  const [user] = await db
    .insertInto('app_user')
    .values({ email: 'ql@example.gov.vn', name: 'Quản lý', password_hash: 'x', role: 'manager', unit_id: unitId })
    .returning('id')
    .execute();
  await db
    .insertInto('feedback_event')
    .values({ feedback_id: noted!, actor_user_id: user!.id, from_status: 'new', to_status: 'new', note: 'Đã xem.' })
    .execute();

  await migrateToLatest(db);
  const after = await db
    .selectFrom('feedback_item')
    .select(['id', 'kind', 'reason', 'status', 'due_at'])
    .orderBy('id')
    .execute();
  t.same(
    after.map((r) => [r.id, r.kind, r.reason, r.due_at === null]),
    [
      [untouched, 'praise', 'comment', true],
      [answered, 'item', 'comment', false],
      [noted, 'item', 'comment', false],
      [low, 'item', 'low_score', false],
      [three, 'item', 'both', false],
    ],
    'untouched praise stops being overdue work; worked items stay; reasons follow the new rule',
  );
  const line = await db.selectFrom('feedback_event').select('note').where('feedback_id', '=', untouched!).execute();
  t.match(line[0]?.note, /Chuyển sang «Lời khen, góp ý»/, 'with a line in its history');
  t.equal(after.length, 5, 'no item opened for a past response the old rule left alone');
});
