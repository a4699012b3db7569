import { formatDateVi, isoDateToVi, todayIso } from '../../../../analysis/local-time.ts';
import type { ReportSettings } from '../report-settings-rules.ts';
import type { ReportBundle } from './report-model.ts';

// The texts around the report's body that Nghị định 30/2020/NĐ-CP (Phụ lục
// I) asks of a "Báo cáo": the issuing body under its parent, the national
// title and motto, the Số line, place and date, title and subject, the
// recipients, the distribution list and the signer. The PDF and the DOCX lay
// out the same texts. Pure.

export const NATIONAL_TITLE = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
export const MOTTO = 'Độc lập - Tự do - Hạnh phúc';
export const DOCUMENT_KIND = 'BÁO CÁO';

// The subject cut into the units a line may never split ("tổ chức", "hành
// chính nhà nước"): lines break only between these phrases.
const SUBJECT_PHRASES = [
  'Kết quả khảo sát',
  'sự hài lòng',
  'của người dân, tổ chức',
  'đối với sự phục vụ',
  'của cơ quan hành chính nhà nước',
];
export const SUBJECT = SUBJECT_PHRASES.join(' ');

export interface OfficialDocument {
  /** Upper case; empty when the body has none shown. */
  parentBody: string;
  issuer: string;
  /** "Số:        /BC-UBND": the clerk writes the number in. */
  numberLine: string;
  placeDate: string;
  subjectPhrases: string[];
  /** "Kỳ báo cáo: Quý I/2026 (từ 01/01/2026 đến 31/03/2026)". */
  periodLine: string;
  /** "Số liệu tính đến ngày …" while the period is still under way. */
  asOf: string | null;
  /** One line: "Kính gửi: X"; several: "Kính gửi:" then "- X;" lines. */
  recipients: string[];
  distribution: string[];
  signerCapacity: string[];
  signerName: string;
  /** The unit and area lines that open the body. */
  scopeLines: string[];
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * "Hội An Đông, ngày 05 tháng 4 năm 2026" in Vietnam's calendar: NĐ 30
 * writes a day below 10 and the months 1 and 2 with a leading zero, so that
 * nothing can be added in front of them, and no other month.
 */
export function placeDateLine(place: string, at: Date): string {
  const [y, m, d] = todayIso(at).split('-').map(Number) as [number, number, number];
  const month = m < 3 ? pad2(m) : String(m);
  return `${place}, ngày ${pad2(d)} tháng ${month} năm ${y}`;
}

/** Figures of a period that has not ended yet are as of the day of issue. */
export function asOfLine(periodTo: string, issuedAt: Date): string | null {
  return periodTo > todayIso(issuedAt) ? `Số liệu tính đến ngày ${formatDateVi(issuedAt)}` : null;
}

/** "- X;" for each entry and "- X." for the last, whatever the typist put around them. */
export function listLines(entries: string[]): string[] {
  const core = entries.map((e) => e.replace(/^[-–•+*\s]+/, '').replace(/[;.,\s]+$/, '')).filter(Boolean);
  return core.map((c, i) => `- ${c}${i === core.length - 1 ? '.' : ';'}`);
}

export function recipientLines(recipients: string[]): string[] {
  if (recipients.length <= 1) return [`Kính gửi: ${recipients[0] ?? ''}`.trim()];
  return ['Kính gửi:', ...listLines(recipients)];
}

export function officialDocument(b: ReportBundle, s: ReportSettings): OfficialDocument {
  const r = b.report;
  const days = `từ ${isoDateToVi(r.from)} đến ${isoDateToVi(r.to)}`;
  // A custom range is already labelled by its days.
  const period = b.periodLabel.includes(isoDateToVi(r.from)) ? days : `${b.periodLabel} (${days})`;
  const upper = (v: string) => v.toLocaleUpperCase('vi');
  return {
    parentBody: upper(s.parentName),
    issuer: upper(s.issuerName),
    numberLine: `Số:        /BC-${s.abbreviation}`,
    placeDate: placeDateLine(s.placeName, b.issuedAt),
    subjectPhrases: [...SUBJECT_PHRASES, b.periodLabel],
    periodLine: `Kỳ báo cáo: ${period}`,
    asOf: asOfLine(r.to, b.issuedAt),
    recipients: recipientLines(s.recipients),
    distribution: listLines(s.distribution),
    signerCapacity: s.signerCapacity,
    signerName: s.signerName,
    scopeLines: [
      `Đơn vị: ${r.unit.name} và các đơn vị trực thuộc`,
      `Lĩnh vực: ${b.serviceAreaName ?? 'tất cả lĩnh vực'}`,
    ],
  };
}

/**
 * Phrases set on as few lines as fit `width`, the break points chosen so the
 * longest line is as short as can be (a balanced title rather than one full
 * line and a stub). A phrase wider than a line is left to wrap on its own.
 */
export function balanceLines(phrases: string[], measure: (s: string) => number, width: number): string[] {
  const n = phrases.length;
  if (n <= 1) return phrases.slice();
  let best: string[] | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  // Every choice of break points between phrases (2^(n-1): the subject has a handful).
  for (let mask = 0; mask < 1 << (n - 1); mask++) {
    const lines: string[] = [];
    let current = phrases[0]!;
    for (let i = 1; i < n; i++) {
      if (mask & (1 << (i - 1))) {
        lines.push(current);
        current = phrases[i]!;
      } else current += ` ${phrases[i]}`;
    }
    lines.push(current);
    const widths = lines.map(measure);
    const over = widths.some((w) => w > width) ? 1e9 : 0;
    // Fewer lines first, then the shortest longest line.
    const score = over + lines.length * 1e6 + Math.max(...widths);
    if (score < bestScore) {
      bestScore = score;
      best = lines;
    }
  }
  return best!;
}

/** Words of a phrase joined by no-break spaces: for a writer that wraps by itself (Word). */
export const keepTogether = (phrase: string) => phrase.replace(/ /g, '\u00a0');
