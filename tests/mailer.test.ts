import t from 'tap';
import { loadConfig } from '../server/platform/config.ts';
import { createMailer } from '../server/platform/mail/mailer.ts';
import { startSmtp } from './helpers/smtp.ts';

// Mail goes over real SMTP (issue 18): to a server the test starts on
// loopback, in Vietnamese with its diacritics intact, and not at all
// without both SMTP_URL and MAIL_FROM.

t.test('without SMTP_URL and MAIL_FROM there is no mailer', async (t) => {
  t.equal(loadConfig({}).mail, undefined);
  t.equal(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).mail, undefined, 'a relay without a sender is not enough');
  t.equal(createMailer(undefined), undefined);
  t.throws(() => loadConfig({ SMTP_URL: 'http://mail.example', MAIL_FROM: 'a@b.vn' }), 'only smtp:// or smtps://');
});

t.test('a Vietnamese mail reaches a real SMTP server intact', async (t) => {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const config = loadConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Hài Lòng <khaosat@example.gov.vn>' });
  const mailer = createMailer(config.mail);
  t.ok(mailer);
  t.teardown(() => mailer?.close());
  await mailer!.send({
    to: 'truongphong@example.gov.vn',
    subject: 'Đánh giá thấp tại Bộ phận Một cửa xã Tân Hội',
    text: 'Có 2 đánh giá "Rất không hài lòng" trong 15 phút qua.',
  });
  const mail = await smtp.waitFor((m) => m.to.includes('truongphong@example.gov.vn'));
  t.equal(mail.subject, 'Đánh giá thấp tại Bộ phận Một cửa xã Tân Hội');
  t.match(mail.text, 'Có 2 đánh giá "Rất không hài lòng"');
  t.match(mail.raw.from?.text ?? '', 'Hài Lòng');
});
