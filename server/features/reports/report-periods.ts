import { isoDateToVi } from '../../../analysis/local-time.ts';
import { periodLabelVi, periodOf, periodOfDate } from '../../../analysis/periods.ts';

// The dashboard's period presets as an office names them: this month, this
// quarter, this year, the quarter just ended (what the quarterly report
// covers), or any range of days; and the trend shown beside each. Calendar
// periods come from analysis/periods.ts (Asia/Ho_Chi_Minh, 'yyyy-mm-dd',
// inclusive). Pure.

export const PERIOD_PRESETS = ['month', 'quarter', 'year', 'prev_quarter', 'custom'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export const PRESET_NAMES: Record<PeriodPreset, string> = {
  month: 'Tháng này',
  quarter: 'Quý này',
  year: 'Năm nay',
  prev_quarter: 'Quý trước',
  custom: 'Tùy chọn (từ ngày … đến ngày …)',
};

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/** The first day of the month `months` after the month of a 'yyyy-mm-dd'. */
function monthStart(iso: string, months: number): string {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}-01`;
}

/** The first and last day of a preset period around `now` (Vietnam time). */
export function presetRange(preset: Exclude<PeriodPreset, 'custom'>, now: Date): { from: string; to: string } {
  const pick = ({ from, to }: { from: string; to: string }) => ({ from, to });
  switch (preset) {
    case 'month':
      return pick(periodOf(now, 'month'));
    case 'quarter':
      return pick(periodOf(now, 'quarter'));
    case 'prev_quarter':
      return pick(periodOfDate(monthStart(periodOf(now, 'quarter').from, -3), 'quarter'));
    case 'year':
      return pick(periodOf(now, 'year'));
  }
}

/** "Tháng 3/2026", "Quý I/2026", "Năm 2026" for a whole period; else "01/03/2026 – 15/03/2026". */
export function periodLabel(from: string, to: string): string {
  for (const interval of ['month', 'quarter', 'year'] as const) {
    const p = periodOfDate(from, interval);
    if (p.from === from && p.to === to) return periodLabelVi(p.key);
  }
  return `${isoDateToVi(from)} – ${isoDateToVi(to)}`;
}

/** A trend point's period ('2026-03', '2026-Q1') in words, or short for a chart's axis ("T3/2026", "QI/2026"). */
export function trendPeriodLabel(period: string, short = false): string {
  if (!short) return periodLabelVi(period);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return `Q${ROMAN_QUARTERS[Number(quarter[2]) - 1]}/${quarter[1]}`;
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  return month ? `T${Number(month[2])}/${month[1]}` : period;
}

/**
 * The range and step of the trend shown beside a period: a month is seen
 * against the eleven months before it, a quarter against the three quarters
 * before it (so each has a previous period to compare with); a year by its
 * quarters; a custom range by month, or by quarter beyond a year.
 */
export function trendWindow(
  preset: PeriodPreset,
  from: string,
  to: string,
): { from: string; to: string; interval: 'month' | 'quarter' } {
  switch (preset) {
    case 'month':
      return { from: monthStart(from, -11), to, interval: 'month' };
    case 'quarter':
    case 'prev_quarter':
      return { from: monthStart(from, -9), to, interval: 'quarter' };
    case 'year':
      return { from, to, interval: 'quarter' };
    case 'custom': {
      const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      return { from, to, interval: days <= 366 ? 'month' : 'quarter' };
    }
  }
}
