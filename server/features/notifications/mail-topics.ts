import type { MailTopic, Role } from '../../platform/db/schema.ts';

// The kinds of e-mail a staff member may receive, who may receive each, and
// how the account page names them. Every topic is on until its user turns
// it off (a missing preference row).

export interface TopicInfo {
  topic: MailTopic;
  roles: readonly Role[];
  label: string;
  hint: string;
}

export const MAIL_TOPICS: readonly TopicInfo[] = [
  {
    topic: 'low_score',
    roles: ['admin', 'manager'],
    label: 'Cảnh báo đánh giá thấp',
    hint: 'Khi người dân chấm 1–2 điểm tại đơn vị của tôi (gộp lại, nhiều nhất một thư mỗi 15 phút cho mỗi đơn vị).',
  },
  {
    topic: 'feedback_due',
    roles: ['admin', 'manager', 'official', 'staff'],
    label: 'Phản ánh sắp đến hạn, quá hạn',
    hint: 'Sáng mỗi ngày: phản ánh được giao cho tôi đã quá hạn hoặc đến hạn trong ngày làm việc tiếp theo.',
  },
  {
    topic: 'weekly_summary',
    roles: ['admin', 'official'],
    label: 'Tóm tắt hằng tuần',
    hint: 'Sáng thứ Hai: tỷ lệ hài lòng, ba lĩnh vực thấp nhất và phản ánh quá hạn.',
  },
  {
    topic: 'webhook_paused',
    roles: ['admin', 'manager', 'official'],
    label: 'Webhook bị tạm dừng',
    hint: 'Khi một địa chỉ webhook tôi đăng ký không nhận được trong 24 giờ và bị tạm dừng.',
  },
];

export function topicsForRole(role: Role): TopicInfo[] {
  return MAIL_TOPICS.filter((t) => t.roles.includes(role));
}
