import { FACTOR_NAMES } from '../../../../surveys/factor-names.ts';
import type { Chart } from '../charts.ts';
import { dossierAbsentNote, dossierSentences, weightedRateSentence } from './dossier-text.ts';
import { reportCharts } from './report-charts.ts';
import type { ReportBundle, ReportTable } from './report-model.ts';
import { reportTables } from './report-tables.ts';
import { formatInterval, formatRate, headline, lowestFactor, methodParagraphs, wordingNote } from './report-text.ts';

// The body of the written report, in reading order, as blocks that the PDF
// and the DOCX each lay out: numbered headings, the headline against the
// target with its verdict in words, the method, then each table with its
// chart, and last the dossier figures, the QĐ 766 indicators and every plan
// target. One order for both files, so they say the same. Pure.

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string; bold?: boolean; small?: boolean }
  | { kind: 'table'; table: ReportTable }
  | { kind: 'chart'; chart: Chart };

export function reportBlocks(b: ReportBundle): Block[] {
  const r = b.report;
  const out: Block[] = [];
  const tables = new Map(reportTables(b).map((t) => [t.key, t]));
  const charts = new Map(reportCharts(b).map((c) => [c.key, c.chart]));
  let section = 0;
  const next = (title: string) => out.push({ kind: 'heading', text: `${++section}. ${title}` });
  const say = (text: string, opts: { bold?: boolean; small?: boolean } = {}) =>
    out.push({ kind: 'paragraph', text, ...opts });
  const show = (key: string) => {
    const c = charts.get(key as never);
    if (c) out.push({ kind: 'chart', chart: c });
    const t = tables.get(key);
    if (t) out.push({ kind: 'table', table: t });
  };

  next('Kết quả chung');
  const h = headline(r);
  say(`Tỷ lệ hài lòng chung: ${h.rate} (khoảng tin cậy 95%: ${h.interval}), trên ${h.n} phiếu.`, { bold: true });
  say(
    h.target
      ? `Chỉ tiêu: ${h.target}${h.source ? ` (${h.source})` : ''}. Đánh giá: ${h.verdictName}. ${h.explanation}`
      : `Đánh giá: ${h.verdictName}. ${h.explanation}`,
  );
  say(
    `Chỉ số hài lòng tổng hợp: ${formatRate(r.composite.value)} (khoảng tin cậy 95%: ${formatInterval(r.composite.ci95)}).`,
  );
  const weighted = weightedRateSentence(r);
  if (weighted) say(weighted);
  const low = lowestFactor(r.factors);
  if (low) say(`Yếu tố có chỉ số thấp nhất: ${FACTOR_NAMES[low.key]} (${formatRate(low.rate)}).`);
  show('summary');

  next('Phương pháp tính');
  for (const p of methodParagraphs(r)) say(p, { small: true });
  const wording = wordingNote(r.wordingChanged);
  if (wording) say(wording, { small: true });

  next('Kết quả theo lĩnh vực');
  show('serviceAreas');
  if (tables.has('factorsByArea')) show('factorsByArea');
  if (tables.has('children')) {
    next('Kết quả theo đơn vị trực thuộc');
    show('children');
  }
  next('Kết quả theo yếu tố');
  show('factors');
  if (tables.has('trend')) {
    next(tables.get('trend')!.title);
    show('trend');
  }
  next('Phân bố câu trả lời và kênh khảo sát');
  show('distribution');
  show('channels');
  if (tables.has('feedback')) {
    next('Tiếp nhận, xử lý phản ánh, kiến nghị');
    show('feedback');
  }
  // Dossier figures count every dossier: their section says so, and QĐ 766 stands apart from the survey.
  next('Kết quả giải quyết hồ sơ TTHC');
  const absent = dossierAbsentNote(r);
  if (absent) say(absent);
  else {
    for (const s of dossierSentences(r)) say(s);
    show('dossiers');
  }
  if (tables.has('qd766')) {
    next('Chỉ số theo Bộ chỉ số 766 (QĐ 766/QĐ-TTg)');
    show('qd766');
  }
  next('Thực hiện chỉ tiêu kế hoạch');
  if (r.targets.length) show('targets');
  else say(tables.get('targets')!.notes.join(' '));
  return out;
}
