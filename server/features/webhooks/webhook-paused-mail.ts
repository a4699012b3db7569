import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import type { BackgroundDeps } from '../../platform/jobs/background-part.ts';
import { recipientsAmong } from '../notifications/mail-preference-repository.ts';
import {
  findEndpointForMail,
  isActiveUser,
  type PausedEndpoint,
  unitManagersAndOfficials,
} from './webhook-paused-repository.ts';

// The mail that tells of a paused webhook endpoint: the job
// `mail_webhook_paused`, queued once in the transaction that paused it
// (webhook-delivery-repository.ts markFailed). It goes to whoever
// registered the endpoint on the staff page; when nobody did (an API key)
// or their account is closed, to the active managers and officials of the
// endpoint's unit; each one only if they did not turn the topic off.
//
// One mail with every recipient in To (as the low-score alert): a retry
// after a failed send never gives anyone a second copy. The mail names the
// URL's origin only, as the audit does: a path may hold a token. Never the
// secret.

export type PausedMailOutcome =
  | { status: 'no_mailer' | 'not_paused' | 'no_recipients' }
  | { status: 'sent'; to: string[] };

export async function mailWebhookPaused(
  deps: Pick<BackgroundDeps, 'db' | 'config' | 'mailer'>,
  endpointId: number,
): Promise<PausedMailOutcome> {
  const { db, config, mailer } = deps;
  if (!mailer) return { status: 'no_mailer' };
  const endpoint = await findEndpointForMail(db, endpointId);
  // Deleted or resumed before the job ran: nothing to tell.
  if (!endpoint?.pausedAt) return { status: 'not_paused' };
  const owner = endpoint.ownerUserId;
  const userIds =
    owner !== null && (await isActiveUser(db, owner)) ? [owner] : await unitManagersAndOfficials(db, endpoint.unitId);
  const recipients = await recipientsAmong(db, 'webhook_paused', userIds);
  if (!recipients.length) return { status: 'no_recipients' };
  const to = recipients.map((r) => r.email);
  await mailer.send({ to, ...pausedMailText(endpoint, config.publicUrl) });
  return { status: 'sent', to };
}

export function pausedMailText(e: PausedEndpoint, publicUrl: string): { subject: string; text: string } {
  const origin = new URL(e.url).origin;
  const since = e.failingSince ?? e.pausedAt!;
  const lines = [
    'Kính gửi Ông/Bà,',
    '',
    `Địa chỉ webhook ${origin} của ${e.unitName} không nhận được sự kiện nào kể từ ${formatDateTimeVi(since)}.`,
    `Hệ thống Hài Lòng đã tạm dừng gửi đến địa chỉ này từ ${formatDateTimeVi(e.pausedAt!)}: các sự kiện mới sẽ không được gửi cho đến khi tiếp tục.`,
    '',
    'Để tiếp tục nhận sự kiện:',
    '  1. Kiểm tra máy nhận: địa chỉ còn hoạt động và trả lời mã 2xx trong thời hạn.',
    `  2. Mở trang ${publicUrl}/staff/webhooks/${e.id} và bấm "Tiếp tục gửi".`,
    '  3. Tại trang đó, bấm "Gửi lại các lần thất bại" để gửi lại các sự kiện chưa nhận được.',
    '',
    '—',
    'Thư gửi tự động từ Hài Lòng.',
    `Để thôi nhận loại thư này, bỏ chọn "Webhook bị tạm dừng" tại ${publicUrl}/staff/password.`,
  ];
  return { subject: `Webhook của ${e.unitName} đã bị tạm dừng`, text: `${lines.join('\n')}\n` };
}
