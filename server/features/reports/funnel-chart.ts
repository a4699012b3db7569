import { funnelLimits, Z998 } from '../../../analysis/funnel.ts';
import type { UnitComparison } from '../../../analysis/report-types.ts';
import { formatPercentVi } from '../../../analysis/vi-number.ts';
import { Z95 } from '../../../analysis/wilson.ts';
import { CHART_COLOURS, type Chart, fitLabel, formatRate, type Shape } from './charts.ts';

// The funnel plot of the child units (methodology §3): each unit's rate
// against its number of responses, around the pooled rate of all of them,
// with the 95% and 99.8% limits that chance alone would stay inside. A unit
// outside the inner funnel is really above or below the rest; one inside is
// not, whatever its rank. Shapes only, so the SVG and the PDF draw the same.

export interface FunnelPoint {
  label: string;
  rate: number;
  n: number;
  comparison: UnitComparison;
}

const W = 640;
const H = 340;
const X0 = 56;
const X1 = 470;
const TOP = 16;
const BOTTOM = 290;
const COLOUR: Record<UnitComparison, string> = {
  above: '#2e7d32',
  within: CHART_COLOURS.bar,
  below: CHART_COLOURS.target,
};
export const COMPARISON_WORDS: Record<UnitComparison, string> = {
  above: 'cao hơn rõ rệt',
  within: 'trong giới hạn',
  below: 'thấp hơn rõ rệt',
};

export function funnelChart(title: string, p0: number, points: FunnelPoint[]): Chart {
  const maxN = Math.max(10, ...points.map((p) => p.n)) * 1.1;
  const minN = Math.max(1, Math.min(...points.map((p) => p.n)) * 0.8);
  const [outerLow] = funnelLimits(p0, minN, Z998);
  // The rate axis starts at the nearest 10% below everything drawn, so the
  // region that matters (80–100% for most units) is not squeezed.
  const yMin = Math.max(0, Math.floor(Math.min(outerLow, ...points.map((p) => p.rate)) * 10) / 10);
  const x = (n: number) => X0 + ((X1 - X0) * n) / maxN;
  const y = (r: number) => BOTTOM - ((BOTTOM - TOP) * (Math.min(1, Math.max(yMin, r)) - yMin)) / (1 - yMin || 1);
  const shapes: Shape[] = [];
  const text = (
    tx: number,
    ty: number,
    value: string,
    size: number,
    anchor: 'start' | 'middle' | 'end',
    fill: string,
  ) => shapes.push({ kind: 'text', x: tx, y: ty, text: value, size, anchor, fill });

  for (let r = yMin; r <= 1.0001; r += 0.1) {
    shapes.push({ kind: 'line', x1: X0, y1: y(r), x2: X1, y2: y(r), stroke: CHART_COLOURS.grid, width: 1 });
    text(X0 - 6, y(r) + 4, formatPercentVi(r), 10, 'end', CHART_COLOURS.grey);
  }
  for (const n of axisCounts(maxN)) {
    shapes.push({ kind: 'line', x1: x(n), y1: BOTTOM, x2: x(n), y2: BOTTOM + 4, stroke: CHART_COLOURS.grey, width: 1 });
    text(x(n), BOTTOM + 16, new Intl.NumberFormat('vi-VN').format(n), 10, 'middle', CHART_COLOURS.grey);
  }
  text((X0 + X1) / 2, BOTTOM + 34, 'Số phiếu của đơn vị', 11, 'middle', CHART_COLOURS.ink);

  // The limits, drawn from a few responses to the largest unit.
  const ns = Array.from({ length: 60 }, (_, i) => minN + ((maxN - minN) * i) / 59);
  for (const [z, colour, width] of [
    [Z998, CHART_COLOURS.barLight, 1],
    [Z95, CHART_COLOURS.grey, 1.5],
  ] as const) {
    for (const side of [0, 1] as const) {
      shapes.push({
        kind: 'polyline',
        points: ns.map((n) => [x(n), y(funnelLimits(p0, n, z)[side])]),
        stroke: colour,
        width,
      });
    }
  }
  shapes.push({ kind: 'line', x1: X0, y1: y(p0), x2: X1, y2: y(p0), stroke: CHART_COLOURS.ink, width: 1.5, dash: 4 });

  const lines = [`Mặt bằng chung ${formatRate(p0)}`];
  for (const p of points) {
    shapes.push({ kind: 'circle', cx: x(p.n), cy: y(p.rate), r: 5, fill: COLOUR[p.comparison] });
    // Named on the plot only when outside the limits: the rest are in the table and the text alternative.
    if (p.comparison !== 'within')
      text(x(p.n) + 8, y(p.rate) + 4, fitLabel(p.label, 150, 10), 10, 'start', COLOUR[p.comparison]);
    lines.push(`${p.label}: ${formatRate(p.rate)}, ${p.n} phiếu, ${COMPARISON_WORDS[p.comparison]}`);
  }

  // Legend on the right.
  let ly = TOP + 8;
  const legend = (shape: (ly: number) => Shape, words: string) => {
    shapes.push(shape(ly));
    text(X1 + 34, ly + 4, words, 10, 'start', CHART_COLOURS.ink);
    ly += 18;
  };
  const swatch = (stroke: string, width: number, dash?: number) => (yy: number) =>
    ({ kind: 'line', x1: X1 + 10, y1: yy, x2: X1 + 28, y2: yy, stroke, width, ...(dash ? { dash } : {}) }) as Shape;
  legend(swatch(CHART_COLOURS.ink, 1.5, 4), 'Mặt bằng chung');
  legend(swatch(CHART_COLOURS.grey, 1.5), 'Giới hạn 95%');
  legend(swatch(CHART_COLOURS.barLight, 1), 'Giới hạn 99,8%');
  for (const c of ['above', 'within', 'below'] as const) {
    legend((yy) => ({ kind: 'circle', cx: X1 + 19, cy: yy, r: 5, fill: COLOUR[c] }), capitalise(COMPARISON_WORDS[c]));
  }
  return { width: W, height: H, title, lines, shapes };
}

/** Round tick values for the responses axis. */
function axisCounts(max: number): number[] {
  const step = [10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000].find((s) => max / s <= 6) ?? 20000;
  const ticks: number[] = [];
  for (let n = 0; n <= max; n += step) ticks.push(n);
  return ticks;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
