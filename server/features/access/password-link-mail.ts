import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { LINK_HOURS } from './account-rules.ts';
import type { IssuedLink } from './account-service.ts';
import { MIN_PASSWORD_LENGTH } from './auth-service.ts';
import { findAccount } from './user-repository.ts';

// A set-password link by e-mail (issue 18, part 3), beside the page that
// shows it once. Sent while the request that issued it waits, never queued:
// a queued job would keep the link in the job table in clear, where only
// its hash may be kept. Neither the link nor the mail's text is ever logged.

export type LinkMailResult = { status: 'sent'; email: string } | { status: 'failed'; email: string; error: string };

export function passwordLinkMailText(input: {
  purpose: 'create' | 'reset';
  name: string;
  email: string;
  url: string;
  expiresAt: Date;
  by: { name: string; unitName: string | null };
  publicUrl: string;
}): { subject: string; text: string } {
  const by = input.by.unitName ? `${input.by.name} (${input.by.unitName})` : input.by.name;
  const what =
    input.purpose === 'create'
      ? `${by} đã tạo cho Ông/Bà một tài khoản trên hệ thống khảo sát sự hài lòng Hài Lòng, đăng nhập bằng địa chỉ ${input.email}.`
      : `${by} đã cấp lại mật khẩu tài khoản ${input.email} của Ông/Bà trên hệ thống khảo sát sự hài lòng Hài Lòng. Mật khẩu cũ không còn dùng được.`;
  const text = [
    `Kính gửi Ông/Bà ${input.name},`,
    '',
    what,
    '',
    `Để đặt mật khẩu, Ông/Bà mở đường dẫn dưới đây và chọn một mật khẩu mới (ít nhất ${MIN_PASSWORD_LENGTH} ký tự):`,
    input.url,
    '',
    `Đường dẫn chỉ dùng được một lần và hết hạn sau ${LINK_HOURS} giờ (lúc ${formatDateTimeVi(input.expiresAt)}). Nếu đường dẫn đã hết hạn, Ông/Bà đề nghị người quản lý cấp lại.`,
    `Sau khi đặt mật khẩu, Ông/Bà đăng nhập tại ${input.publicUrl}/staff/sign-in.`,
    '',
    'Nếu Ông/Bà không chờ thư này, xin đừng mở đường dẫn và báo cho người quản lý tài khoản của đơn vị.',
    '',
    '—',
    'Thư gửi tự động từ Hài Lòng. Vui lòng không chuyển tiếp thư này: ai có đường dẫn đều đặt được mật khẩu.',
  ].join('\n');
  const subject =
    input.purpose === 'create' ? 'Tài khoản Hài Lòng của Ông/Bà: đặt mật khẩu' : 'Cấp lại mật khẩu tài khoản Hài Lòng';
  return { subject, text: `${text}\n` };
}

/**
 * Mails the link just issued to the account's own address; undefined
 * without a mailer. A failure is answered, not thrown: the page still shows
 * the link, to hand over in person.
 */
export async function mailPasswordLink(
  db: Db,
  mailer: Mailer | undefined,
  input: {
    userId: number;
    link: IssuedLink;
    url: string;
    purpose: 'create' | 'reset';
    actor: Actor & { name?: string; unitName?: string | null };
    publicUrl: string;
  },
): Promise<LinkMailResult | undefined> {
  if (!mailer) return undefined;
  const account = await findAccount(db, input.userId);
  if (!account) return undefined;
  const mail = passwordLinkMailText({
    purpose: input.purpose,
    name: account.name,
    email: account.email,
    url: input.url,
    expiresAt: input.link.expiresAt,
    by: { name: input.actor.name ?? 'Quản trị hệ thống', unitName: input.actor.unitName ?? null },
    publicUrl: input.publicUrl,
  });
  try {
    await mailer.send({ to: account.email, ...mail });
    return { status: 'sent', email: account.email };
  } catch (err) {
    return { status: 'failed', email: account.email, error: (err as Error).message };
  }
}
