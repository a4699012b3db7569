import { randomUUID } from 'node:crypto';
import t from 'tap';
import { setup } from './helpers/feedback.ts';
import { VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testConfig } from './helpers/harness.ts';
import { startSmtp } from './helpers/smtp.ts';

// A citizen who leaves an e-mail address for a callback (issue 18) gets the
// personal follow-up link by mail at once, over real SMTP: the link exists
// only then. A phone number gets no mail, and no server mail setting, no mail.

async function leaveContact(t: Parameters<typeof setup>[0], contact: string, withSmtp: boolean) {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const s = await setup(t, {
    stuffing: { ...testConfig().stuffing, minSeconds: 0 },
    ...(withSmtp ? { mail: { url: smtp.url, from: 'khaosat@example.gov.vn' } } : {}),
  });
  const desk = await s.db.selectFrom('desk').select('code').where('id', '=', s.deskId).executeTakeFirstOrThrow();
  const post = (url: string, fields: Record<string, string>) =>
    s.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });
  const form = await s.app.inject(`/q/${desk.code}`);
  const renderToken = /name="renderToken" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const thanks = await post(`/q/${desk.code}`, {
    ...VALID_FORM_ANSWERS,
    overall: '1',
    serviceArea: 'dat-dai',
    submissionId: randomUUID(),
    renderToken,
  });
  const offer = /name="offer" value="([^"]+)"/.exec(thanks.body)?.[1] ?? '';
  const saved = await post('/lien-he-lai', { offer, contact, consent: '1' });
  return { smtp, saved };
}

t.test('an e-mail contact gets the follow-up link by mail, once', async (t) => {
  const { smtp, saved } = await leaveContact(t, 'ba.lan@example.vn', true);
  t.equal(saved.statusCode, 200);
  const link = /href="(https:\/\/[^"]+\/theo-doi\/[^"]+)"/.exec(saved.body)?.[1];
  t.ok(link, 'the page shows the personal link');
  t.match(saved.body, 'Địa chỉ này cũng đã được gửi tới thư điện tử của Ông/Bà.');
  const mail = await smtp.waitFor((m) => m.to.includes('ba.lan@example.vn'));
  t.equal(mail.subject, 'Theo dõi ý kiến của Ông/Bà');
  t.ok(mail.text.includes(link!), 'the mail holds the same link');
  t.match(mail.text, '1 ngày làm việc');
  t.equal(smtp.mails.length, 1, 'one mail');
});

t.test('a phone contact, or a server without mail, sends nothing', async (t) => {
  const phone = await leaveContact(t, '0912345678', true);
  t.equal(phone.saved.statusCode, 200);
  t.notMatch(phone.saved.body, 'thư điện tử của Ông/Bà');
  const noSmtp = await leaveContact(t, 'ba.lan@example.vn', false);
  t.equal(noSmtp.saved.statusCode, 200);
  t.notMatch(noSmtp.saved.body, 'đã được gửi tới thư điện tử');
  await new Promise((r) => setTimeout(r, 300));
  t.equal(phone.smtp.mails.length + noSmtp.smtp.mails.length, 0, 'no mail at all');
});
