import type { DossierFiguresView, SatisfactionReport } from '../../../../analysis/report-types.ts';
import { metricLabel } from '../../targets/target-rules.ts';
import {
  dossierAbsentNote,
  dossierMonthsNote,
  EXACT_VERDICT_NOTE,
  METRIC_SOURCES,
  QD766_APART,
  QD766_SOURCE,
} from './dossier-text.ts';
import type { ReportBundle, ReportTable, TableCell } from './report-model.ts';

// The tables built on dossier volumes (methodology §6): dossier handling for
// the unit, each service area and each child unit; the QĐ 766 indicators,
// apart from the survey; and every plan target with its measured value.
// Counts of every dossier: no interval, exact verdicts. Pure.

/** The dossier row's figures; a row without volumes shows only its name. */
function dossierCells(d: DossierFiguresView | null): TableCell[] {
  if (!d) return Array.from({ length: 9 }, () => null);
  return [
    d.received,
    d.resolved,
    d.earlyRate,
    d.onTimeRate,
    d.lateRate,
    d.pendingOverdue,
    d.responseRate,
    d.sampleNeeded,
    d.sampleShortfall,
  ];
}

export function dossierTable(r: SatisfactionReport): ReportTable {
  const absent = dossierAbsentNote(r);
  const rows: TableCell[][] = r.dossiers
    ? [
        ['Toàn đơn vị', r.unit.name, ...dossierCells(r.dossiers)],
        ...r.serviceAreas.map((a) => ['Lĩnh vực', a.name, ...dossierCells(a.dossiers)]),
        ...r.children.map((c) => ['Đơn vị trực thuộc', c.unit.name, ...dossierCells(c.dossiers)]),
      ]
    : [];
  const blank = [...r.serviceAreas, ...r.children].some((c) => !c.dossiers);
  return {
    key: 'dossiers',
    title: 'Kết quả giải quyết hồ sơ TTHC',
    sheet: 'Hồ sơ TTHC',
    columns: [
      { header: 'Phạm vi', kind: 'text' },
      { header: 'Đơn vị, lĩnh vực', kind: 'text' },
      { header: 'Số hồ sơ tiếp nhận', kind: 'count' },
      { header: 'Số hồ sơ đã giải quyết', kind: 'count' },
      { header: 'Tỷ lệ trước hạn', kind: 'rate' },
      { header: 'Tỷ lệ đúng hạn', kind: 'rate' },
      { header: 'Tỷ lệ trễ hạn', kind: 'rate' },
      { header: 'Đang giải quyết quá hạn', kind: 'count' },
      { header: 'Tỷ lệ phản hồi', kind: 'rate' },
      { header: 'Cỡ mẫu cần thiết', kind: 'count' },
      { header: 'Số phiếu còn thiếu', kind: 'count' },
    ],
    rows,
    notes: absent
      ? [absent]
      : [
          ...[dossierMonthsNote(r)].filter((n): n is string => n !== null),
          'Tỷ lệ đúng hạn tính cả hồ sơ trả trước hạn; các tỷ lệ tính trên số hồ sơ đã giải quyết. ' +
            'Tỷ lệ phản hồi: số phiếu / số hồ sơ đã giải quyết. Số phiếu còn thiếu: cỡ mẫu cần thiết trừ số phiếu đã có.',
          ...(blank ? ['—: chưa có số hồ sơ của lĩnh vực hoặc đơn vị này trong kỳ.'] : []),
        ],
  };
}

/** The summary table's row of the survey rate weighted by resolved dossiers, beside the pooled rate. */
export function weightedRateRows(r: SatisfactionReport): TableCell[][] {
  const w = r.weightedRate;
  if (!w) return [];
  const name = 'Tỷ lệ hài lòng có trọng số theo số hồ sơ đã giải quyết';
  const note = 'Trọng số: số hồ sơ đã giải quyết của từng lĩnh vực';
  return [[name, null, null, w.rate, w.ci95, null, null, null, null, null, note]];
}

/** QĐ 766's satisfaction indicators, with their source; null without dossier figures. */
export function qd766Table(r: SatisfactionReport): ReportTable | null {
  const q = r.qd766;
  if (!q) return null;
  const h = q.handlingSatisfaction;
  const c = q.complaintsOnTime;
  return {
    key: 'qd766',
    title: 'Chỉ số theo Bộ chỉ số 766 (QĐ 766/QĐ-TTg)',
    sheet: 'Chỉ số QĐ 766',
    columns: [
      { header: 'Chỉ số', kind: 'text' },
      { header: 'Tỷ lệ', kind: 'rate' },
      { header: 'Điểm (tối đa 6)', kind: 'mean' },
      { header: 'Cách tính', kind: 'text' },
    ],
    rows: [
      [
        '5.4. Mức độ hài lòng trong tiếp nhận, giải quyết TTHC',
        h?.rate ?? null,
        h?.score ?? null,
        h
          ? '(Hồ sơ đã và đang giải quyết − hồ sơ quá hạn − hồ sơ bị đánh giá không hài lòng hoặc bị phản ánh) ' +
            '/ hồ sơ đã và đang giải quyết; điểm = 6 × tỷ lệ / 90%, tối đa 6'
          : 'Phần mềm một cửa chưa có số hồ sơ bị đánh giá không hài lòng hoặc bị phản ánh',
      ],
      [
        '5.2. Xử lý phản ánh, kiến nghị đúng hạn',
        c?.rate ?? null,
        c?.score ?? null,
        !c
          ? 'Phần mềm một cửa chưa có số phản ánh, kiến nghị'
          : c.rate === null
            ? 'Không có phản ánh, kiến nghị trong kỳ: tính đủ 6 điểm'
            : 'Phản ánh, kiến nghị xử lý đúng hạn / tổng số phản ánh, kiến nghị; điểm = 6 × tỷ lệ',
      ],
    ],
    notes: [QD766_SOURCE, QD766_APART],
  };
}

/** Every plan target that applies, any metric, with its measured value and verdict. */
export function targetsTable(b: ReportBundle): ReportTable {
  const r = b.report;
  const areaName = (code: string | null) =>
    code === null
      ? 'Tất cả lĩnh vực'
      : (r.serviceAreas.find((a) => a.code === code)?.name ?? b.serviceAreaNames?.[code] ?? code);
  return {
    key: 'targets',
    title: 'Thực hiện chỉ tiêu kế hoạch',
    sheet: 'Chỉ tiêu kế hoạch',
    columns: [
      { header: 'Chỉ tiêu', kind: 'text' },
      { header: 'Lĩnh vực', kind: 'text' },
      { header: 'Mức chỉ tiêu', kind: 'target' },
      { header: 'Kết quả', kind: 'rate' },
      { header: 'Đánh giá', kind: 'verdict' },
      { header: 'Số liệu từ', kind: 'text' },
      { header: 'Nguồn chỉ tiêu', kind: 'text' },
    ],
    rows: r.targets.map((t) => [
      metricLabel(t.metric, t.factorKey),
      areaName(t.serviceArea),
      { comparison: t.comparison, threshold: t.threshold },
      t.value,
      t.verdict,
      METRIC_SOURCES[t.metric],
      [t.sourcePlan, t.sourceClause].filter(Boolean).join(', '),
    ]),
    notes: r.targets.length
      ? [
          'Chỉ tiêu từ phiếu khảo sát: đánh giá theo khoảng tin cậy 95% như ở phần phương pháp tính.',
          EXACT_VERDICT_NOTE,
          ...(r.targets.some((t) => t.verdict === 'no_data')
            ? [
                '«Chưa có số liệu»: chưa có số liệu để đo chỉ tiêu trong kỳ (chưa nhập số hồ sơ; tập huấn chưa ghi nhận ở đây).',
              ]
            : []),
        ]
      : ['Chưa có chỉ tiêu kế hoạch áp dụng cho đơn vị và kỳ này.'],
  };
}
