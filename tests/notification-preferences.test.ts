import t from 'tap';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { startSmtp } from './helpers/smtp.ts';
import { formBody, staffClient } from './helpers/staff.ts';

// E-mail notices on the user's own account page (issue 18, part 3): each
// role is offered the topics it receives, the choice is kept, the form needs
// the session's CSRF token; and a set-password link reaches its owner by
// real SMTP when an account is created or its password reset.

const FROM = 'Hài Lòng <khaosat@example.gov.vn>';
const NO_SMTP = 'Máy chủ chưa cấu hình gửi thư (SMTP_URL, MAIL_FROM): chưa có thư nào được gửi.';

/** The topics offered on the page, and which are ticked. */
const boxes = (html: string) =>
  [...html.matchAll(/<input type="checkbox" name="topic" value="([a-z_]+)"( checked)?>/g)].map(
    (m) => `${m[1]}${m[2] ? '+' : '-'}`,
  );

t.test('the account page offers the topics of the role and keeps the choice', async (t) => {
  const { app, db } = await testApp(t);
  const { centreId, provinceId } = await createCentre(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, centreId) });
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, centreId) });
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, provinceId) });

  const page = await manager.get('/staff/password');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Nhận thư thông báo');
  t.match(page.body, 'Cảnh báo đánh giá thấp');
  t.match(page.body, 'gộp lại, nhiều nhất một thư mỗi 15 phút');
  t.match(page.body, `Thư được gửi tới địa chỉ <strong>${manager.email}</strong>`);
  t.match(page.body, NO_SMTP, 'without SMTP the page says no mail goes out');
  t.same(
    boxes(page.body),
    ['low_score+', 'feedback_due+', 'webhook_paused+'],
    'a manager: every topic of the role, on',
  );
  t.same(boxes((await clerk.get('/staff/password')).body), ['feedback_due+'], 'counter staff: their feedback only');
  t.same(
    boxes((await official.get('/staff/password')).body),
    ['feedback_due+', 'weekly_summary+', 'webhook_paused+'],
    'an official: the weekly summary, no low-score alert',
  );

  const saved = await manager.post('/staff/notifications', { topic: ['feedback_due', 'weekly_summary'] });
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/staff/password?saved=mail#thu-thong-bao');
  const after = await manager.get(saved.headers.location as string);
  t.match(after.body, 'Đã lưu lựa chọn nhận thư.');
  t.same(boxes(after.body), ['low_score-', 'feedback_due+', 'webhook_paused-']);
  const rows = await db
    .selectFrom('user_mail_preference as p')
    .innerJoin('app_user as u', 'u.id', 'p.user_id')
    .select(['p.topic', 'p.enabled'])
    .where('u.email', '=', manager.email)
    .orderBy('p.topic')
    .execute();
  t.same(
    rows,
    [
      { topic: 'feedback_due', enabled: true },
      { topic: 'low_score', enabled: false },
      { topic: 'webhook_paused', enabled: false },
    ],
    'a topic the role does not receive is not saved, even when posted',
  );
  t.same(boxes((await clerk.get('/staff/password')).body), ['feedback_due+'], "another user's choice is untouched");

  await manager.post('/staff/notifications', { topic: ['low_score', 'feedback_due', 'webhook_paused'] });
  t.same(boxes((await manager.get('/staff/password')).body), ['low_score+', 'feedback_due+', 'webhook_paused+']);

  const forged = await app.inject({
    method: 'POST',
    url: '/staff/notifications',
    cookies: manager.cookies,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ topic: 'feedback_due' }),
  });
  t.equal(forged.statusCode, 403, 'the CSRF token is required');
  t.same(boxes((await manager.get('/staff/password')).body), ['low_score+', 'feedback_due+', 'webhook_paused+']);
  const anonymous = await app.inject({
    method: 'POST',
    url: '/staff/notifications',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ topic: 'feedback_due' }),
  });
  t.equal(anonymous.statusCode, 401, 'and a session');
});

t.test('with SMTP, a new account and a reset mail the set-password link to its owner', async (t) => {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const { app, db } = await testApp(t, { mail: { url: smtp.url, from: FROM } });
  const { centreId } = await createCentre(db, 'Xã Tân Hội');
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, centreId) });
  t.notMatch((await manager.get('/staff/password')).body, NO_SMTP, 'SMTP configured: no warning');

  const created = await manager.post('/staff/accounts', {
    name: 'Nguyễn Thị Bình',
    email: 'nguyen.thi.binh@example.gov.vn',
    role: 'staff',
    unitId: String(centreId),
  });
  t.equal(created.statusCode, 201);
  const shown = /<code class="secret">([^<]+)<\/code>/.exec(created.body)?.[1];
  t.ok(shown, 'the page still shows the link');
  t.match(created.body, 'Đã gửi đường dẫn tới <strong>nguyen.thi.binh@example.gov.vn</strong>.');
  const welcome = await smtp.waitFor((m) => m.to.includes('nguyen.thi.binh@example.gov.vn'));
  t.same(welcome.to, ['nguyen.thi.binh@example.gov.vn'], 'to the account alone');
  t.match(welcome.subject, 'đặt mật khẩu');
  t.match(welcome.text, 'Kính gửi Ông/Bà Nguyễn Thị Bình,');
  t.match(welcome.text, 'Cán bộ Thử Nghiệm (Trung tâm Phục vụ hành chính công Xã Tân Hội) đã tạo cho Ông/Bà');
  t.match(welcome.text, shown!, 'the same link as on the page');
  t.match(welcome.text, 'chỉ dùng được một lần và hết hạn sau 24 giờ');
  t.match(welcome.raw.from?.text ?? '', 'Hài Lòng');

  const id = (
    await db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'nguyen.thi.binh@example.gov.vn')
      .executeTakeFirstOrThrow()
  ).id;
  const reset = await manager.post(`/staff/accounts/${id}/reset`);
  t.equal(reset.statusCode, 201);
  const again = /<code class="secret">([^<]+)<\/code>/.exec(reset.body)?.[1];
  t.match(reset.body, 'Đã gửi đường dẫn tới');
  const mail = await smtp.waitFor((m) => m.subject === 'Cấp lại mật khẩu tài khoản Hài Lòng');
  t.match(mail.text, again!, 'the new link');
  t.notMatch(mail.text, shown!, 'not the revoked one');
  t.match(mail.text, 'Mật khẩu cũ không còn dùng được');
  const opened = await app.inject({ method: 'GET', url: new URL(again!).pathname });
  t.equal(opened.statusCode, 200, 'the mailed link opens the set-password page');
});

t.test('a relay that refuses: the page says so and shows the link to hand over', async (t) => {
  const smtp = await startSmtp();
  const url = smtp.url;
  await smtp.close();
  const { app, db } = await testApp(t, { mail: { url, from: FROM } });
  const { centreId } = await createCentre(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, centreId) });
  const created = await manager.post('/staff/accounts', {
    name: 'Trần Văn Cường',
    email: 'tran.van.cuong@example.gov.vn',
    role: 'staff',
    unitId: String(centreId),
  });
  t.equal(created.statusCode, 201, 'the account exists all the same');
  t.match(created.body, 'Không gửi được thư: hãy trao đường dẫn trực tiếp.');
  t.match(created.body, /<code class="secret">[^<]+\/staff\/set-password\/[^<]+<\/code>/);
  t.notMatch(created.body, 'Đã gửi đường dẫn');
});

t.test('without SMTP the link is only on the page, as before', async (t) => {
  const { app, db } = await testApp(t);
  const { centreId } = await createCentre(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, centreId) });
  const created = await manager.post('/staff/accounts', {
    name: 'Lê Thị Dung',
    email: 'le.thi.dung@example.gov.vn',
    role: 'staff',
    unitId: String(centreId),
  });
  t.equal(created.statusCode, 201);
  t.notMatch(created.body, 'Đã gửi đường dẫn');
  t.notMatch(created.body, 'Không gửi được thư');
});
