import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import { EVENTS } from '../../platform/events/outbox.ts';
import type { DeliveryStatus } from './webhook-log-repository.ts';

// How the staff page names events, delivery statuses and an endpoint's
// state. An event added to EVENTS before its label here shows by its name.

const EVENT_LABELS: Record<string, string> = {
  'feedback.created': 'Phản ánh, kiến nghị mới',
  'feedback.updated': 'Phản ánh được cập nhật (trạng thái, trả lời, người xử lý)',
  'feedback.overdue': 'Phản ánh quá hạn xử lý',
  'response.low_score': 'Đánh giá thấp (1–2 điểm)',
  'dossier_volumes.imported': 'Nhập số liệu hồ sơ',
  'suspects.flagged': 'Quầy có phiếu nghi vấn',
};

export function eventLabel(event: string): string {
  return EVENT_LABELS[event] ?? event;
}

/** Every event there is, with its label, for the checkboxes of the form. */
export function eventOptions(): { value: string; label: string }[] {
  return EVENTS.map((value) => ({ value, label: eventLabel(value) }));
}

export const STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Đang chờ',
  sending: 'Đang gửi',
  delivered: 'Đã nhận',
  failed: 'Thất bại',
};

export function endpointState(e: { pausedAt: Date | null; failingSince: Date | null }): string {
  if (e.pausedAt) return `Tạm dừng từ ${formatDateTimeVi(e.pausedAt)}`;
  if (e.failingSince) return `Lỗi từ ${formatDateTimeVi(e.failingSince)}`;
  return 'Đang hoạt động';
}
