// Dates as a Vietnamese office reads them: Asia/Ho_Chi_Minh, dd/mm/yyyy,
// and working days (Monday to Friday). Pure: no database, no Fastify.
//
// Asia/Ho_Chi_Minh has been UTC+7 without daylight saving since 1975, so a
// fixed offset is exact here and keeps this file free of time-zone data.

/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving). */
export const ICT_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** Days a feedback item has before it is overdue, unless feedback_setting says otherwise. */
export const DEFAULT_DUE_WORKING_DAYS = 5;

/** The same wall-clock fields as in Vietnam, read with the getUTC* methods. */
function ict(date: Date): Date {
  return new Date(date.getTime() + ICT_OFFSET_MS);
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `days` working days after `start`, at the same local time of day; Saturdays
 * and Sundays are skipped. The SQL function feedback_add_working_days
 * (migrations/2026-11-22T0510_feedback.ts) does the same and the tests hold
 * the two together. Public holidays are not known here.
 */
export function addWorkingDays(start: Date, days: number): Date {
  let t = start.getTime();
  let remaining = days;
  while (remaining > 0) {
    t += DAY_MS;
    const weekday = ict(new Date(t)).getUTCDay();
    if (weekday !== 0 && weekday !== 6) remaining -= 1;
  }
  return new Date(t);
}

/** dd/mm/yyyy in Vietnam. */
export function formatDateVi(date: Date): string {
  const d = ict(date);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** dd/mm/yyyy HH:mm in Vietnam. */
export function formatDateTimeVi(date: Date): string {
  const d = ict(date);
  return `${formatDateVi(date)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A calendar date 'yyyy-mm-dd' (as stored) shown as dd/mm/yyyy. */
export function isoDateToVi(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * A calendar date typed in a form: 'yyyy-mm-dd' (what a date input posts) or
 * 'dd/mm/yyyy' (what a person types where the browser has no date picker).
 * Returns 'yyyy-mm-dd', or undefined when it is not a real date.
 */
export function parseDateInput(raw: string): string | undefined {
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) ?? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = s.includes('/') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (year < 2000 || year > 2100 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** Today's calendar date in Vietnam, 'yyyy-mm-dd'. */
export function todayIso(now: Date): string {
  const d = ict(now);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
