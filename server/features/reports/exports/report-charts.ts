import type { RateCell, TargetRef } from '../../../../analysis/report-types.ts';
import { FACTOR_NAMES } from '../../../../surveys/factor-names.ts';
import { type BarRow, barChart, type Chart, distributionChart, trendChart } from '../charts.ts';
import { funnelChart } from '../funnel-chart.ts';
import { trendPeriodLabel } from '../report-periods.ts';
import type { ReportBundle } from './report-model.ts';
import { formatTarget, lowestFactor } from './report-text.ts';

// The report's charts, drawn from the same bundle as its tables: the
// dashboard writes them as SVG, the PDF draws the same shapes. Pure.

export interface ReportChart {
  /** The table it illustrates (report-model's table keys). */
  key: 'serviceAreas' | 'children' | 'factors' | 'trend' | 'distribution';
  chart: Chart;
}

function barRow(label: string, c: RateCell, target: TargetRef | null): BarRow {
  return {
    label,
    rate: c.suppressed ? null : c.rate,
    ci95: c.suppressed ? null : c.ci95,
    target: target?.threshold ?? null,
    targetText: target ? formatTarget(target) : null,
    n: c.n,
    smallSample: c.smallSample,
    suppressed: c.suppressed,
  };
}

export function reportCharts(b: ReportBundle): ReportChart[] {
  const r = b.report;
  const charts: ReportChart[] = [];
  if (r.serviceAreas.length) {
    charts.push({
      key: 'serviceAreas',
      chart: barChart(
        'Tỷ lệ hài lòng theo lĩnh vực, khoảng tin cậy 95% và chỉ tiêu',
        r.serviceAreas.map((a) => barRow(a.name, a, a.target)),
      ),
    });
  }
  // The child units as a funnel plot, never as a bare ranking (methodology §3).
  const compared = r.children.filter((c) => c.comparison !== null && c.rate !== null);
  if (r.childrenPooledRate !== null && compared.length) {
    charts.push({
      key: 'children',
      chart: funnelChart(
        'So sánh các đơn vị trực thuộc: tỷ lệ hài lòng theo số phiếu, với giới hạn 95% và 99,8% quanh mặt bằng chung',
        r.childrenPooledRate,
        compared.map((c) => ({ label: c.unit.name, rate: c.rate!, n: c.n, comparison: c.comparison! })),
      ),
    });
  }
  const low = lowestFactor(r.factors);
  if (r.factors.length) {
    charts.push({
      key: 'factors',
      chart: barChart(
        'Chỉ số hài lòng theo yếu tố (màu cam: yếu tố thấp nhất)',
        r.factors.map((f) => ({
          label: FACTOR_NAMES[f.key],
          rate: f.suppressed ? null : f.rate,
          n: f.n,
          suppressed: f.suppressed,
          highlight: f === low,
        })),
      ),
    });
  }
  if (b.trend?.points.length) {
    const target = r.overall.target;
    charts.push({
      key: 'trend',
      chart: trendChart(
        `Tỷ lệ hài lòng chung theo ${b.trend.interval === 'month' ? 'tháng' : 'quý'}`,
        b.trend.points.map((p) => ({
          label: trendPeriodLabel(p.period, true),
          rate: p.overall.suppressed ? null : p.overall.rate,
          ci95: p.overall.suppressed ? null : p.overall.ci95,
          n: p.overall.n,
        })),
        target ? { value: target.threshold, text: formatTarget(target) } : null,
      ),
    });
  }
  const d = r.overall.distribution;
  if (d) {
    charts.push({
      key: 'distribution',
      chart: distributionChart('Phân bố câu trả lời «Nhìn chung» từ 1 đến 5', [d['1'], d['2'], d['3'], d['4'], d['5']]),
    });
  }
  return charts;
}
