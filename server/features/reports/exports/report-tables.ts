import { todayIso } from '../../../../analysis/local-time.ts';
import type { RateCell, TargetRef, TrendReport, UnitComparison } from '../../../../analysis/report-types.ts';
import type { Judgement } from '../../../../analysis/verdict.ts';
import { FACTOR_NAMES } from '../../../../surveys/factor-names.ts';
import { FACTORS } from '../../../../surveys/schema.ts';
import { SCALE_NAMES } from '../charts.ts';
import { trendPeriodLabel } from '../report-periods.ts';
import { monthVi, responseRateAbsent, WEIGHTED_RATE_NOTE } from './dossier-text.ts';
import { dossierTable, qd766Table, targetsTable, weightedRateRows } from './report-dossier-tables.ts';
import type { ReportBundle, ReportTable, TableCell, TableColumn } from './report-model.ts';
import {
  CHANGE_NAMES,
  CHANNEL_NAMES,
  formatRate,
  indicatorName,
  lowestFactor,
  NO_ANSWERS_NOTE,
  noteOf,
  OVERALL_NAME,
  SUPPRESSED_NOTE,
} from './report-text.ts';

// The report's tables, in the order they are read: information, the
// headline, by service area, by child unit, by factor, distribution,
// channels, trend, feedback, then the dossier figures, QĐ 766 and the plan
// targets (report-dossier-tables.ts). Each export and the dashboard render
// these. Pure.

const RATE_COLUMNS: TableColumn[] = [
  { header: 'Số phiếu', kind: 'count' },
  { header: 'Số phiếu hài lòng', kind: 'count' },
  { header: 'Tỷ lệ hài lòng', kind: 'rate' },
  { header: 'Khoảng tin cậy 95%', kind: 'interval' },
  { header: 'Điểm trung bình (1–5)', kind: 'mean' },
  { header: 'Chỉ tiêu', kind: 'target' },
  { header: 'Đánh giá', kind: 'verdict' },
  { header: 'Khả năng đạt chỉ tiêu', kind: 'probability' },
  { header: 'Số phiếu cần thêm', kind: 'count' },
  { header: 'Ghi chú', kind: 'text' },
];

/** The funnel comparison, in the glossary's words. */
export const COMPARISON_NAMES: Record<UnitComparison, string> = {
  above: 'Cao hơn rõ rệt',
  within: 'Trong giới hạn',
  below: 'Thấp hơn rõ rệt',
};

/** A rate cell's figures; a suppressed cell keeps only its count. */
function rateCells(c: RateCell, target: TargetRef | null, judged: Judgement | null): TableCell[] {
  const hidden = c.suppressed;
  const t = target ? { comparison: target.comparison, threshold: target.threshold } : null;
  return [
    c.n,
    hidden ? null : c.satisfied,
    hidden ? null : c.rate,
    hidden ? null : c.ci95,
    hidden ? null : c.mean,
    t,
    hidden || !judged ? null : judged.verdict,
    hidden || !judged ? null : judged.probabilityMet,
    hidden || !judged ? null : judged.moreResponsesNeeded,
    noteOf(c),
  ];
}

export function reportTables(b: ReportBundle): ReportTable[] {
  const r = b.report;
  const tables: ReportTable[] = [];
  const low = lowestFactor(r.factors);
  tables.push({
    key: 'info',
    title: 'Thông tin báo cáo',
    sheet: 'Thông tin',
    columns: [
      { header: 'Mục', kind: 'text' },
      { header: 'Nội dung', kind: 'text' },
    ],
    rows: [
      ['Đơn vị', `${r.unit.name} và các đơn vị trực thuộc`],
      ['Kỳ báo cáo', b.periodLabel],
      ['Từ ngày', { as: 'date', value: r.from }],
      ['Đến ngày', { as: 'date', value: r.to }],
      ['Lĩnh vực', b.serviceAreaName ?? 'Tất cả lĩnh vực'],
      ['Giờ tính kỳ', 'Giờ Việt Nam (UTC+7)'],
      ['Phiếu nghi vấn đã loại', { as: 'count', value: r.flaggedExcluded }],
      [
        'Tỷ lệ phản hồi (số phiếu / số hồ sơ)',
        r.responseRate === null ? responseRateAbsent(r) : { as: 'rate', value: r.responseRate },
      ],
      ['Tháng có số liệu hồ sơ', r.dossierMonths.length ? r.dossierMonths.map(monthVi).join(', ') : 'Không có'],
      ['Câu hỏi đổi lời trong kỳ', r.wordingChanged.length ? r.wordingChanged.map(indicatorName).join(', ') : 'Không'],
      ['Ngày xuất', { as: 'date', value: todayIso(b.issuedAt) }],
    ],
    notes: [],
  });
  tables.push({
    key: 'summary',
    title: 'Kết quả chung',
    sheet: 'Kết quả chung',
    columns: [{ header: 'Chỉ số', kind: 'text' }, ...RATE_COLUMNS],
    rows: [
      [OVERALL_NAME, ...rateCells(r.overall, r.overall.target, r.overall)],
      [
        'Chỉ số hài lòng tổng hợp (trung bình các yếu tố)',
        null,
        null,
        r.composite.value,
        r.composite.ci95,
        null,
        null,
        null,
        null,
        null,
        'Khoảng tin cậy theo phương pháp lấy mẫu lại',
      ],
      ...weightedRateRows(r),
    ],
    notes: r.weightedRate ? [WEIGHTED_RATE_NOTE] : [],
  });
  tables.push({
    key: 'serviceAreas',
    title: 'Theo lĩnh vực',
    sheet: 'Theo lĩnh vực',
    columns: [{ header: 'Lĩnh vực', kind: 'text' }, ...RATE_COLUMNS],
    rows: r.serviceAreas.map((a) => [a.name, ...rateCells(a, a.target, a)]),
    notes: suppressionNotes(r.serviceAreas),
  });
  if (r.serviceAreas.some((a) => a.factors.length)) {
    tables.push({
      key: 'factorsByArea',
      title: 'Chỉ số yếu tố theo lĩnh vực',
      sheet: 'Yếu tố theo lĩnh vực',
      columns: [
        { header: 'Lĩnh vực', kind: 'text' },
        ...FACTORS.map((f) => ({ header: FACTOR_NAMES[f], kind: 'rate' as const })),
      ],
      rows: r.serviceAreas.map((a) => [
        a.name,
        ...FACTORS.map((key) => {
          const f = a.factors.find((x) => x.key === key);
          return f && !f.suppressed ? f.rate : null;
        }),
      ]),
      notes: [],
    });
  }
  if (r.children.length) {
    tables.push({
      key: 'children',
      title: 'Theo đơn vị trực thuộc',
      sheet: 'Theo đơn vị',
      columns: [
        { header: 'Đơn vị', kind: 'text' },
        ...RATE_COLUMNS,
        { header: 'So với mặt bằng chung các đơn vị', kind: 'text' },
      ],
      rows: r.children.map((c) => [
        c.unit.name,
        ...rateCells(c, c.target, c),
        c.comparison ? COMPARISON_NAMES[c.comparison] : null,
      ]),
      notes: [
        ...suppressionNotes(r.children),
        ...(r.childrenPooledRate === null
          ? []
          : [
              `Mặt bằng chung: ${formatRate(r.childrenPooledRate)} (tổng số phiếu hài lòng chia tổng số phiếu của các đơn vị từ 5 phiếu). ` +
                '«Cao hơn rõ rệt» hoặc «Thấp hơn rõ rệt» khi tỷ lệ của đơn vị nằm ngoài giới hạn 95% quanh mặt bằng chung, ' +
                'giới hạn rộng hơn khi đơn vị có ít phiếu; còn lại là «Trong giới hạn».',
            ]),
      ],
    });
  }
  tables.push({
    key: 'factors',
    title: 'Theo yếu tố',
    sheet: 'Theo yếu tố',
    columns: [
      { header: 'Yếu tố', kind: 'text' },
      { header: 'Số câu trả lời hợp lệ', kind: 'count' },
      { header: 'Chỉ số yếu tố', kind: 'rate' },
      { header: 'Ghi chú', kind: 'text' },
    ],
    rows: r.factors.map((f) => [
      FACTOR_NAMES[f.key],
      f.n,
      f.suppressed ? null : f.rate,
      f.n === 0
        ? NO_ANSWERS_NOTE
        : f.suppressed
          ? SUPPRESSED_NOTE
          : f === low
            ? 'Thấp nhất: kéo tỷ lệ chung xuống'
            : '',
    ]),
    notes: ['Chỉ số yếu tố: trung bình tỷ lệ hài lòng các câu hỏi thuộc yếu tố.'],
  });
  const dist = r.overall.distribution;
  const valid = dist ? SCALE_NAMES.reduce((s, _, i) => s + dist[String(i + 1) as '1'], 0) : 0;
  tables.push({
    key: 'distribution',
    title: 'Phân bố câu trả lời «Nhìn chung»',
    sheet: 'Phân bố câu trả lời',
    columns: [
      { header: 'Mức', kind: 'text' },
      { header: 'Số phiếu', kind: 'count' },
      { header: 'Tỷ lệ', kind: 'rate' },
    ],
    rows: dist
      ? SCALE_NAMES.map((name, i) => {
          const c = dist[String(i + 1) as '1'];
          return [`${i + 1} – ${name}`, c, valid ? c / valid : null];
        })
      : [],
    notes: dist ? [] : [SUPPRESSED_NOTE],
  });
  const channelTotal = Object.values(r.channels).reduce((s, n) => s + n, 0);
  tables.push({
    key: 'channels',
    title: 'Số phiếu theo kênh',
    sheet: 'Theo kênh',
    columns: [
      { header: 'Kênh', kind: 'text' },
      { header: 'Số phiếu', kind: 'count' },
      { header: 'Tỷ lệ', kind: 'rate' },
    ],
    rows: Object.entries(r.channels)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]) => [CHANNEL_NAMES[code] ?? code, n, channelTotal ? n / channelTotal : null]),
    notes: [],
  });
  if (b.trend) tables.push(trendTable(b.trend));
  if (b.feedback) {
    const f = b.feedback;
    tables.push({
      key: 'feedback',
      title: 'Phản ánh, kiến nghị',
      sheet: 'Phản ánh, kiến nghị',
      columns: [
        { header: 'Chỉ số', kind: 'text' },
        { header: 'Số mục', kind: 'count' },
        { header: 'Tỷ lệ', kind: 'rate' },
      ],
      rows: [
        ['Phản ánh, kiến nghị phát sinh trong kỳ', f.opened, null],
        ['Đã xử lý (đã trả lời hoặc đã đóng)', f.handled, f.handledRate],
        ['Xử lý đúng hạn (trong số đã xử lý)', f.handledOnTime, f.onTimeRate],
        ['Lời khen, góp ý (không cần xử lý)', f.praise, null],
        ...handlingRow(f.handlingSatisfied ?? 0, f.handlingRated ?? 0),
      ],
      notes: [
        'Tính các phản ánh, kiến nghị từ phiếu gửi trong kỳ, của đơn vị và các đơn vị trực thuộc; ' +
          'việc xử lý tính đến ngày xuất báo cáo.',
        ...(f.handlingRated
          ? [
              'Đánh giá lại: người dân nhận trả lời qua mã trên giấy tiếp nhận hoặc địa chỉ theo dõi cho biết có hài lòng với cách giải quyết hay không, mỗi phản ánh một lần.',
            ]
          : []),
      ],
    });
  }
  tables.push(dossierTable(r));
  const qd766 = qd766Table(r);
  if (qd766) tables.push(qd766);
  tables.push(targetsTable(b));
  return tables;
}

/** «Hài lòng với cách giải quyết: X% (n/N lượt đánh giá lại)»; no row without a second rating. */
function handlingRow(satisfied: number, rated: number): TableCell[][] {
  return rated
    ? [[`Hài lòng với cách giải quyết (${satisfied}/${rated} lượt đánh giá lại)`, satisfied, satisfied / rated]]
    : [];
}

function suppressionNotes(cells: RateCell[]): string[] {
  const notes: string[] = [];
  if (cells.some((c) => c.suppressed)) {
    notes.push(
      '—: ẩn số liệu của ô dưới 5 phiếu để bảo vệ người trả lời; các phiếu này vẫn được tính vào số liệu chung.',
    );
  }
  if (cells.some((c) => c.smallSample && !c.suppressed)) {
    notes.push('Cỡ mẫu nhỏ: dưới 30 phiếu, kết quả dao động nhiều, nên đọc cùng khoảng tin cậy.');
  }
  return notes;
}

function trendTable(t: TrendReport): ReportTable {
  return {
    key: 'trend',
    title: `Xu hướng theo ${t.interval === 'month' ? 'tháng' : 'quý'}`,
    sheet: 'Xu hướng',
    columns: [
      { header: 'Kỳ', kind: 'text' },
      { header: 'Từ ngày', kind: 'date' },
      { header: 'Đến ngày', kind: 'date' },
      { header: 'Số phiếu', kind: 'count' },
      { header: 'Tỷ lệ hài lòng', kind: 'rate' },
      { header: 'Khoảng tin cậy 95%', kind: 'interval' },
      { header: 'Thay đổi so với kỳ trước', kind: 'change' },
      { header: 'Khoảng tin cậy 95% của thay đổi', kind: 'changeInterval' },
      { header: 'Kết luận', kind: 'text' },
    ],
    rows: t.points.map((p) => [
      trendPeriodLabel(p.period),
      p.from,
      p.to,
      p.overall.n,
      p.overall.suppressed ? null : p.overall.rate,
      p.overall.suppressed ? null : p.overall.ci95,
      p.change?.difference ?? null,
      p.change?.ci95 ?? null,
      p.change ? CHANGE_NAMES[p.change.direction] : '',
    ]),
    notes: [
      'Thay đổi: hiệu hai tỷ lệ (điểm phần trăm), khoảng tin cậy Newcombe; chỉ kết luận tăng/giảm khi khoảng không chứa 0.',
    ],
  };
}
