import type { Comparison, FactorCell, RateCell, SatisfactionReport } from '../../../../analysis/report-types.ts';
import { formatCountVi } from '../../../../analysis/vi-number.ts';
import { FACTOR_NAMES } from '../../../../surveys/factor-names.ts';
import type { LocalText } from '../../../../surveys/schema.ts';
import type { Channel } from '../../../platform/db/schema.ts';
import { formatThreshold } from '../../targets/target-rules.ts';
import { formatRate } from '../charts.ts';
import { dossierMethodParagraph } from './dossier-text.ts';
import {
  formatMoreResponses,
  formatProbability,
  TARGET_VERDICT_NAMES,
  VERDICT_NAMES,
  verdictExplanation,
} from './verdict-text.ts';

// The words and number formats of the satisfaction report, shared by the
// dashboard, the exports and the PDF: verdicts, notes, the headline sentence
// and the method paragraph. Pure.

export { formatMoreResponses, formatProbability, formatRate, TARGET_VERDICT_NAMES, VERDICT_NAMES, verdictExplanation };

/** Every channel a response is stored under (typed: a new channel fails to compile until it is named). */
export const CHANNEL_LABELS: Record<Channel, LocalText> = {
  qr: { vi: 'Mã QR tại quầy', en: 'QR code at the desk' },
  code: { vi: 'Mã trên giấy hẹn', en: 'Code on the receipt' },
  kiosk: { vi: 'Máy tính bảng tại quầy', en: 'Counter tablet' },
  paper: { vi: 'Phiếu giấy (nhập lại)', en: 'Paper form (entered later)' },
  link: { vi: 'Đường dẫn gửi qua tin nhắn, thư', en: 'Link sent by text message or letter' },
  api: { vi: 'Phần mềm một cửa (API)', en: 'One-stop software (API)' },
};

export const CHANNEL_NAMES: Record<string, string> = Object.fromEntries(
  Object.entries(CHANNEL_LABELS).map(([code, label]) => [code, label.vi]),
);

// Plain words; the method section says how "rõ rệt" is decided (Newcombe's interval).
export const CHANGE_NAMES = {
  improved: 'Tăng rõ rệt',
  declined: 'Giảm rõ rệt',
  no_significant_change: 'Chưa thấy thay đổi rõ rệt',
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
    probabilityMet: o.target && !o.suppressed ? formatProbability(o.probabilityMet) : null,
    explanation: verdictExplanation(o),
    smallSample: o.smallSample && !o.suppressed,
  };
}

/** How every figure is computed (methodology.md), as the report states it. */
export function methodParagraphs(r: SatisfactionReport): string[] {
  const dossiers = dossierMethodParagraph(r);
  return [
    'Tỷ lệ hài lòng = số câu trả lời «Hài lòng» hoặc «Rất hài lòng» (mức 4–5) chia cho số câu trả lời hợp lệ ' +
      '(mức 1–5); câu trả lời «Không áp dụng» và câu bỏ trống không được tính. Tỷ lệ hài lòng chung là tỷ lệ của ' +
      'câu hỏi «Nhìn chung»; chỉ số của mỗi yếu tố là trung bình tỷ lệ các câu hỏi thuộc yếu tố; chỉ số tổng hợp ' +
      'là trung bình các chỉ số yếu tố.',
    'Mỗi tỷ lệ có khoảng tin cậy 95% theo phương pháp Wilson (chỉ số tổng hợp: bootstrap 2.000 lần lấy mẫu lại). ' +
      'So với chỉ tiêu: «Đạt» khi cả khoảng tin cậy thỏa chỉ tiêu (chỉ tiêu ≥ T: cận dưới từ T trở lên); ' +
      '«Chưa đạt» khi cả khoảng không thỏa (cận trên dưới T). Khi khoảng tin cậy chứa T, đánh giá theo khả năng ' +
      'đạt chỉ tiêu (xác suất tỷ lệ thật thỏa chỉ tiêu, phân phối Beta với tiên nghiệm Jeffreys): «Nhiều khả năng ' +
      'đạt» từ 80% trở lên, «Nhiều khả năng chưa đạt» từ 20% trở xuống, còn lại «Chưa rõ». «Cần thêm … phiếu» là ' +
      'số phiếu thêm, với tỷ lệ giữ nguyên, để cả khoảng tin cậy nằm về một phía của chỉ tiêu.',
    'So sánh các đơn vị trực thuộc: mỗi đơn vị được so với mặt bằng chung của các đơn vị (tổng số phiếu hài lòng ' +
      'chia tổng số phiếu) bằng giới hạn 95% và 99,8% (biểu đồ hình phễu, Spiegelhalter 2005); giới hạn rộng hơn ' +
      'với đơn vị ít phiếu, nên thứ hạng đơn thuần không được dùng để kết luận.',
    'Ô dưới 30 phiếu ghi «Cỡ mẫu nhỏ»; ô dưới 5 phiếu được ẩn số liệu để bảo vệ người trả lời nhưng vẫn được ' +
      'tính vào số liệu chung. Thay đổi giữa hai kỳ liền nhau tính bằng khoảng tin cậy Newcombe: chỉ kết luận ' +
      'tăng hoặc giảm khi khoảng không chứa 0.',
    ...(dossiers ? [dossiers] : []),
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
