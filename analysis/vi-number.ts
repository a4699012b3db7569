// Percentages as Vietnamese documents write them: "90,5%". Pure.

const PERCENT = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
const NUMBER = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

/** A proportion 0..1 as "90,5%"; "—" when there is nothing to divide. */
export function formatPercentVi(fraction: number | null): string {
  return fraction === null || !Number.isFinite(fraction) ? '—' : PERCENT.format(fraction);
}

/** A proportion 0..1 as the percent number a person types back: 0.905 → "90,5". */
export function percentInputVi(fraction: number): string {
  return NUMBER.format(Math.round(fraction * 1e6) / 1e4);
}

/** Count as vi-VN: 1.234. */
export function formatCountVi(n: number): string {
  return NUMBER.format(n);
}

/**
 * A percent typed by a person, "90", "90,5", "90.5" or "90,5 %", as a
 * proportion with at most two decimals of percent (0.905), or undefined when
 * it is not a number from 0 to 100. A dot is read as a decimal mark too:
 * nobody writes a thousands separator in a percentage.
 */
export function parsePercentVi(raw: string): number | undefined {
  const m = /^\s*(\d{1,3})(?:[.,](\d{1,2}))?\s*%?\s*$/.exec(raw);
  if (!m) return undefined;
  // Whole hundredths of a percent, so that 90,55 is exactly 0.9055.
  const hundredths = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  if (hundredths > 10_000) return undefined;
  return hundredths / 10_000;
}
