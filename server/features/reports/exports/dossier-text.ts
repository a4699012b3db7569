import { wholeMonths } from '../../../../analysis/dossiers.ts';
import type { SatisfactionReport, TargetResult } from '../../../../analysis/report-types.ts';
import { formatCountVi } from '../../../../analysis/vi-number.ts';
import { formatRate } from '../charts.ts';

// The words around the dossier figures (methodology §6), shared by their
// tables and the written report: why there are none, which months they
// cover, why their verdicts are exact, and where the QĐ 766 indicators
// come from. Pure.

/** The one sentence every document says about dossier verdicts. */
export const EXACT_VERDICT_NOTE =
  'Số liệu hồ sơ TTHC và phản ánh, kiến nghị đếm đủ mọi trường hợp, không phải mẫu: các tỷ lệ này không có ' +
  'khoảng tin cậy, và so với chỉ tiêu chỉ có «Đạt» hoặc «Chưa đạt».';

export const QD766_SOURCE =
  'Nguồn: Bộ chỉ số 766 (Quyết định số 766/QĐ-TTg năm 2022 của Thủ tướng Chính phủ), nhóm chỉ số về mức độ hài ' +
  'lòng; cách tính theo mô tả công thức công bố trên Cổng Dịch vụ công quốc gia.';

export const QD766_APART =
  'Mẫu số của các chỉ số này là số hồ sơ, không phải số phiếu khảo sát: không gộp, không so sánh với tỷ lệ hài ' +
  'lòng từ phiếu khảo sát.';

/** Where a target's measured value comes from. */
export const METRIC_SOURCES: Record<TargetResult['metric'], string> = {
  satisfaction_rate: 'Phiếu khảo sát',
  factor_rate: 'Phiếu khảo sát',
  on_time_rate: 'Số hồ sơ TTHC',
  early_rate: 'Số hồ sơ TTHC',
  late_rate: 'Số hồ sơ TTHC',
  feedback_handled_rate: 'Phản ánh, kiến nghị',
  feedback_on_time_rate: 'Phản ánh, kiến nghị',
  training_rate: 'Tập huấn (chưa ghi nhận)',
};

/** '2026-03' as '03/2026'. */
export const monthVi = (m: string) => `${m.slice(5, 7)}/${m.slice(0, 4)}`;

/** Why the report has no dossier figures, or null when it has them. */
export function dossierAbsentNote(r: SatisfactionReport): string | null {
  if (r.dossiers) return null;
  if (r.dossierNote === 'partial_month') {
    return (
      'Kỳ báo cáo không trọn tháng: số hồ sơ được nhập theo tháng nên không tính được số liệu hồ sơ, tỷ lệ phản ' +
      'hồi và cỡ mẫu cần thiết cho kỳ này (chọn kỳ từ ngày đầu tháng đến ngày cuối tháng).'
    );
  }
  return (
    'Chưa nhập số hồ sơ từ phần mềm một cửa cho kỳ này: chưa tính được tỷ lệ hồ sơ đúng hạn, tỷ lệ phản hồi và ' +
    'cỡ mẫu cần thiết.'
  );
}

/** Which months the dossier figures cover, and which of the period's months they lack. */
export function dossierMonthsNote(r: SatisfactionReport): string | null {
  if (!r.dossiers || !r.dossierMonths.length) return null;
  const covered = `Số liệu hồ sơ của tháng ${r.dossierMonths.map(monthVi).join(', ')} (Biểu II.06a/VPCP/KSTT).`;
  const missing = (wholeMonths(r.from, r.to) ?? []).filter((m) => !r.dossierMonths.includes(m));
  return missing.length
    ? `${covered} Chưa có số hồ sơ của tháng ${missing.map(monthVi).join(', ')}: số liệu hồ sơ của kỳ chưa đầy đủ.`
    : covered;
}

/** The text of the info table's response-rate row when there is no rate. */
export function responseRateAbsent(r: SatisfactionReport): string {
  return r.dossierNote === 'partial_month' ? 'Chưa tính: kỳ không trọn tháng' : 'Chưa có số hồ sơ';
}

/** The unit's dossiers in two sentences: what was handled, and how far the responses reach. */
export function dossierSentences(r: SatisfactionReport): string[] {
  const d = r.dossiers;
  if (!d) return [];
  const handled =
    `Tiếp nhận ${formatCountVi(d.received)} hồ sơ; đã giải quyết ${formatCountVi(d.resolved)} hồ sơ, ` +
    `tỷ lệ đúng hạn (kể cả trước hạn) ${formatRate(d.onTimeRate)}, trước hạn ${formatRate(d.earlyRate)}, ` +
    `trễ hạn ${formatRate(d.lateRate)}; đang giải quyết ${formatCountVi(d.pending)} hồ sơ, trong đó ` +
    `${formatCountVi(d.pendingOverdue)} hồ sơ quá hạn.`;
  const sample =
    `Tỷ lệ phản hồi (số phiếu / số hồ sơ đã giải quyết): ${formatRate(d.responseRate)}. ` +
    `Cỡ mẫu cần thiết: ${formatCountVi(d.sampleNeeded)} phiếu; ` +
    (d.sampleShortfall > 0 ? `còn thiếu ${formatCountVi(d.sampleShortfall)} phiếu.` : 'đã đủ cỡ mẫu.');
  return [handled, sample];
}

/** The weighted rate beside the pooled one, in a sentence; null without it. */
export function weightedRateSentence(r: SatisfactionReport): string | null {
  const w = r.weightedRate;
  if (!w) return null;
  return (
    `Tỷ lệ hài lòng có trọng số theo số hồ sơ đã giải quyết của từng lĩnh vực: ${formatRate(w.rate)} ` +
    `(khoảng tin cậy 95%: ${formatRate(w.ci95[0])} – ${formatRate(w.ci95[1])}).`
  );
}

export const WEIGHTED_RATE_NOTE =
  'Tỷ lệ có trọng số: trung bình tỷ lệ hài lòng của các lĩnh vực, mỗi lĩnh vực theo tỷ trọng số hồ sơ đã giải ' +
  'quyết; chỉ tính các lĩnh vực có số hồ sơ và từ 5 phiếu trở lên.';

/** The method paragraph on dossiers, when the report has any dossier figure or plan target. */
export function dossierMethodParagraph(r: SatisfactionReport): string | null {
  if (!r.dossiers && !r.targets.length) return null;
  return (
    'Số liệu hồ sơ TTHC lấy từ phần mềm một cửa theo tháng (Biểu II.06a/VPCP/KSTT). Tỷ lệ đúng hạn = (số hồ sơ ' +
    'trước hạn + đúng hạn) / số hồ sơ đã giải quyết; tỷ lệ trước hạn, trễ hạn tương tự. Tỷ lệ phản hồi = số phiếu ' +
    '/ số hồ sơ đã giải quyết; cỡ mẫu cần thiết n = N / (1 + N × 0,05²), làm tròn lên, với N là số hồ sơ đã ' +
    'giải quyết. ' +
    `${EXACT_VERDICT_NOTE} ${WEIGHTED_RATE_NOTE}`
  );
}
