import type { TargetRef, TargetVerdict, Verdict } from '../../../../analysis/report-types.ts';
import type { Judgement } from '../../../../analysis/verdict.ts';
import { formatThreshold } from '../../targets/target-rules.ts';

// The verdict in words a commune chairman understands (glossary: Đạt ·
// Nhiều khả năng đạt · Chưa rõ · Nhiều khả năng chưa đạt · Chưa đạt): what
// the figures allow him to say, and what would settle it. The method (the
// interval, the probability) is in the report's method section, not here.
// Shared by the dashboard, the exports and the PDF/DOCX. Pure.

export const VERDICT_NAMES: Record<Verdict, string> = {
  met: 'Đạt',
  likely_met: 'Nhiều khả năng đạt',
  unclear: 'Chưa rõ',
  likely_not_met: 'Nhiều khả năng chưa đạt',
  not_met: 'Chưa đạt',
  no_target: 'Chưa có chỉ tiêu',
};

/** A plan target of any metric may also have nothing measured in the period (no volumes, training not recorded). */
export const TARGET_VERDICT_NAMES: Record<TargetVerdict, string> = { ...VERDICT_NAMES, no_data: 'Chưa có số liệu' };

const COUNT = new Intl.NumberFormat('vi-VN');

/**
 * "89%": a whole percent, never 0% or 100% (a probability short of certain
 * must not read as certain).
 */
export function formatProbability(p: number | null): string {
  if (p === null) return '—';
  if (p > 0.99) return 'trên 99%';
  if (p < 0.01) return 'dưới 1%';
  return `${Math.round(p * 100)}%`;
}

/** "khoảng 45 phiếu" or why no number can be given. */
export function formatMoreResponses(m: number | null): string {
  return m === null ? '—' : COUNT.format(m);
}

export interface JudgedCell extends Judgement {
  target: TargetRef | null;
  n: number;
  suppressed: boolean;
}

/** Why the verdict is what it is, and what would settle it, in sentences an official can repeat. */
export function verdictExplanation(c: JudgedCell): string {
  if (c.verdict === 'no_target') return 'Chưa có chỉ tiêu kế hoạch cho đơn vị, lĩnh vực và kỳ này.';
  if (c.n === 0) return 'Chưa có phiếu nào trong kỳ.';
  if (c.suppressed) return 'Dưới 5 phiếu: không đánh giá, để không lộ ý kiến của từng người.';
  const t = c.target ? formatThreshold(c.target.comparison, c.target.threshold) : '';
  if (c.verdict === 'met') return `Đạt chỉ tiêu ${t} một cách chắc chắn, kể cả khi tính đến sai số do số phiếu có hạn.`;
  if (c.verdict === 'not_met') return `Chưa đạt chỉ tiêu ${t}, kể cả khi tính đến sai số do số phiếu có hạn.`;
  const chance = `Khả năng đạt chỉ tiêu ${t}: ${formatProbability(c.probabilityMet)}.`;
  const more =
    c.moreResponsesNeeded === null
      ? 'Tỷ lệ đang rất sát chỉ tiêu: có thêm phiếu cũng khó kết luận chắc chắn.'
      : `Nếu tỷ lệ giữ nguyên, cần thêm khoảng ${formatMoreResponses(c.moreResponsesNeeded)} phiếu để kết luận chắc chắn.`;
  return `${chance} ${more}`;
}
