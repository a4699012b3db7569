import { formatPercentVi } from '../../../analysis/vi-number.ts';
import { SCALE_LABELS, SCALE_VALUES } from '../../../surveys/scale.ts';

// Charts drawn on the server: each chart is computed once as a list of plain
// shapes, then written as SVG for the dashboard (no chart script: it prints
// and works on a slow link) or drawn with pdfkit for the PDF report, so both
// show the same picture. Pure: no Fastify, no database.
//
// Every chart carries a title and a text alternative (one line per mark),
// which the SVG holds in <title>/<desc> and the page shows beside it.

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill: string }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width: number; dash?: number }
  | { kind: 'polyline'; points: [number, number][]; stroke: string; width: number }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: string }
  | {
      kind: 'text';
      x: number;
      y: number;
      text: string;
      size: number;
      anchor: 'start' | 'middle' | 'end';
      fill: string;
      bold?: boolean;
    };

export interface Chart {
  width: number;
  height: number;
  title: string;
  /** The text alternative: what each mark shows, in words and figures. */
  lines: string[];
  shapes: Shape[];
}

export const CHART_COLOURS = {
  ink: '#1b1f24',
  grey: '#5b6670',
  grid: '#dde2e7',
  bar: '#2f5d8a',
  barLight: '#9db5cc',
  highlight: '#c76a00',
  target: '#a50e0e',
  /** Answers 1..5, from very dissatisfied to very satisfied. */
  scale: ['#8e1b1b', '#d9822b', '#a7adb3', '#7fb77e', '#2e7d32'],
} as const;

const W = 640;
const FONT = 12;

/** A rough width of a line of text: the charts are laid out before any font is known. */
export function textWidth(text: string, size = FONT): number {
  return text.length * size * 0.56;
}

/** Shortens a label to fit `width`; the text alternative keeps it whole. */
export function fitLabel(text: string, width: number, size = FONT): string {
  if (textWidth(text, size) <= width) return text;
  const keep = Math.max(1, Math.floor(width / (size * 0.56)) - 1);
  return `${text.slice(0, keep).trimEnd()}…`;
}

const PERCENT_1 = new Intl.NumberFormat('vi-VN', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** A rate as reports print it, always one decimal: "90,0%"; "—" when there is none. */
export function formatRate(p: number | null): string {
  return p === null || !Number.isFinite(p) ? '—' : PERCENT_1.format(p);
}

const countVi = (n: number) => new Intl.NumberFormat('vi-VN').format(n);
const intervalVi = (ci: [number, number]) => `${formatRate(ci[0])} – ${formatRate(ci[1])}`;

export interface BarRow {
  label: string;
  rate: number | null;
  ci95?: [number, number] | null;
  /** A proportion the row is held against; drawn as a red tick. */
  target?: number | null;
  /** Words for the target in the text alternative, e.g. "≥ 90%". */
  targetText?: string | null;
  n: number;
  smallSample?: boolean;
  suppressed?: boolean;
  /** Drawn in another colour (the factor that pulls the rate down). */
  highlight?: boolean;
}

/** Horizontal bars 0–100% with the 95% interval as whiskers and each row's target as a tick. */
export function barChart(title: string, rows: BarRow[]): Chart {
  const labelW = 190;
  const x0 = 200;
  const x1 = 520;
  const rowH = 26;
  const top = 22;
  const x = (p: number) => x0 + (x1 - x0) * Math.min(1, Math.max(0, p));
  const shapes: Shape[] = [];
  const lines: string[] = [];
  const bottom = top + rows.length * rowH;
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    shapes.push({ kind: 'line', x1: x(p), y1: top - 4, x2: x(p), y2: bottom, stroke: CHART_COLOURS.grid, width: 1 });
    shapes.push(text(x(p), top - 8, formatPercentVi(p), 10, 'middle', CHART_COLOURS.grey));
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const mid = y + rowH / 2;
    shapes.push(text(labelW, mid + 4, fitLabel(r.label, labelW), FONT, 'end', CHART_COLOURS.ink));
    const nText = `${countVi(r.n)} phiếu`;
    if (r.rate === null || r.suppressed) {
      const why =
        r.n === 0 ? 'chưa có câu trả lời' : r.suppressed ? `ẩn số liệu vì dưới 5 phiếu (${nText})` : 'chưa có số liệu';
      shapes.push(text(x0 + 4, mid + 4, `— ${why}`, 11, 'start', CHART_COLOURS.grey));
      lines.push(`${r.label}: ${why}`);
      return;
    }
    const fill = r.highlight ? CHART_COLOURS.highlight : r.smallSample ? CHART_COLOURS.barLight : CHART_COLOURS.bar;
    shapes.push({ kind: 'rect', x: x0, y: mid - 6, w: x(r.rate) - x0, h: 12, fill });
    if (r.ci95) {
      const [lo, hi] = r.ci95;
      shapes.push(line(x(lo), mid, x(hi), mid, CHART_COLOURS.ink, 1.5));
      shapes.push(line(x(lo), mid - 5, x(lo), mid + 5, CHART_COLOURS.ink, 1.5));
      shapes.push(line(x(hi), mid - 5, x(hi), mid + 5, CHART_COLOURS.ink, 1.5));
    }
    if (r.target !== null && r.target !== undefined) {
      shapes.push(line(x(r.target), y + 2, x(r.target), y + rowH - 2, CHART_COLOURS.target, 2.5));
    }
    shapes.push(text(x1 + 8, mid + 4, `${formatRate(r.rate)} · ${nText}`, 11, 'start', CHART_COLOURS.ink));
    const parts = [`${r.label}: ${formatRate(r.rate)}`];
    if (r.ci95) parts.push(`khoảng tin cậy 95% ${intervalVi(r.ci95)}`);
    if (r.targetText) parts.push(`chỉ tiêu ${r.targetText}`);
    parts.push(nText + (r.smallSample ? ', cỡ mẫu nhỏ' : ''));
    lines.push(parts.join(', '));
  });
  const legendY = bottom + 20;
  const hasTarget = rows.some((r) => r.target !== null && r.target !== undefined);
  const legend: [string, string][] = [];
  if (hasTarget) legend.push(['Chỉ tiêu', CHART_COLOURS.target]);
  if (rows.some((r) => r.ci95 && !r.suppressed)) legend.push(['Khoảng tin cậy 95%', CHART_COLOURS.ink]);
  if (rows.some((r) => r.smallSample && !r.suppressed && !r.highlight))
    legend.push(['Màu nhạt: cỡ mẫu nhỏ (dưới 30 phiếu)', CHART_COLOURS.barLight]);
  let lx = x0;
  for (const [name, colour] of legend) {
    shapes.push(line(lx, legendY - 4, lx + 14, legendY - 4, colour, name === 'Chỉ tiêu' ? 2.5 : 1.5));
    shapes.push(text(lx + 20, legendY, name, 10, 'start', CHART_COLOURS.grey));
    lx += 30 + textWidth(name, 10);
  }
  return { width: W, height: legend.length ? legendY + 8 : bottom + 6, title, lines, shapes };
}

export interface TrendPointDatum {
  /** Short label under the axis: "T3/2026", "Quý I/2026". */
  label: string;
  rate: number | null;
  ci95: [number, number] | null;
  n: number;
}

/** The rate by period as a line, with each period's interval and the target as a dashed line. */
export function trendChart(
  title: string,
  points: TrendPointDatum[],
  target?: { value: number; text: string } | null,
): Chart {
  const x0 = 52;
  const x1 = 620;
  const y0 = 16;
  const y1 = 196;
  const lows = points.flatMap((p) => (p.ci95 ? [p.ci95[0]] : p.rate !== null ? [p.rate] : []));
  if (target) lows.push(target.value);
  // The axis starts at the nearest 10% below everything drawn: a line chart
  // need not start at zero, and rates near 90% would otherwise look flat.
  const low = Math.min(1, ...lows) - 0.02;
  const tick = low >= 0.5 ? 0.1 : 0.2;
  const floor = Math.max(0, Math.floor(low / tick) * tick);
  const y = (p: number) => y1 - ((y1 - y0) * (p - floor)) / (1 - floor);
  const step = points.length > 1 ? (x1 - x0 - 40) / (points.length - 1) : 0;
  const x = (i: number) => (points.length > 1 ? x0 + 20 + i * step : (x0 + x1) / 2);
  const shapes: Shape[] = [];
  const lines: string[] = [];
  for (let k = 0; k <= Math.round((1 - floor) / tick); k++) {
    const p = Math.min(1, floor + k * tick);
    shapes.push(line(x0, y(p), x1, y(p), CHART_COLOURS.grid, 1));
    shapes.push(text(x0 - 6, y(p) + 4, formatPercentVi(p), 10, 'end', CHART_COLOURS.grey));
  }
  if (target) {
    shapes.push({ ...line(x0, y(target.value), x1, y(target.value), CHART_COLOURS.target, 1.5), dash: 5 });
    shapes.push(text(x1, y(target.value) - 5, `Chỉ tiêu ${target.text}`, 10, 'end', CHART_COLOURS.target));
  }
  const every = Math.ceil(points.length / 12);
  let run: [number, number][] = [];
  const flush = () => {
    if (run.length > 1) shapes.push({ kind: 'polyline', points: run, stroke: CHART_COLOURS.bar, width: 2 });
    run = [];
  };
  points.forEach((p, i) => {
    if (i % every === 0) shapes.push(text(x(i), y1 + 18, p.label, 10, 'middle', CHART_COLOURS.grey));
    const nText = `${countVi(p.n)} phiếu`;
    if (p.rate === null) {
      flush();
      lines.push(`${p.label}: chưa có số liệu (${nText})`);
      return;
    }
    run.push([x(i), y(p.rate)]);
    if (p.ci95) {
      shapes.push(line(x(i), y(p.ci95[0]), x(i), y(p.ci95[1]), CHART_COLOURS.barLight, 3));
    }
    lines.push(
      `${p.label}: ${formatRate(p.rate)}${p.ci95 ? `, khoảng tin cậy 95% ${intervalVi(p.ci95)}` : ''}, ${nText}`,
    );
  });
  flush();
  points.forEach((p, i) => {
    if (p.rate !== null) shapes.push({ kind: 'circle', cx: x(i), cy: y(p.rate), r: 3.5, fill: CHART_COLOURS.bar });
  });
  if (target) lines.push(`Chỉ tiêu: ${target.text}`);
  return { width: W, height: y1 + 28, title, lines, shapes };
}

/** The scale's words in Vietnamese, 1 to 5, as the citizen's form shows them. */
export const SCALE_NAMES = SCALE_VALUES.map((v) => SCALE_LABELS[v].vi);

/** One bar split into the shares of answers 1..5, with a legend. */
export function distributionChart(title: string, counts: [number, number, number, number, number]): Chart {
  const x0 = 10;
  const x1 = W - 10;
  const total = counts.reduce((a, b) => a + b, 0);
  const shapes: Shape[] = [];
  const lines: string[] = [];
  let at = x0;
  counts.forEach((c, i) => {
    const share = total ? c / total : 0;
    const w = (x1 - x0) * share;
    const colour = CHART_COLOURS.scale[i] ?? CHART_COLOURS.grey;
    if (w > 0) shapes.push({ kind: 'rect', x: at, y: 8, w, h: 28, fill: colour });
    const label = formatPercentVi(share);
    const exact = formatRate(share);
    if (w > textWidth(label, 11) + 6) {
      shapes.push(text(at + w / 2, 26, label, 11, 'middle', i === 2 ? CHART_COLOURS.ink : '#ffffff', true));
    }
    at += w;
    lines.push(`${i + 1} – ${SCALE_NAMES[i]}: ${countVi(c)} phiếu (${total ? exact : '—'})`);
  });
  if (!total) shapes.push(text(W / 2, 26, 'Chưa có câu trả lời', 11, 'middle', CHART_COLOURS.grey));
  let lx = x0;
  let ly = 58;
  SCALE_NAMES.forEach((name, i) => {
    const item = `${i + 1} – ${name}`;
    const w = 22 + textWidth(item, 10) + 14;
    if (lx + w > x1) {
      lx = x0;
      ly += 18;
    }
    shapes.push({ kind: 'rect', x: lx, y: ly - 9, w: 12, h: 12, fill: CHART_COLOURS.scale[i] ?? CHART_COLOURS.grey });
    shapes.push(text(lx + 18, ly + 1, item, 10, 'start', CHART_COLOURS.ink));
    lx += w;
  });
  return { width: W, height: ly + 10, title, lines, shapes };
}

function text(
  x: number,
  y: number,
  value: string,
  size: number,
  anchor: 'start' | 'middle' | 'end',
  fill: string,
  bold = false,
): Shape {
  return { kind: 'text', x, y, text: value, size, anchor, fill, ...(bold ? { bold } : {}) };
}

function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width: number): Shape & { kind: 'line' } {
  return { kind: 'line', x1, y1, x2, y2, stroke, width };
}

/** Text for XML: element content and attribute values alike. */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** The chart as an inline SVG; `id` makes its title and description ids unique on the page.
 * Shrinks to narrow screens by the class (staff.css): the CSP refuses style attributes. */
export function chartSvg(chart: Chart, id: string): string {
  const safeId = id.replace(/[^A-Za-z0-9_-]/g, '-');
  const body = chart.shapes.map(shapeSvg).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${chart.width} ${r1(chart.height)}" ` +
    `width="${chart.width}" class="chart-svg" role="img" ` +
    `aria-labelledby="${safeId}-t ${safeId}-d" font-family="system-ui, 'Segoe UI', Roboto, Arial, sans-serif">` +
    `<title id="${safeId}-t">${escapeXml(chart.title)}</title>` +
    `<desc id="${safeId}-d">${escapeXml(chart.lines.join('; '))}</desc>${body}</svg>`
  );
}

function shapeSvg(s: Shape): string {
  switch (s.kind) {
    case 'rect':
      return `<rect x="${r1(s.x)}" y="${r1(s.y)}" width="${r1(Math.max(0, s.w))}" height="${r1(s.h)}" fill="${s.fill}"/>`;
    case 'line':
      return (
        `<line x1="${r1(s.x1)}" y1="${r1(s.y1)}" x2="${r1(s.x2)}" y2="${r1(s.y2)}" stroke="${s.stroke}" ` +
        `stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`
      );
    case 'polyline':
      return `<polyline points="${s.points.map(([a, b]) => `${r1(a)},${r1(b)}`).join(' ')}" fill="none" stroke="${s.stroke}" stroke-width="${s.width}"/>`;
    case 'circle':
      return `<circle cx="${r1(s.cx)}" cy="${r1(s.cy)}" r="${s.r}" fill="${s.fill}"/>`;
    case 'text':
      return (
        `<text x="${r1(s.x)}" y="${r1(s.y)}" font-size="${s.size}" text-anchor="${s.anchor}" fill="${s.fill}"` +
        `${s.bold ? ' font-weight="bold"' : ''}>${escapeXml(s.text)}</text>`
      );
  }
}
