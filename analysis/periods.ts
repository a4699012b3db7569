// Calendar periods in Asia/Ho_Chi_Minh (methodology §4): which month,
// quarter or year an instant belongs to, each period's first and last local
// day, and the periods a date range spans. Dates are 'yyyy-mm-dd' local
// calendar days, inclusive at both ends, as the report contract has them.

import { todayIso } from './local-time.ts';

export type PeriodInterval = 'month' | 'quarter' | 'year';

/** The longest period a report covers (the dashboard and the API alike): five years. */
export const MAX_REPORT_DAYS = 5 * 366;

export interface Period {
  /** '2026-04', '2026-Q2' or '2026'. */
  key: string;
  /** First local day, inclusive. */
  from: string;
  /** Last local day, inclusive. */
  to: string;
}

/**
 * Vietnam's offset (UTC+7, no daylight saving since 1975). local-time.ts
 * keeps the same fact for reading instants; this side needs it to turn a
 * local day back into the instant it starts at.
 */
const ICT_SUFFIX = 'T00:00:00+07:00';

const pad = (n: number) => String(n).padStart(2, '0');

function parts(iso: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const [year, month, day] = [Number(m?.[1]), Number(m?.[2]), Number(m?.[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (!m || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new RangeError(`not a date: ${iso}`);
  }
  return { year, month, day };
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The local calendar day of an instant: 2026-03-31T18:30Z → '2026-04-01'. */
export function localDate(instant: Date): string {
  return todayIso(instant);
}

/** The period a local day belongs to, with its full bounds. */
export function periodOfDate(iso: string, interval: PeriodInterval): Period {
  const { year, month } = parts(iso);
  if (interval === 'year') return { key: String(year), from: `${year}-01-01`, to: `${year}-12-31` };
  if (interval === 'month') {
    return {
      key: `${year}-${pad(month)}`,
      from: `${year}-${pad(month)}-01`,
      to: `${year}-${pad(month)}-${pad(lastDayOfMonth(year, month))}`,
    };
  }
  const quarter = Math.ceil(month / 3);
  const first = quarter * 3 - 2;
  const last = quarter * 3;
  return {
    key: `${year}-Q${quarter}`,
    from: `${year}-${pad(first)}-01`,
    to: `${year}-${pad(last)}-${pad(lastDayOfMonth(year, last))}`,
  };
}

/** The period an instant belongs to, read on Vietnam's clock. */
export function periodOf(instant: Date, interval: PeriodInterval): Period {
  return periodOfDate(localDate(instant), interval);
}

/** The local day after `iso`. */
export function nextDay(iso: string): string {
  const { year, month, day } = parts(iso);
  const d = new Date(Date.UTC(year, month - 1, day + 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * The periods that `from`..`to` (inclusive local days) touches, in order.
 * The first and last are clipped to the range, so each point's figures come
 * from exactly the days asked for; a partial period keeps its key.
 */
export function periodsBetween(from: string, to: string, interval: PeriodInterval): Period[] {
  if (from > to) return [];
  const out: Period[] = [];
  let day = from;
  while (day <= to) {
    const p = periodOfDate(day, interval);
    out.push({ key: p.key, from: day, to: p.to < to ? p.to : to });
    day = nextDay(p.to);
  }
  return out;
}

/** The instant a local day starts: '2026-04-01' → 2026-03-31T17:00:00Z. */
export function localDayStart(iso: string): Date {
  parts(iso);
  return new Date(`${iso}${ICT_SUFFIX}`);
}

/**
 * `from`..`to` (inclusive local days) as the half-open instant range
 * [start, end) that a query on submitted_at uses.
 */
export function instantRange(from: string, to: string): { start: Date; end: Date } {
  return { start: localDayStart(from), end: localDayStart(nextDay(to)) };
}

const ROMAN = ['I', 'II', 'III', 'IV'];

/** A period key as Vietnamese reports write it: 'Tháng 4/2026', 'Quý II/2026', 'Năm 2026'. */
export function periodLabelVi(key: string): string {
  const month = /^(\d{4})-(\d{2})$/.exec(key);
  if (month) return `Tháng ${Number(month[2])}/${month[1]}`;
  const quarter = /^(\d{4})-Q([1-4])$/.exec(key);
  if (quarter) return `Quý ${ROMAN[Number(quarter[2]) - 1]}/${quarter[1]}`;
  if (/^\d{4}$/.test(key)) return `Năm ${key}`;
  throw new RangeError(`not a period: ${key}`);
}
