import type { Locale } from '../../platform/i18n.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';

// A citizen who left an e-mail address for a callback gets their personal
// follow-up link by mail too, at once: the link exists only on the
// confirmation page (its key is kept as a hash), so this is the one moment
// it can be sent. Nothing else goes in the mail: no answer, no unit.

const TEXT = {
  vi: {
    subject: 'Theo dõi ý kiến của Ông/Bà',
    body: (url: string, due: string) =>
      [
        'Kính gửi Ông/Bà,',
        '',
        `Cơ quan đã nhận thông tin liên hệ của Ông/Bà. Cán bộ phụ trách sẽ liên hệ lại trước ngày ${due} (1 ngày làm việc).`,
        '',
        'Khi có trả lời, Ông/Bà xem trả lời và đánh giá cách giải quyết tại địa chỉ riêng dưới đây (vui lòng không chia sẻ cho người khác):',
        url,
        '',
        'Địa chỉ thư này chỉ dùng để liên hệ về ý kiến của Ông/Bà và được xoá 30 ngày sau khi phản ánh được đóng.',
      ].join('\n'),
  },
  en: {
    subject: 'Following up your feedback',
    body: (url: string, due: string) =>
      [
        'Dear citizen,',
        '',
        `We have received your contact details. The officer in charge will contact you by ${due} (1 working day).`,
        '',
        'Once answered, read the reply and rate how it was handled at your own address below (please do not share it):',
        url,
        '',
        'This address is used only to contact you about this feedback and is deleted 30 days after it is closed.',
      ].join('\n'),
  },
} as const;

/** Whether the relay took the mail; a failure is the page's to mention, never thrown. */
export async function mailFollowUpLink(
  mailer: Mailer,
  to: string,
  link: { url: string; dueText: string; lang: Locale },
): Promise<boolean> {
  const tx = TEXT[link.lang];
  try {
    await mailer.send({ to, subject: tx.subject, text: tx.body(link.url, link.dueText) });
    return true;
  } catch {
    return false;
  }
}
