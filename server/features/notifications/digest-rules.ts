import { todayIso } from '../../../analysis/local-time.ts';
import { localDayStart, nextDay } from '../../../analysis/periods.ts';
import type { ServiceAreaCell } from '../../../analysis/report-types.ts';
import { SMALL_SAMPLE_BELOW } from '../../../analysis/suppression.ts';

// The calendar of the morning reminders and the Monday summary, read on
// Vietnam's clock (UTC+7, no daylight saving), and which service areas the
// summary names. Pure.

const DAY_MS = 86_400_000;

/** The local calendar day `days` after (or before) `iso`. */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, of a local calendar day. */
const weekday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();

const isWorkingDay = (iso: string) => weekday(iso) !== 0 && weekday(iso) !== 6;

/** The first Monday-to-Friday day after `iso` (public holidays are not known, as in addWorkingDays). */
export function nextWorkingDay(iso: string): string {
  let d = nextDay(iso);
  while (!isWorkingDay(d)) d = nextDay(d);
  return d;
}

/**
 * The reminder's day and reach: items due before the end of the next
 * working day (local). That is tomorrow from Monday to Thursday; on Friday
 * it reaches Monday, so what falls due first thing after the weekend is in
 * the last mail read before it.
 */
export function dueWindow(now: Date): { today: string; nextWorkDay: string; until: Date } {
  const today = todayIso(now);
  const nextWorkDay = nextWorkingDay(today);
  return { today, nextWorkDay, until: localDayStart(nextDay(nextWorkDay)) };
}

const WEEKDAY_NAMES = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];

/** "hôm nay", "ngày mai" or the weekday ("thứ Hai") of a local day seen from `today`. */
export function dayWord(iso: string, today: string): string {
  if (iso === today) return 'hôm nay';
  return iso === nextDay(today) ? 'ngày mai' : WEEKDAY_NAMES[weekday(iso)]!;
}

/**
 * Working days (Monday to Friday) an item is late on `now`'s local day: the
 * weekdays after its due day up to today. Deadlines are counted in working
 * days (addWorkingDays), so lateness is too: an item due on Friday is one
 * working day late on Monday, not three. 0 when it fell due earlier today.
 */
export function workingDaysLate(dueAt: Date, now: Date): number {
  const today = todayIso(now);
  let n = 0;
  for (let d = nextDay(todayIso(dueAt)); d <= today; d = nextDay(d)) {
    if (isWorkingDay(d)) n += 1;
  }
  return n;
}

/** The week before `now`'s local week, Monday to Sunday, as 'yyyy-mm-dd'. */
export function lastWeek(now: Date): { from: string; to: string } {
  const today = todayIso(now);
  const monday = addDays(today, -((weekday(today) + 6) % 7));
  return { from: addDays(monday, -7), to: addDays(monday, -1) };
}

/** How many service areas the summary names. */
export const WEAKEST_COUNT = 3;

/**
 * The service areas with the lowest satisfaction rate that have enough
 * answers to be compared: not a small sample (methodology §3: under 30 a
 * rate is marked as not to be read on its own), so never a withheld cell
 * either. A week's handful of answers would otherwise put whichever area had
 * one unhappy citizen at the top of the list. Lowest rate first; on a tie
 * the area with more answers (firmer figure) first, then by name.
 */
export function weakestAreas(areas: readonly ServiceAreaCell[], count = WEAKEST_COUNT): ServiceAreaCell[] {
  return areas
    .filter((a) => !a.suppressed && a.rate !== null && a.n >= SMALL_SAMPLE_BELOW)
    .sort((a, b) => a.rate! - b.rate! || b.n - a.n || a.name.localeCompare(b.name, 'vi'))
    .slice(0, count);
}

/** Areas with some answers that were left out of the comparison for having too few. */
export function areasTooThin(areas: readonly ServiceAreaCell[]): number {
  return areas.filter((a) => a.n > 0 && a.n < SMALL_SAMPLE_BELOW).length;
}
