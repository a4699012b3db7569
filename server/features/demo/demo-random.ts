// What the demo's generators share: a seedable PRNG, so that the demo is the
// same on every machine, and Vietnam's calendar (UTC+7 all year).

export const DAY_MS = 86_400_000;
export const ICT_OFFSET_MS = 7 * 3_600_000;

/** Small, fast, seedable PRNG so that the demo is the same everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The calendar year in Vietnam at `now`. */
export const localYear = (now: Date) => new Date(now.getTime() + ICT_OFFSET_MS).getUTCFullYear();

/** The calendar month in Vietnam at `at`, 'YYYY-MM'. */
export const localMonth = (at: Date) => new Date(at.getTime() + ICT_OFFSET_MS).toISOString().slice(0, 7);
