import { type CsvValue, toCsv } from '../reports/exports/csv.ts';
import type { PublicPageModel } from './public-page-service.ts';

// The open data of a unit's public page: aggregates only, never a response,
// an id, a comment or a reply, and no moment finer than the quarter.
// The JSON carries the method and the licence itself. The CSV stays one
// plain table (header row, one figure a row) that Excel, LibreOffice and
// pandas read with no option: comment lines would show as broken rows in a
// spreadsheet, so it points at the JSON and the licence with Link headers
// (OPEN_DATA_LINKS) and the page beside the download says the same. Pure.

export const LICENCE = {
  name: 'CC BY 4.0',
  url: 'https://creativecommons.org/licenses/by/4.0/deed.vi',
  attribution: 'Ghi nguồn: Hệ thống khảo sát sự hài lòng – trang công khai kết quả của đơn vị.',
};

export const METHOD = [
  'Tỷ lệ hài lòng = số câu trả lời «Hài lòng» hoặc «Rất hài lòng» (mức 4–5) của câu «Nhìn chung» chia cho số câu trả lời hợp lệ (mức 1–5); «Không áp dụng» và câu bỏ trống không được tính.',
  'Khoảng tin cậy 95% theo phương pháp Wilson. Đánh giá so với chỉ tiêu kế hoạch: «Đạt» khi cả khoảng tin cậy thỏa chỉ tiêu, «Chưa đạt» khi cả khoảng không thỏa; ở giữa theo khả năng đạt chỉ tiêu (phân phối Beta, tiên nghiệm Jeffreys).',
  'Số liệu của đơn vị và các đơn vị trực thuộc; phiếu nghi vấn và phiếu của các đợt khảo sát theo mẫu không được tính. Ô dưới 5 phiếu được ẩn tỷ lệ để bảo vệ người trả lời (vẫn tính vào số liệu chung); ô dưới 30 phiếu là cỡ mẫu nhỏ.',
  'Tỷ lệ hồ sơ đúng hạn = (trước hạn + đúng hạn) / số hồ sơ đã giải quyết, theo số liệu phần mềm một cửa (Biểu II.06a/VPCP/KSTT); không phải mẫu khảo sát nên không có khoảng tin cậy.',
  'Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn = số mục trả lời trước hạn xử lý / số mục đã trả lời, với các mục mở từ phiếu gửi trong quý.',
  'Quý theo giờ Việt Nam (Asia/Ho_Chi_Minh).',
];

/** The page model as open data: everything but the public replies. */
export function openDataJson(m: PublicPageModel, pageUrl: string) {
  const { replies: _replies, ...figures } = m;
  return {
    ...figures,
    timezone: 'Asia/Ho_Chi_Minh',
    source: pageUrl,
    method: METHOD,
    licence: LICENCE,
  };
}

export const OPEN_DATA_LINKS = (base: string) =>
  `<${base}/du-lieu.json>; rel="describedby"; type="application/json", <${LICENCE.url}>; rel="license"`;

const HEADER = [
  'quarter',
  'metric',
  'service_area',
  'denominator',
  'numerator',
  'rate',
  'ci95_low',
  'ci95_high',
  'note',
];

/** One figure a row; rates as fractions 0..1 with a dot, as in the JSON. */
export function openDataCsv(m: PublicPageModel): string {
  const rows: CsvValue[][] = [HEADER];
  const note = (c: { n: number; smallSample: boolean; suppressed?: boolean }) =>
    c.suppressed ? 'suppressed_n_below_5' : c.n > 0 && c.smallSample ? 'small_sample' : null;
  for (const q of m.quarters) {
    rows.push([
      q.quarter,
      'satisfaction_rate',
      null,
      q.n,
      q.satisfied,
      q.rate,
      q.ci95?.[0] ?? null,
      q.ci95?.[1] ?? null,
      note(q),
    ]);
  }
  for (const a of m.serviceAreas) {
    const [low, high] = a.ci95 ?? [null, null];
    rows.push([m.quarter.key, 'satisfaction_rate', a.code, a.n, a.satisfied, a.rate, low, high, note(a)]);
  }
  if (m.dossiers) {
    rows.push([
      m.quarter.key,
      'dossier_on_time_rate',
      null,
      m.dossiers.resolved,
      null,
      m.dossiers.onTimeRate,
      null,
      null,
      null,
    ]);
  }
  if (m.feedback) {
    const f = m.feedback;
    rows.push([
      m.quarter.key,
      'feedback_on_time_rate',
      null,
      f.handled,
      f.handledOnTime,
      f.onTimeRate,
      null,
      null,
      null,
    ]);
  }
  return toCsv(rows);
}
