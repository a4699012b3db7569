import { parseCrontab } from 'graphile-worker';
import t, { type Test } from 'tap';
import { createUser } from '../server/features/access/auth-service.ts';
import { DIGEST_CRONTAB, DUE_TASK, WEEKLY_TASK } from '../server/features/notifications/digest-jobs.ts';
import { dueWindow, lastWeek, workingDaysLate } from '../server/features/notifications/digest-rules.ts';
import {
  type DigestDeps,
  sendDueReminders,
  sendWeeklySummaries,
} from '../server/features/notifications/digest-service.ts';
import { savePreferences } from '../server/features/notifications/mail-preference-repository.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { Role } from '../server/platform/db/schema.ts';
import { createMailer, type Mailer } from '../server/platform/mail/mailer.ts';
import type { Answer } from '../surveys/answers.ts';
import { bulkRow, quickVersionId } from './helpers/aggregate-data.ts';
import { ict } from './helpers/feedback.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp, testDatabase } from './helpers/harness.ts';
import { satisfactionTarget } from './helpers/report-data.ts';
import { startSmtp } from './helpers/smtp.ts';
import { signInForm, TEST_PASSWORD } from './helpers/staff.ts';

// The morning reminder and the Monday summary (issue 18, part 3b), sent over
// real SMTP to a server on loopback, with the clock moved by the test.

const COMMENT = 'Cán bộ thiếu nhiệt tình, hẹn lại nhiều lần';
const answers = (overall: number, comment?: string): Answer[] => [
  { key: 'staff', kind: 'scale', value: overall >= 4 ? 5 : 2 },
  { key: 'overall', kind: 'scale', value: overall },
  ...(comment ? [{ key: 'comment', kind: 'text', value: comment } as const] : []),
];

/** A commune's centre with one desk, a mail server and the deps the digests take. */
async function setup(t: Test, db: Db, serviceAreas: string[]) {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const mailer = createMailer({ url: smtp.url, from: 'khaosat@example.gov.vn' })!;
  t.teardown(() => mailer.close());
  const deps: DigestDeps = { db, config: { publicUrl: TEST_PUBLIC_URL }, mailer };
  const c = await createCentre(db, 'Xã Tân Hội');
  const deskId = await insertDesk(db, { unitId: c.centreId, code: `q-${c.centreId}`, name: 'Quầy 1', serviceAreas });
  const version = await quickVersionId(db);
  const row = (at: Date, area: string, a: Answer[]) =>
    bulkRow(version, at, { unitId: c.centreId, deskId, serviceArea: area }, a);
  const to = (email: string) => smtp.mails.filter((m) => m.to.includes(email));
  return { smtp, mailer, deps, c, row, to };
}

let userNo = 0;
async function user(db: Db, role: Role, unitId: number | null, name = 'Nguyễn Văn An') {
  const email = `nguoi-${++userNo}-${role}@example.gov.vn`;
  const unit = unitId === null ? undefined : await unitCode(db, unitId);
  const created = await createUser(db, { email, name, password: TEST_PASSWORD, role, unitCode: unit });
  if (created.status !== 'ok') throw new Error(created.status);
  return { id: created.id, email };
}

const closed = (at: Date) => ({
  status: 'closed' as const,
  public_answer: 'Đã xử lý.',
  answered_at: at,
  closed_at: at,
});

t.test('the crontab lines parse: 07:00 in Vietnam, daily and on Mondays', async (t) => {
  const items = parseCrontab(DIGEST_CRONTAB.join('\n'));
  t.same(
    items.map((i) => i.task),
    [DUE_TASK, WEEKLY_TASK],
  );
  const at = (hour: number, dow: number) => ({ min: 0, hour, date: 7 + dow, month: 12, dow });
  t.ok(items[0]!.match(at(0, 2)), 'daily at 00:00 UTC');
  t.notOk(items[0]!.match(at(7, 2)), 'not at 07:00 UTC');
  t.ok(items[1]!.match(at(0, 1)), 'Mondays');
  t.notOk(items[1]!.match(at(0, 2)), 'only Mondays');
  t.ok(items.every((i) => i.options.maxAttempts === 10 && i.options.backfillPeriod > 0));
});

t.test('the calendar is read in Vietnam', async (t) => {
  // Monday 30/11/2026 06:30 in Vietnam is still Sunday in UTC: the week before is 23–29/11.
  t.same(lastWeek(ict('2026-11-30T06:30')), { from: '2026-11-23', to: '2026-11-29' });
  t.same(lastWeek(ict('2026-11-29T23:59')), { from: '2026-11-16', to: '2026-11-22' }, 'Sunday night');
  t.same(dueWindow(ict('2026-12-08T07:00')).until, ict('2026-12-10T00:00'), 'Tuesday: to the end of Wednesday');
  t.equal(dueWindow(ict('2026-12-11T07:00')).nextWorkDay, '2026-12-14', 'Friday: to the end of Monday');
  t.equal(workingDaysLate(ict('2026-12-04T10:00'), ict('2026-12-07T07:00')), 1, 'due Friday, on Monday: 1');
  t.equal(workingDaysLate(ict('2026-12-08T05:00'), ict('2026-12-08T07:00')), 0, 'due earlier today');
});

t.test('each assignee gets one reminder a day of what is late or due by the next working day', async (t) => {
  const { db } = await testDatabase(t);
  const { smtp, mailer, deps, c, row, to } = await setup(t, db, ['dat-dai', 'ho-tich']);
  const manager = await user(db, 'manager', c.centreId, 'Trần Thị Bình');
  const colleague = await user(db, 'manager', c.centreId, 'Lê Văn Cường');
  const optedOut = await user(db, 'manager', c.centreId, 'Phạm Thị Dung');
  await savePreferences(db, optedOut.id, { feedback_due: false });

  /** A low score with a comment (an item, opened by the trigger), assigned and due as told. */
  const item = async (o: { to: number; due: Date; area?: string; done?: boolean }) => {
    const r = row(ict('2026-11-30T09:00'), o.area ?? 'dat-dai', answers(2, COMMENT));
    await insertResponsesBulk(db, [r]);
    const response = db.selectFrom('response').select('response.id').where('submission_id', '=', r.submissionId);
    const { id } = await db
      .updateTable('feedback_item')
      .set({ assignee_user_id: o.to, assigned_at: new Date(), due_at: o.due, ...(o.done ? closed(new Date()) : {}) })
      .where('response_id', '=', response)
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  };
  // Tuesday 08/12/2026, 07:00 in Vietnam.
  const now = ict('2026-12-08T07:00');
  const tomorrow = await item({ to: manager.id, due: ict('2026-12-09T10:00'), area: 'ho-tich' });
  const late = await item({ to: manager.id, due: ict('2026-12-04T10:00') }); // a Friday: Monday and Tuesday late
  const later = await item({ to: manager.id, due: ict('2026-12-10T10:00') });
  const monday = await item({ to: manager.id, due: ict('2026-12-14T10:00') });
  const done = await item({ to: manager.id, due: ict('2026-12-01T10:00'), done: true });
  const theirs = await item({ to: colleague.id, due: ict('2026-12-09T08:00') });
  await item({ to: optedOut.id, due: ict('2026-12-01T10:00') });

  t.same(await sendDueReminders({ ...deps, mailer: undefined }, now), { sent: 0, skipped: 0 }, 'no SMTP: nothing');
  t.equal(smtp.mails.length, 0);

  t.equal((await sendDueReminders(deps, now)).sent, 2, 'the manager and the colleague; not the one who opted out');
  t.equal(to(manager.email).length, 1, 'exactly one mail to the manager');
  const mail = to(manager.email)[0]!;
  t.equal(mail.subject, 'Nhắc việc ngày 08/12/2026: 1 phản ánh đã quá hạn, 1 phản ánh sắp đến hạn');
  t.match(mail.text, 'Kính gửi Ông/Bà Trần Thị Bình');
  t.match(mail.text, `Phản ánh số ${late} – Trung tâm Phục vụ hành chính công Xã Tân Hội – lĩnh vực Đất đai`);
  t.match(mail.text, 'Hạn xử lý: 04/12/2026, đã quá hạn 2 ngày làm việc.');
  t.match(mail.text, `Phản ánh số ${tomorrow} – Trung tâm Phục vụ hành chính công Xã Tân Hội – lĩnh vực Hộ tịch`);
  t.match(mail.text, 'Hạn xử lý: 09/12/2026 (ngày mai).');
  t.match(mail.text, `${TEST_PUBLIC_URL}/staff/feedback/${late}\n`);
  t.ok(mail.text.indexOf(`số ${late} `) < mail.text.indexOf(`số ${tomorrow} `), 'late items first');
  for (const id of [later, monday, done, theirs]) t.notMatch(mail.text, `Phản ánh số ${id} `, `not item ${id}`);
  t.notMatch(mail.text, COMMENT, 'no comment text in a mail');
  t.match(
    mail.text,
    `bỏ chọn «Phản ánh sắp đến hạn, quá hạn» tại mục «Nhận thư thông báo»: ${TEST_PUBLIC_URL}/staff/password`,
  );
  t.match(to(colleague.email)[0]!.text, `Phản ánh số ${theirs} `);
  t.notMatch(to(colleague.email)[0]!.text, `Phản ánh số ${late} `, "another's item is not listed");
  t.equal(to(optedOut.email).length, 0, 'feedback_due off: no mail');

  t.same(await sendDueReminders(deps, ict('2026-12-08T15:00')), { sent: 0, skipped: 0 }, 'second run, same day');
  t.equal(smtp.mails.length, 2);

  // The next morning the relay refuses the first mail: the run fails, and its retry sends that one once.
  const wednesday = ict('2026-12-09T07:00');
  let refusals = 1;
  const flaky: Mailer = {
    send: async (m) => {
      if (refusals-- > 0) throw new Error('421 try again later');
      await mailer.send(m);
    },
    close: () => {},
  };
  await t.rejects(sendDueReminders({ ...deps, mailer: flaky }, wednesday), /1 of 2 feedback_due mails failed/);
  t.equal(smtp.mails.length, 3, 'the other mail went');
  t.same(await sendDueReminders({ ...deps, mailer: flaky }, wednesday), { sent: 1, skipped: 0 }, 'the retry');
  t.same(await sendDueReminders(deps, wednesday), { sent: 0, skipped: 0 });
  t.equal(to(manager.email).length, 2, 'one a day');
  t.equal(to(colleague.email).length, 2, 'one a day');
  const wed = to(manager.email)[1]!.text;
  t.match(wed, 'Hạn xử lý: 09/12/2026 (hôm nay).');
  t.match(wed, 'Hạn xử lý: 10/12/2026 (ngày mai).');
  t.match(wed, 'Hạn xử lý: 04/12/2026, đã quá hạn 3 ngày làm việc.');

  // Two workers running Friday's reminder at once: one mail each, reaching Monday.
  const friday = ict('2026-12-11T07:00');
  const both = await Promise.all([sendDueReminders(deps, friday), sendDueReminders(deps, friday)]);
  t.equal(both[0].sent + both[1].sent, 2);
  t.equal(smtp.mails.length, 6, 'one more to each');
  t.match(to(manager.email)[2]!.text, `Phản ánh số ${monday} `);
  t.match(to(manager.email)[2]!.text, 'Hạn xử lý: 14/12/2026 (thứ Hai).');
});

t.test('officials get last week on Monday: the dashboard headline, three weakest areas, late feedback', async (t) => {
  const { app, db } = await testApp(t);
  const areas = ['dat-dai', 'ho-tich', 'chung-thuc', 'cu-tru', 'y-te'];
  const { smtp, deps, c, row, to } = await setup(t, db, areas);
  const other = await createCentre(db, 'Xã Bình Minh');
  // Monday 23/11/2026 to Sunday 29/11/2026: satisfied of responses per area; y-te is a small sample, never ranked.
  const plan: [string, number, number][] = [
    ['dat-dai', 24, 40],
    ['ho-tich', 30, 40],
    ['chung-thuc', 27, 30],
    ['cu-tru', 35, 35],
    ['y-te', 0, 10],
  ];
  const rows = plan.flatMap(([area, happy, n]) =>
    Array.from({ length: n }, (_, i) => row(ict(`2026-11-${23 + (i % 7)}T10:00`), area, answers(i < happy ? 5 : 2))),
  );
  // Just outside the week on either side (local time): not counted.
  for (const at of ['2026-11-22T23:30', '2026-11-30T00:30']) {
    rows.push(...Array.from({ length: 10 }, () => row(ict(at), 'dat-dai', answers(1))));
  }
  await insertResponsesBulk(db, rows);
  const target = (area: string | null, threshold: string) => satisfactionTarget(c.communeId, area, threshold);
  await db
    .insertInto('plan_target')
    .values([target(null, '0.9'), target('dat-dai', '0.5')])
    .execute();
  // Two open items past due and one closed: the summary counts two.
  const now = ict('2026-11-30T07:00');
  await db
    .updateTable('feedback_item')
    .set({ due_at: ict('2026-12-20T10:00') })
    .execute();
  const ids = (await db.selectFrom('feedback_item').select('id').orderBy('id').limit(3).execute()).map((r) => r.id);
  await db
    .updateTable('feedback_item')
    .set({ due_at: ict('2026-11-27T10:00') })
    .where('id', 'in', ids)
    .execute();
  await db.updateTable('feedback_item').set(closed(now)).where('id', '=', ids[2]!).execute();

  const official = await user(db, 'official', c.communeId, 'Hoàng Văn Em');
  const quiet = await user(db, 'official', c.communeId);
  await savePreferences(db, quiet.id, { weekly_summary: false });
  const manager = await user(db, 'manager', c.communeId);
  const rootAdmin = await user(db, 'admin', null);
  const otherAdmin = await user(db, 'admin', other.communeId);

  t.equal((await sendWeeklySummaries(deps, now)).sent, 2, 'the official and the other commune’s administrator');
  t.same(smtp.mails.flatMap((m) => m.to).sort(), [official.email, otherAdmin.email].sort());
  for (const u of [quiet, manager, rootAdmin]) t.equal(to(u.email).length, 0, `${u.email}: none`);

  const mail = to(official.email)[0]!;
  t.equal(mail.subject, 'Tuần 23/11/2026 – 29/11/2026: tóm tắt kết quả khảo sát của Xã Tân Hội');
  t.match(mail.text, 'Kính gửi Ông/Bà Hoàng Văn Em');
  t.match(mail.text, '74,8% (khoảng tin cậy 95%: ', '116 of 155 satisfied');
  t.match(mail.text, '155 phiếu');
  t.match(mail.text, 'Chỉ tiêu: ≥ 90% (Kế hoạch cải cách hành chính năm 2026)');
  t.match(mail.text, 'Đánh giá: Chưa đạt. Chưa đạt chỉ tiêu ≥ 90%');
  t.match(mail.text, 'BA LĨNH VỰC CÓ TỶ LỆ HÀI LÒNG THẤP NHẤT');
  t.match(mail.text, /1\. Đất đai: 60,0% \(40 phiếu; khoảng tin cậy 95%: [^;]+; chỉ tiêu ≥ 50%: /);
  t.match(mail.text, '2. Hộ tịch: 75,0% (40 phiếu');
  t.match(mail.text, '3. Chứng thực: 90,0% (30 phiếu');
  t.notMatch(mail.text, 'Cư trú:');
  t.notMatch(mail.text, 'Y tế:', 'ten answers are too few to rank');
  t.match(mail.text, '1 lĩnh vực khác có ít phiếu hơn nên chưa được xếp');
  t.match(mail.text, 'Hiện có 2 phản ánh, kiến nghị đã quá hạn');
  const link = `/staff/reports?unitId=${c.communeId}&period=custom&from=2026-11-23&to=2026-11-29`;
  t.match(mail.text, `${TEST_PUBLIC_URL}${link}`);
  t.match(to(otherAdmin.email)[0]!.text, 'Chưa có phiếu khảo sát nào trong tuần.');

  // The dashboard behind the link says the same.
  const signIn = await signInForm(app, official.email, TEST_PASSWORD);
  const cookie = signIn.cookies.find((k) => k.name === app.sessionCookie.name)!;
  const page = await app.inject({ method: 'GET', url: link, cookies: { [cookie.name]: cookie.value } });
  t.equal(page.statusCode, 200);
  t.match(page.body, '<p class="big">74,8%</p>');
  t.match(page.body, 'class="verdict v-not_met">Chưa đạt</span>');

  t.same(await sendWeeklySummaries(deps, ict('2026-12-02T09:00')), { sent: 0, skipped: 0 }, 'once a week');
  t.equal(smtp.mails.length, 2);
  t.equal((await sendWeeklySummaries(deps, ict('2026-12-07T07:00'))).sent, 2, 'the next week has its own');
});
