import type {
  Comparison,
  FactorCell,
  RateCell,
  SatisfactionReport,
  TargetRef,
  Verdict,
} from '../../../../analysis/report-types.ts';
import { formatCountVi } from '../../../../analysis/vi-number.ts';
import { FACTOR_NAMES } from '../../../../surveys/factor-names.ts';
import { formatThreshold } from '../../targets/target-rules.ts';
import { formatRate } from '../charts.ts';

// The words and number formats of the satisfaction report, shared by the
// dashboard, the exports and the PDF: verdicts, notes, the headline sentence
// and the method paragraph. Pure.

export { formatRate };

export const VERDICT_NAMES: Record<Verdict, string> = {
  met: 'Đạt',
  not_met: 'Chưa đạt',
  inconclusive: 'Chưa đủ căn cứ',
  no_target: 'Chưa có chỉ tiêu',
};

export const CHANNEL_NAMES: Record<string, string> = {
  qr: 'Mã QR tại quầy',
  kiosk: 'Máy tính bảng, ki-ốt tại Trung tâm',
  paper: 'Phiếu giấy (nhập lại)',
  link: 'Đường dẫn gửi qua tin nhắn, thư',
  api: 'Phần mềm một cửa (API)',
};

export const CHANGE_NAMES = {
  improved: 'Tăng (có ý nghĩa thống kê)',
  declined: 'Giảm (có ý nghĩa thống kê)',
  no_significant_change: 'Thay đổi không có ý nghĩa thống kê',
} as const;

export const SMALL_SAMPLE_NOTE = 'Cỡ mẫu nhỏ';
export const SUPPRESSED_NOTE = 'Ẩn số liệu (dưới 5 phiếu)';
export const NO_ANSWERS_NOTE = 'Chưa có câu trả lời';
export const OVERALL_NAME = 'Tỷ lệ hài lòng chung (câu «Nhìn chung»)';

/** Words for an indicator key: the factors and the overall item by name, others by key. */
export function indicatorName(key: string): string {
  if (key === 'overall') return 'Nhìn chung';
  return (FACTOR_NAMES as Record<string, string>)[key] ?? key;
}

export function noteOf(cell: Pick<RateCell, 'n' | 'smallSample' | 'suppressed'>): string {
  if (cell.n === 0) return NO_ANSWERS_NOTE;
  if (cell.suppressed) return SUPPRESSED_NOTE;
  return cell.smallSample ? SMALL_SAMPLE_NOTE : '';
}

/** The factor with the lowest index (the one pulling the rate down), if any has one. */
export function lowestFactor(factors: FactorCell[]): FactorCell | undefined {
  const shown = factors.filter((f) => f.rate !== null && !f.suppressed);
  return shown.reduce<FactorCell | undefined>((low, f) => (!low || f.rate! < low.rate! ? f : low), undefined);
}

const POINTS_1 = new Intl.NumberFormat('vi-VN', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
  signDisplay: 'exceptZero',
});
const MEAN_2 = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatInterval(ci: [number, number] | null): string {
  return ci ? `${formatRate(ci[0])} – ${formatRate(ci[1])}` : '—';
}

/** A difference of two rates in percentage points: "+5,2 điểm %". */
export function formatChange(d: number | null): string {
  return d === null ? '—' : `${POINTS_1.format(d * 100)} điểm %`;
}

export function formatChangeInterval(ci: [number, number] | null): string {
  return ci ? `${POINTS_1.format(ci[0] * 100)} đến ${POINTS_1.format(ci[1] * 100)} điểm %` : '—';
}

export function formatMean(m: number | null): string {
  return m === null ? '—' : MEAN_2.format(m);
}

export function formatTarget(t: { comparison: Comparison; threshold: number } | null): string {
  return t ? formatThreshold(t.comparison, t.threshold) : '—';
}

/** Why the verdict is what it is, in one sentence an official can repeat. */
export function verdictExplanation(verdict: Verdict, target: TargetRef | null, n: number): string {
  if (n === 0) return 'Chưa có phiếu nào trong kỳ.';
  const t = formatTarget(target);
  switch (verdict) {
    case 'met':
      return `Cả khoảng tin cậy 95% thỏa chỉ tiêu ${t}.`;
    case 'not_met':
      return `Cả khoảng tin cậy 95% không thỏa chỉ tiêu ${t}.`;
    case 'inconclusive':
      return `Khoảng tin cậy 95% có phần thỏa, có phần không thỏa chỉ tiêu ${t}: cần thêm phiếu để kết luận.`;
    case 'no_target':
      return 'Chưa có chỉ tiêu kế hoạch cho đơn vị, lĩnh vực và kỳ này.';
  }
}

/** The headline of the dashboard and the PDF: the overall rate against its target. */
export function headline(r: SatisfactionReport) {
  const o = r.overall;
  return {
    rate: formatRate(o.suppressed ? null : o.rate),
    interval: formatInterval(o.suppressed ? null : o.ci95),
    n: formatCountVi(o.n),
    target: o.target ? formatTarget(o.target) : null,
    source: o.target ? [o.target.sourcePlan, o.target.sourceClause].filter(Boolean).join(', ') : null,
    verdict: o.verdict,
    verdictName: VERDICT_NAMES[o.verdict],
    explanation: verdictExplanation(o.verdict, o.target, o.n),
    smallSample: o.smallSample && !o.suppressed,
  };
}

/** How every figure is computed (methodology.md), as the report states it. */
export function methodParagraphs(r: SatisfactionReport): string[] {
  return [
    'Tỷ lệ hài lòng = số câu trả lời «Hài lòng» hoặc «Rất hài lòng» (mức 4–5) chia cho số câu trả lời hợp lệ ' +
      '(mức 1–5); câu trả lời «Không áp dụng» và câu bỏ trống không được tính. Tỷ lệ hài lòng chung là tỷ lệ của ' +
      'câu hỏi «Nhìn chung»; chỉ số của mỗi yếu tố là trung bình tỷ lệ các câu hỏi thuộc yếu tố; chỉ số tổng hợp ' +
      'là trung bình các chỉ số yếu tố.',
    'Mỗi tỷ lệ có khoảng tin cậy 95% theo phương pháp Wilson (chỉ số tổng hợp: bootstrap 2.000 lần lấy mẫu lại). ' +
      'So với chỉ tiêu: «Đạt» khi cả khoảng tin cậy thỏa chỉ tiêu (chỉ tiêu ≥ T: cận dưới từ T trở lên); ' +
      '«Chưa đạt» khi cả khoảng không thỏa (cận trên dưới T); còn lại là «Chưa đủ căn cứ», tức số phiếu chưa đủ ' +
      'để kết luận.',
    'Ô dưới 30 phiếu ghi «Cỡ mẫu nhỏ»; ô dưới 5 phiếu được ẩn số liệu để bảo vệ người trả lời nhưng vẫn được ' +
      'tính vào số liệu chung. Thay đổi giữa hai kỳ liền nhau tính bằng khoảng tin cậy Newcombe: chỉ kết luận ' +
      'tăng hoặc giảm khi khoảng không chứa 0.',
    `Không tính: ${formatCountVi(r.flaggedExcluded)} phiếu bị đánh dấu nghi vấn trong kỳ. Kỳ báo cáo tính theo ` +
      'giờ Việt Nam (UTC+7), kể cả ngày đầu và ngày cuối.',
  ];
}

/** The note when a question was re-worded between the survey versions used in the period. */
export function wordingNote(keys: string[]): string | null {
  if (!keys.length) return null;
  return (
    `Lời câu hỏi đã thay đổi giữa các phiên bản phiếu dùng trong kỳ: ${keys.map(indicatorName).join(', ')}. ` +
    'Số liệu vẫn được gộp theo mã chỉ số; nên lưu ý khi so sánh trước và sau khi đổi lời.'
  );
}
