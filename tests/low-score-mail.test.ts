import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { formatDateVi } from '../analysis/local-time.ts';
import { backgroundWork } from '../server/background.ts';
import { LOW_SCORE_WINDOW_MS, mailLowScores } from '../server/features/notifications/low-score-mail.ts';
import { startJobRunner } from '../server/platform/jobs/job-runner.ts';
import { createMailer } from '../server/platform/mail/mailer.ts';
import { comment, setup as feedbackSetup, withOverall } from './helpers/feedback.ts';
import { unitCode } from './helpers/fixtures.ts';
import { startSmtp } from './helpers/smtp.ts';
import { staffClient } from './helpers/staff.ts';

// Low-score alerts by e-mail (issue 18, part 3), over real SMTP: the
// centre's managers hear of low scores at once, then at most once in 15
// minutes with the scores gathered; a manager who said no, or of another
// centre, hears nothing; the mail holds no comment and no citizen data.

const COMMENT = 'Cán bộ Nguyễn Văn A không hướng dẫn, số điện thoại 0912345678.';
const FROM = 'Hài Lòng <khaosat@example.gov.vn>';

async function setup(t: Test) {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const base = await feedbackSetup(t, { mail: { url: smtp.url, from: FROM } });
  const { app, db, mine, other } = base;
  const config = app.config;
  const mailer = createMailer(config.mail)!;
  t.teardown(() => mailer.close());
  const mineCode = await unitCode(db, mine.centreId);
  // A second manager of the centre who turned the alert off on their account page.
  const quiet = await staffClient(app, db, { role: 'manager', unitCode: mineCode });
  t.equal((await quiet.post('/staff/notifications', { topic: 'feedback_due' })).statusCode, 303);
  const elsewhere = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.centreId) });
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: mineCode });
  const deps = { db, config, mailer };
  const throttle = () =>
    db.selectFrom('mail_throttle').selectAll().where('unit_id', '=', mine.centreId).executeTakeFirst();
  const alerts = () => smtp.mails.filter((m) => m.subject.startsWith('Đánh giá thấp'));
  return { ...base, smtp, mailer, config, deps, quiet, elsewhere, clerk, throttle, alerts };
}

t.test('low scores within 15 minutes make one mail, later ones the next mail after the window', async (t) => {
  const { db, mine, respond, manager, quiet, elsewhere, clerk, deps, smtp, throttle, alerts } = await setup(t);
  await respond([withOverall(1), [...withOverall(2), comment(COMMENT)]]);
  const { rows } = await sql<{ n: number; run_at: Date }>`
    select count(*)::int as n, max(run_at) as run_at from graphile_worker.jobs
     where key = ${`mail_low_scores:${mine.centreId}`}`.execute(db);
  t.equal(rows[0]?.n, 1, 'both events share one queued job for the centre');

  const first = await mailLowScores(deps, mine.centreId);
  t.match(first, { status: 'sent', total: 2 });
  const mail = await smtp.waitFor((m) => m.subject.startsWith('Đánh giá thấp'));
  t.same(mail.to, [manager.email], 'to the manager who wants it, not the one who said no, nor another centre');
  for (const who of [quiet, elsewhere, clerk]) t.notOk(mail.to.includes(who.email));
  t.match(mail.subject, /^Đánh giá thấp tại Trung tâm Phục vụ hành chính công Xã Tân Hội: 2 phiếu$/);
  t.match(mail.text, 'Quầy 1 – Đất đai');
  t.match(mail.text, `Đất đai, ngày ${formatDateVi(new Date())}: 1 phiếu "Rất không hài lòng" (1 điểm)`);
  t.match(mail.text, `Đất đai, ngày ${formatDateVi(new Date())}: 1 phiếu "Không hài lòng" (2 điểm)`);
  t.match(mail.text, `https://khaosat.example.gov.vn/staff/feedback?unitId=${mine.centreId}`);
  for (const secret of [COMMENT, 'Nguyễn Văn A', '0912345678']) t.notMatch(mail.text, secret, 'no comment text');
  t.notMatch(mail.text, /\d{1,2}:\d{2}/, 'no time of day');
  const sent = await throttle();
  t.ok(sent, 'the window starts');

  // A third low score a minute later waits for the window, however often the job runs.
  await respond([withOverall(1)]);
  const soon = new Date(Date.now() + 60_000);
  t.match(await mailLowScores(deps, mine.centreId, soon), { status: 'waiting' });
  t.equal(alerts().length, 1, 'no second mail within 15 minutes');
  const requeued = await sql<{ run_at: Date }>`
    select run_at from graphile_worker.jobs where key = ${`mail_low_scores:${mine.centreId}`}`.execute(db);
  t.ok(
    requeued.rows.some(
      (r) => Math.abs(r.run_at.getTime() - (sent!.last_sent_at.getTime() + LOW_SCORE_WINDOW_MS)) < 1000,
    ),
    'the job waits until the window ends',
  );

  const later = new Date(sent!.last_sent_at.getTime() + LOW_SCORE_WINDOW_MS + 1000);
  t.match(await mailLowScores(deps, mine.centreId, later), { status: 'sent', total: 1 });
  const next = await smtp.waitFor((m) => m.subject.endsWith(': 1 phiếu'));
  t.same(next.to, [manager.email]);
  t.match(next.text, '1 phiếu "Rất không hài lòng"');
  t.equal(alerts().length, 2);
  t.match(await mailLowScores(deps, mine.centreId, new Date(later.getTime() + LOW_SCORE_WINDOW_MS)), {
    status: 'nothing',
  });
  t.equal(alerts().length, 2, 'nothing new, no mail');
});

t.test('without a mailer nothing is covered; without recipients the scores are covered unsent', async (t) => {
  const { mine, other, respond, deps, throttle, alerts, elsewhere } = await setup(t);
  await respond([withOverall(1)]);
  t.match(await mailLowScores({ ...deps, mailer: undefined }, mine.centreId), { status: 'no_mailer' });
  t.notOk(await throttle(), 'nothing advanced without a relay');
  t.match(await mailLowScores(deps, mine.centreId), { status: 'sent', total: 1 }, 'a relay later sends them');

  // The other centre's only manager said no: nobody else is asked instead, and the scores are
  // covered, not kept for a burst the day they say yes.
  t.equal((await elsewhere.post('/staff/notifications', { topic: 'feedback_due' })).statusCode, 303);
  await respond([withOverall(2)], { desk: 'other' });
  t.match(await mailLowScores(deps, other.centreId), { status: 'no_recipients' });
  t.equal(alerts().length, 1, 'only the first centre was mailed');
  t.equal((await elsewhere.post('/staff/notifications', { topic: ['feedback_due', 'low_score'] })).statusCode, 303);
  t.match(await mailLowScores(deps, other.centreId), { status: 'nothing' });
});

t.test('a centre without a manager: the managers of the nearest unit above hear of it', async (t) => {
  const { app, db, other, respond, deps, smtp, elsewhere } = await setup(t);
  await db.updateTable('app_user').set({ active: false }).where('email', '=', elsewhere.email).execute();
  const communeManager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.communeId) });
  await respond([withOverall(1)], { desk: 'other' });
  t.match(await mailLowScores(deps, other.centreId), { status: 'sent', total: 1 });
  const mail = await smtp.waitFor((m) => m.subject.includes('Xã Bình Minh'));
  t.same(mail.to, [communeManager.email]);
  t.match(mail.text, 'chưa có tài khoản quản lý, nên thư này được gửi tới quản lý của Xã Bình Minh.');

  await db.updateTable('app_user').set({ active: false }).where('email', '=', communeManager.email).execute();
  await db
    .updateTable('mail_throttle')
    .set({ last_sent_at: new Date(Date.now() - LOW_SCORE_WINDOW_MS - 1000) })
    .where('unit_id', '=', other.centreId)
    .execute();
  await respond([withOverall(1)], { desk: 'other' });
  t.match(await mailLowScores(deps, other.centreId), { status: 'no_recipients' });
  const row = await db
    .selectFrom('mail_throttle')
    .selectAll()
    .where('unit_id', '=', other.centreId)
    .executeTakeFirstOrThrow();
  const newest = await db
    .selectFrom('outbox_event')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('unit_id', '=', other.centreId)
    .executeTakeFirstOrThrow();
  t.same(row.covered_until, newest.at, 'covered without a mail');
});

t.test('the job runner mails a score of 1 within seconds', async (t) => {
  const { db, config, mine, respond, smtp, manager } = await setup(t);
  const mailer = createMailer(config.mail);
  const runner = await startJobRunner({
    connectionString: config.databaseUrl!,
    taskList: backgroundWork({ db, config, mailer, log: () => {} }).tasks,
    concurrency: 1,
    log: (level, msg) => process.stderr.write(`job runner ${level}: ${msg}\n`),
  });
  try {
    const started = Date.now();
    await respond([withOverall(1)]);
    const mail = await smtp.waitFor((m) => m.subject.startsWith('Đánh giá thấp'), 30_000);
    t.ok(Date.now() - started < 30_000, `mailed after ${Date.now() - started} ms`);
    t.same(mail.to, [manager.email]);
    t.match(mail.subject, ': 1 phiếu');
    // The job commits its throttle row after the mail is handed over: wait for the commit.
    const throttled = () =>
      db.selectFrom('mail_throttle').select('unit_id').where('unit_id', '=', mine.centreId).executeTakeFirst();
    for (let i = 0; i < 200 && !(await throttled()); i++) await new Promise((r) => setTimeout(r, 25));
    t.ok(await throttled(), 'the mail is recorded against the window');
  } finally {
    // Before the database is dropped at teardown, whatever happened: a
    // runner left on a dropped database fails the whole test process.
    await runner.stop();
    mailer?.close();
  }
});
