import type { VolumeRow } from '../volumes/volume-rules.ts';
import { DAY_MS, ICT_OFFSET_MS, localMonth, mulberry32 } from './demo-random.ts';
import type { DemoCommune } from './demo-units.ts';

// Dossier volumes (methodology §6) at each demo centre, one row per service
// area its desks serve, for every month from January 2024 to this month so
// far. Sized on the centre's responses: a month's dossiers are the
// population, the survey's answers a 5–40% sample of them. Timeliness per
// commune is chosen so that the plan targets get real verdicts: Đình Lập
// just clears its > 99% on time, Tiền Phong its > 95% on time but not its
// 80% early, Hội An Đông its < 1% late; Hội An Tây is visibly worse, and
// land is slower than civil status everywhere. Each commune × area draws
// from its own fixed seed, never from the responses' generator, and the same
// number of times every month: the past months come out the same whatever
// day the demo is seeded.

export const FIRST_VOLUME_MONTH = '2024-01';
/** The bounds of a month's response rate (responses / resolved) where it has responses. */
export const MIN_RESPONSE_RATE = 0.05;
export const MAX_RESPONSE_RATE = 0.4;

export interface DemoVolumeRow extends VolumeRow {
  /** 'YYYY-MM' */
  month: string;
}

interface VolumeProfile {
  /** Share of the resolved dossiers returned late, over all the centre's areas. */
  late: number;
  /** Share of the resolved dossiers returned early in 2024; 3 points more each year after. */
  early: number;
  /** The usual survey response rate: responses / resolved. */
  responseRate: number;
  /** Share of the resolved dossiers rated dissatisfied or complained about. */
  dissatisfied: number;
  /** Complaints a month at the centre. */
  complaints: number;
  /** Share of the complaints handled on time. */
  complaintsOnTime: number;
}

const PROFILES: Record<string, VolumeProfile> = {
  'tan-hoi': {
    late: 0.018,
    early: 0.62,
    responseRate: 0.14,
    dissatisfied: 0.012,
    complaints: 3,
    complaintsOnTime: 0.85,
  },
  'hoi-an-dong': {
    late: 0.006,
    early: 0.78,
    responseRate: 0.22,
    dissatisfied: 0.007,
    complaints: 3,
    complaintsOnTime: 0.95,
  },
  'ha-tien': { late: 0.012, early: 0.66, responseRate: 0.12, dissatisfied: 0.01, complaints: 2, complaintsOnTime: 0.9 },
  'dinh-lap': {
    late: 0.007,
    early: 0.72,
    responseRate: 0.1,
    dissatisfied: 0.008,
    complaints: 2,
    complaintsOnTime: 0.95,
  },
  'tien-phong': {
    late: 0.025,
    early: 0.7,
    responseRate: 0.15,
    dissatisfied: 0.01,
    complaints: 3,
    complaintsOnTime: 0.9,
  },
  'hoi-an': { late: 0.003, early: 0.88, responseRate: 0.3, dissatisfied: 0.005, complaints: 2, complaintsOnTime: 0.97 },
  'hoi-an-tay': {
    late: 0.045,
    early: 0.42,
    responseRate: 0.16,
    dissatisfied: 0.02,
    complaints: 6,
    complaintsOnTime: 0.7,
  },
};
const EARLY_GAIN_PER_YEAR = 0.03;
const ONLINE_GAIN_PER_YEAR = 0.08;

/**
 * How an area differs from the centre's mean: land and construction are
 * late more often, early less often, keep more dossiers pending and draw
 * more complaints; civil status and certification are quick. `online` is
 * the share received online in 2024.
 */
interface Pace {
  late: number;
  early: number;
  pending: number;
  complaints: number;
  online: number;
}

const AREA_PACE: Record<string, Pace> = {
  'dat-dai': { late: 3, early: 0.6, pending: 0.8, complaints: 3, online: 0.2 },
  'xay-dung': { late: 2, early: 0.75, pending: 0.5, complaints: 2, online: 0.3 },
  'dau-tu-kinh-doanh': { late: 1.5, early: 0.85, pending: 0.3, complaints: 1, online: 0.5 },
  'ho-tich': { late: 0.2, early: 1.15, pending: 0.05, complaints: 0.5, online: 0.5 },
  'chung-thuc': { late: 0.2, early: 1.2, pending: 0.02, complaints: 0.3, online: 0.1 },
  'cu-tru': { late: 0.5, early: 1.05, pending: 0.1, complaints: 0.5, online: 0.6 },
  'lao-dong-xa-hoi': { late: 1, early: 0.95, pending: 0.4, complaints: 1, online: 0.3 },
  'y-te': { late: 0.8, early: 1, pending: 0.2, complaints: 0.5, online: 0.3 },
  'giao-duc': { late: 0.8, early: 1, pending: 0.2, complaints: 0.5, online: 0.4 },
};
const AVERAGE_PACE: Pace = { late: 1, early: 1, pending: 0.3, complaints: 1, online: 0.3 };

/** Fewer dossiers around Tết, more before it and at the year's end. */
const SEASON = [1.05, 0.75, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.1];

/** The key of `countResponses`' map. */
export const responseKey = (serviceArea: string, month: string) => `${serviceArea} ${month}`;

/** Responses by service area and local month. */
export function countResponses(rows: readonly { serviceArea: string; submittedAt: Date }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = responseKey(r.serviceArea, localMonth(r.submittedAt));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * The volumes of commune `c`'s centre, given its responses by area and
 * month (`countResponses`). A month's resolved dossiers come from the
 * responses its area usually gets (the commune's `dailyResponses`) at the
 * commune's usual response rate; where the month has responses, they are
 * kept within 5–40% of the resolved dossiers. A month with no responses
 * still has its dossiers: nobody answering does not mean no work was done.
 */
export function demoVolumes(c: DemoCommune, responses: ReadonlyMap<string, number>, now: Date): DemoVolumeRow[] {
  const profile = PROFILES[c.commune.code];
  if (!profile) throw new Error(`no volume profile for demo commune ${c.commune.code}`);
  const shares = areaShares(c);
  const pace = (area: string) => AREA_PACE[area] ?? AVERAGE_PACE;
  // So that the profile's rates hold over the centre, whatever its areas.
  const mean = (f: (p: Pace) => number) => [...shares].reduce((s, [area, w]) => s + w * f(pace(area)), 0);
  const meanLate = mean((p) => p.late);
  const meanEarly = mean((p) => p.early);
  const meanComplaints = mean((p) => p.complaints);
  const months = monthsUntil(localMonth(now)).map((month) => ({
    month,
    year: Number(month.slice(0, 4)),
    season: SEASON[Number(month.slice(5)) - 1]!,
    ...workdays(month, now),
  }));
  const out: DemoVolumeRow[] = [];
  for (const [area, share] of shares) {
    const rand = mulberry32(seedOf(`${c.commune.code}/${area}`));
    const round = (x: number) => Math.floor(x) + (rand() < x - Math.floor(x) ? 1 : 0);
    const p = pace(area);
    const late = (profile.late * p.late) / meanLate;
    const complaintShare = (share * p.complaints) / meanComplaints;
    const perWorkday = (c.dailyResponses * share) / profile.responseRate;
    let carried = Math.round(perWorkday * 21 * p.pending * (0.8 + 0.4 * rand()));
    for (const { month, year, season, full, done } of months) {
      // The month's usual response rate varies a little: ±20% around the commune's.
      const monthly = (perWorkday * full * season) / (0.8 + 0.4 * rand());
      let resolved = Math.round((monthly * done) / full);
      const n = responses.get(responseKey(area, month)) ?? 0;
      if (n > 0) {
        resolved = Math.min(Math.max(resolved, Math.ceil(n / MAX_RESPONSE_RATE)), Math.floor(n / MIN_RESPONSE_RATE));
      }
      // What is left pending moves from last month's stock towards a whole month's as the month goes by.
      const stock = monthly * p.pending * (0.8 + 0.4 * rand());
      const leftPending = Math.round(carried + ((stock - carried) * done) / full);
      const received = Math.max(0, resolved + leftPending - carried);
      const pending = carried + received - resolved;
      const resolvedLate = Math.min(resolved, round(resolved * late));
      const early = Math.min(0.97, ((profile.early + EARLY_GAIN_PER_YEAR * (year - 2024)) * p.early) / meanEarly);
      const resolvedEarly = Math.min(resolved - resolvedLate, round(resolved * early));
      const pendingOverdue = Math.min(pending, round(pending * Math.min(0.5, 3 * late)));
      const receivedOnline = Math.min(
        received,
        round(received * Math.min(0.9, p.online + ONLINE_GAIN_PER_YEAR * (year - 2024))),
      );
      const complaints = round((profile.complaints * complaintShare * done) / full);
      const complaintsLate = Math.min(complaints, round(complaints * (1 - profile.complaintsOnTime)));
      const dissatisfied = round((resolved * profile.dissatisfied * p.complaints) / meanComplaints);
      out.push({
        serviceArea: area,
        month,
        receivedOnline,
        receivedDirect: received - receivedOnline,
        carriedOver: carried,
        resolvedEarly,
        resolvedOnTime: resolved - resolvedLate - resolvedEarly,
        resolvedLate,
        pendingOnTime: pending - pendingOverdue,
        pendingOverdue,
        dissatisfiedOrComplained: Math.max(complaints, dissatisfied),
        complaints,
        complaintsOnTime: complaints - complaintsLate,
      });
      carried = pending;
    }
  }
  return out;
}

/** Each area's share of the centre's responses: a desk gets a quarter, split evenly over its areas (demo.ts). */
function areaShares(c: DemoCommune): Map<string, number> {
  const shares = new Map<string, number>();
  for (const d of c.desks) {
    for (const area of d.serviceAreas) {
      shares.set(area, (shares.get(area) ?? 0) + 1 / c.desks.length / d.serviceAreas.length);
    }
  }
  return shares;
}

/** 'YYYY-MM' from FIRST_VOLUME_MONTH to `last`, inclusive. */
function monthsUntil(last: string): string[] {
  const out: string[] = [];
  let [y, m] = FIRST_VOLUME_MONTH.split('-').map(Number) as [number, number];
  for (let month = FIRST_VOLUME_MONTH; month <= last; month = `${y}-${String(m).padStart(2, '0')}`) {
    out.push(month);
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
  return out;
}

/** Monday to Friday in `month`: all of them, and those up to `now`'s local day. */
function workdays(month: string, now: Date): { full: number; done: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const today = Math.floor((now.getTime() + ICT_OFFSET_MS) / DAY_MS) * DAY_MS;
  let full = 0;
  let done = 0;
  for (let day = Date.UTC(y, m - 1, 1); new Date(day).getUTCMonth() === m - 1; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    full += 1;
    if (day <= today) done += 1;
  }
  return { full, done };
}

/** FNV-1a of `text`: each commune × area its own series. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
