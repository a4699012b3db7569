import { isoDateToVi } from '../../../analysis/local-time.ts';
import { SCALE_LABELS, type ScaleValue } from '../../../surveys/scale.ts';
import type { LowScoreGroup } from './low-score-repository.ts';

// The words of a low-score alert. Pure: built only from what the outbox
// event holds (desk, service area, score, local day), so the mail carries no
// comment, no time finer than the day and nothing about the citizen.

export interface LowScoreMailText {
  subject: string;
  text: string;
}

const scoreLabel = (score: number) => SCALE_LABELS[score as ScaleValue]?.vi ?? String(score);

export function lowScoreMailText(input: {
  unitName: string;
  total: number;
  groups: readonly LowScoreGroup[];
  publicUrl: string;
  unitId: number;
  /** The unit above whose managers receive it, when the unit has none of its own. */
  above?: string;
}): LowScoreMailText {
  const { unitName, total, groups, publicUrl } = input;
  const lines: string[] = [
    'Kính gửi Ông/Bà,',
    '',
    `Hệ thống Hài Lòng ghi nhận ${total} phiếu đánh giá thấp mới tại ${unitName}:`,
  ];
  if (input.above) {
    lines.splice(
      2,
      0,
      `${unitName} chưa có tài khoản quản lý, nên thư này được gửi tới quản lý của ${input.above}.`,
      '',
    );
  }
  let listed = 0;
  let desk: string | undefined;
  for (const g of groups) {
    const name = g.deskName
      ? `${g.deskName} (${g.deskCode})`
      : g.deskCode
        ? `Quầy ${g.deskCode}`
        : 'Không gắn với quầy';
    if (name !== desk) {
      lines.push('', name);
      desk = name;
    }
    lines.push(
      `  - ${g.serviceAreaName || 'Lĩnh vực khác'}, ngày ${isoDateToVi(g.day)}: ${g.n} phiếu "${scoreLabel(g.score)}" (${g.score} điểm)`,
    );
    listed += g.n;
  }
  if (total > listed) lines.push('', `… và ${total - listed} phiếu khác.`);
  lines.push(
    '',
    `Xem và xử lý các phản ánh của đơn vị tại: ${publicUrl}/staff/feedback?unitId=${input.unitId}`,
    '',
    '—',
    'Thư gửi tự động từ Hài Lòng. Các đánh giá thấp được gộp lại: mỗi đơn vị nhận nhiều nhất một thư trong 15 phút.',
    `Để thôi nhận loại thư này, bỏ chọn "Cảnh báo đánh giá thấp" tại ${publicUrl}/staff/password.`,
  );
  return { subject: `Đánh giá thấp tại ${unitName}: ${total} phiếu`, text: `${lines.join('\n')}\n` };
}
