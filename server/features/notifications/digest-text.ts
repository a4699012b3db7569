import { formatDateTimeVi, formatDateVi, isoDateToVi, todayIso } from '../../../analysis/local-time.ts';
import type { SatisfactionReport } from '../../../analysis/report-types.ts';
import { SMALL_SAMPLE_BELOW } from '../../../analysis/suppression.ts';
import { formatCountVi } from '../../../analysis/vi-number.ts';
import { formatInterval, formatRate, formatTarget, headline, VERDICT_NAMES } from '../reports/exports/report-text.ts';
import type { DueItemRow } from './digest-repository.ts';
import { areasTooThin, dayWord, weakestAreas, workingDaysLate } from './digest-rules.ts';
import { MAIL_TOPICS } from './mail-topics.ts';

// The words of the morning reminder and the Monday summary, plain text (every
// client reads it). Figures and verdicts come from the dashboard's own
// formatting (reports/exports/report-text.ts), so a mail never says what the
// dashboard does not. No citizen's comment is ever written here. Pure.

export interface MailText {
  subject: string;
  text: string;
}

const topicLabel = (topic: 'feedback_due' | 'weekly_summary') => MAIL_TOPICS.find((t) => t.topic === topic)!.label;

function footer(topic: 'feedback_due' | 'weekly_summary', publicUrl: string): string {
  return [
    '--',
    'Thư được gửi tự động từ hệ thống Hài Lòng (khảo sát sự hài lòng của người dân); vui lòng không trả lời thư này.',
    `Để thôi nhận loại thư này, bỏ chọn «${topicLabel(topic)}» tại mục «Nhận thư thông báo»: ${publicUrl}/staff/password#thu-thong-bao`,
  ].join('\n');
}

function itemLines(i: number, item: DueItemRow, when: string, publicUrl: string): string[] {
  return [
    `${i + 1}. Phản ánh số ${item.id} – ${item.unitName} – lĩnh vực ${item.serviceAreaName}`,
    `   Hạn xử lý: ${when}`,
    `   Xem và xử lý: ${publicUrl}/staff/feedback/${item.id}`,
  ];
}

function lateText(item: DueItemRow, now: Date): string {
  const days = workingDaysLate(item.dueAt, now);
  const due = formatDateVi(item.dueAt);
  return days > 0 ? `${due}, đã quá hạn ${formatCountVi(days)} ngày làm việc.` : `${due} (hôm nay), đã quá hạn.`;
}

function comingText(item: DueItemRow, today: string): string {
  return `${formatDateVi(item.dueAt)} (${dayWord(todayIso(item.dueAt), today)}).`;
}

/**
 * The reminder of one assignee's open items: those already late, then those
 * due before the end of the next working day. Undefined when there is none.
 */
export function dueMail(p: {
  name: string;
  items: readonly DueItemRow[];
  now: Date;
  today: string;
  publicUrl: string;
}): MailText | undefined {
  const late = p.items.filter((i) => i.dueAt < p.now);
  const coming = p.items.filter((i) => i.dueAt >= p.now);
  if (!late.length && !coming.length) return undefined;
  const counts = [
    late.length ? `${formatCountVi(late.length)} phản ánh đã quá hạn` : '',
    coming.length ? `${formatCountVi(coming.length)} phản ánh sắp đến hạn` : '',
  ].filter(Boolean);
  const lines = [
    `Kính gửi Ông/Bà ${p.name},`,
    '',
    `Các phản ánh, kiến nghị được giao cho Ông/Bà sau đây đang chờ xử lý, tính đến ${formatDateTimeVi(p.now)}.`,
  ];
  if (late.length) {
    lines.push('', `ĐÃ QUÁ HẠN (${formatCountVi(late.length)})`);
    for (const [i, item] of late.entries()) lines.push(...itemLines(i, item, lateText(item, p.now), p.publicUrl));
  }
  if (coming.length) {
    lines.push('', `SẮP ĐẾN HẠN (${formatCountVi(coming.length)})`);
    for (const [i, item] of coming.entries()) lines.push(...itemLines(i, item, comingText(item, p.today), p.publicUrl));
  }
  lines.push(
    '',
    'Thư không kèm nội dung ý kiến của người dân. Ông/Bà vui lòng đăng nhập hệ thống để xem ý kiến, trả lời người dân và cập nhật trạng thái xử lý.',
    '',
    footer('feedback_due', p.publicUrl),
  );
  return {
    subject: `Nhắc việc ngày ${isoDateToVi(p.today)}: ${counts.join(', ')}`,
    text: lines.join('\n'),
  };
}

/** "Tuần 23/11/2026 – 29/11/2026". */
export function weekLabel(week: { from: string; to: string }): string {
  return `Tuần ${isoDateToVi(week.from)} – ${isoDateToVi(week.to)}`;
}

/** The dashboard of the unit for exactly that week. */
export function reportUrl(publicUrl: string, unitId: number, week: { from: string; to: string }): string {
  const q = new URLSearchParams({ unitId: String(unitId), period: 'custom', from: week.from, to: week.to });
  return `${publicUrl}/staff/reports?${q.toString()}`;
}

function headlineLines(r: SatisfactionReport): string[] {
  if (r.overall.n === 0) return ['Chưa có phiếu khảo sát nào trong tuần.'];
  const h = headline(r);
  const small = h.smallSample ? `; cỡ mẫu nhỏ, dưới ${SMALL_SAMPLE_BELOW} phiếu` : '';
  return [
    `${h.rate} (khoảng tin cậy 95%: ${h.interval}; ${h.n} phiếu${small})`,
    `Chỉ tiêu: ${h.target ?? 'chưa có'}${h.source ? ` (${h.source})` : ''}`,
    `Đánh giá: ${h.verdictName}. ${h.explanation}`,
  ];
}

function areaLines(r: SatisfactionReport): string[] {
  const weakest = weakestAreas(r.serviceAreas);
  const thin = areasTooThin(r.serviceAreas);
  const rule = `Chỉ so sánh các lĩnh vực có từ ${SMALL_SAMPLE_BELOW} phiếu trở lên trong tuần`;
  const thinNote = thin ? `; ${formatCountVi(thin)} lĩnh vực khác có ít phiếu hơn nên chưa được xếp.` : '.';
  if (!weakest.length) {
    return [
      'LĨNH VỰC CÓ TỶ LỆ HÀI LÒNG THẤP NHẤT',
      `Chưa có lĩnh vực nào đủ ${SMALL_SAMPLE_BELOW} phiếu trong tuần để so sánh.`,
    ];
  }
  const title = weakest.length === 3 ? 'BA LĨNH VỰC' : `${formatCountVi(weakest.length)} LĨNH VỰC`;
  return [
    `${title} CÓ TỶ LỆ HÀI LÒNG THẤP NHẤT`,
    ...weakest.map((a, i) => {
      const target = a.target ? `; chỉ tiêu ${formatTarget(a.target)}: ${VERDICT_NAMES[a.verdict]}` : '';
      return `${i + 1}. ${a.name}: ${formatRate(a.rate)} (${formatCountVi(a.n)} phiếu; khoảng tin cậy 95%: ${formatInterval(a.ci95)}${target})`;
    }),
    `${rule}${thinNote}`,
  ];
}

/** The Monday summary of a unit's subtree for the week before. */
export function weeklyMail(p: {
  name: string;
  report: SatisfactionReport;
  week: { from: string; to: string };
  overdue: number;
  publicUrl: string;
}): MailText {
  const r = p.report;
  const label = weekLabel(p.week);
  const overdue = p.overdue
    ? [
        `Hiện có ${formatCountVi(p.overdue)} phản ánh, kiến nghị đã quá hạn mà chưa được trả lời.`,
        `Xem danh sách: ${p.publicUrl}/staff/feedback?overdue=1`,
      ]
    : ['Hiện không có phản ánh, kiến nghị nào quá hạn.'];
  const lines = [
    `Kính gửi Ông/Bà ${p.name},`,
    '',
    `Tóm tắt kết quả khảo sát sự hài lòng của ${r.unit.name} và các đơn vị trực thuộc, ${label.toLowerCase()}.`,
    '',
    'TỶ LỆ HÀI LÒNG CHUNG (câu «Nhìn chung»)',
    ...headlineLines(r),
    '',
    ...areaLines(r),
    '',
    'PHẢN ÁNH, KIẾN NGHỊ QUÁ HẠN',
    ...overdue,
    '',
    `Xem đầy đủ số liệu của tuần trên trang Kết quả: ${reportUrl(p.publicUrl, r.unit.id, p.week)}`,
    '',
    footer('weekly_summary', p.publicUrl),
  ];
  return { subject: `${label}: tóm tắt kết quả khảo sát của ${r.unit.name}`, text: lines.join('\n') };
}
