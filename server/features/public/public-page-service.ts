import { periodLabelVi, periodOfDate } from '../../../analysis/periods.ts';
import type { TargetRef, Verdict } from '../../../analysis/report-types.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { feedbackFiguresForPeriod } from '../feedback/feedback-service.ts';
import { presetRange } from '../reports/report-periods.ts';
import { buildSatisfactionReport, buildTrendReport } from '../reports/report-service.ts';
import {
  findPublishedUnit,
  listPublicReplies,
  listPublishedUnits,
  type PublicReplyRow,
  type PublicUnit,
} from './public-repository.ts';

// What a unit's public results page shows, built from the very services
// the report API and the dashboard use (buildSatisfactionReport,
// buildTrendReport, feedbackFiguresForPeriod): no formula is computed here,
// so every figure equals GET /api/v1/reports/satisfaction(/trend) for the
// same unit and quarter. The latest quarter is the last one that has ended
// (Asia/Ho_Chi_Minh): a quarter in progress has no dossier volumes yet and
// feedback not yet due, and published figures should not move from day to
// day. Only aggregates and public replies leave this file.

const QUARTERS_SHOWN = 8;
/** Public replies to responses of the last four quarters, newest first. */
const REPLY_QUARTERS = 4;
const MAX_REPLIES = 20;

/** Months before `iso`'s month, as the first day of that month. */
function monthsBefore(iso: string, months: number): string {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** "quý III/2026" as a sentence writes it. */
export const quarterLabel = (key: string) => periodLabelVi(key).replace(/^Quý/, 'quý');

interface Rate {
  n: number;
  satisfied: number | null;
  rate: number | null;
  ci95: [number, number] | null;
  smallSample: boolean;
}

export interface PublicPageModel {
  unit: { code: string; name: string };
  quarter: { key: string; label: string };
  headline: Rate & {
    target: Omit<TargetRef, 'id'> | null;
    verdict: Verdict;
    probabilityMet: number | null;
    moreResponsesNeeded: number | null;
    suppressed: boolean;
  };
  quarters: (Rate & { quarter: string; label: string })[];
  serviceAreas: (Rate & { code: string; name: string; suppressed: boolean })[];
  /** Dossier counts from the one-stop software, when imported for every month of the quarter. */
  dossiers: { resolved: number; onTimeRate: number | null } | null;
  /** Feedback items opened from the quarter's responses, and how many were handled on time. */
  feedback: { opened: number; handled: number; handledOnTime: number; onTimeRate: number | null } | null;
  replies: PublicReplyRow[];
}

const rateOf = (c: Rate): Rate => ({
  n: c.n,
  satisfied: c.satisfied,
  rate: c.rate,
  ci95: c.ci95,
  smallSample: c.smallSample,
});

/** An actor that reaches exactly the published unit's subtree, for the report services' scope check. */
function publicActor(unit: PublicUnit): Actor {
  return { userId: null, keyId: null, role: 'official', unitId: unit.id, unitPath: unit.path, label: 'public' };
}

async function buildModel(db: Db, reads: Db, unit: PublicUnit, now: Date): Promise<PublicPageModel | undefined> {
  const latest = presetRange('prev_quarter', now);
  const key = periodOfDate(latest.from, 'quarter').key;
  const actor = publicActor(unit);
  const query = { unitId: unit.id, from: latest.from, to: latest.to };
  const [report, trend, [fb], replies] = await Promise.all([
    buildSatisfactionReport(reads, actor, query),
    buildTrendReport(reads, actor, {
      ...query,
      from: monthsBefore(latest.from, 3 * (QUARTERS_SHOWN - 1)),
      interval: 'quarter',
    }),
    feedbackFiguresForPeriod(reads, { unitIds: [unit.id], from: latest.from, to: latest.to }),
    // From the primary: a reply taken back clears the cache below, and a
    // lagging replica must not put it back for the cache's five minutes.
    listPublicReplies(db, {
      scopePath: unit.path,
      from: monthsBefore(latest.from, 3 * (REPLY_QUARTERS - 1)),
      to: latest.to,
      limit: MAX_REPLIES,
    }),
  ]);
  if (!report || !trend) return undefined;
  const o = report.overall;
  return {
    unit: { code: unit.code, name: unit.name },
    quarter: { key, label: quarterLabel(key) },
    headline: {
      ...rateOf(o),
      target: o.target
        ? {
            comparison: o.target.comparison,
            threshold: o.target.threshold,
            sourcePlan: o.target.sourcePlan,
            sourceClause: o.target.sourceClause,
          }
        : null,
      verdict: o.verdict,
      probabilityMet: o.probabilityMet,
      moreResponsesNeeded: o.moreResponsesNeeded,
      suppressed: o.suppressed,
    },
    quarters: trend.points.map((p) => ({ quarter: p.period, label: periodLabelVi(p.period), ...rateOf(p.overall) })),
    serviceAreas: report.serviceAreas
      .filter((a) => a.n > 0)
      .map((a) => ({ code: a.code, name: a.name, ...rateOf(a), suppressed: a.suppressed })),
    dossiers: report.dossiers ? { resolved: report.dossiers.resolved, onTimeRate: report.dossiers.onTimeRate } : null,
    feedback: fb
      ? { opened: fb.opened, handled: fb.handled, handledOnTime: fb.handledOnTime, onTimeRate: fb.onTimeRate }
      : null,
    replies,
  };
}

// The figures of a quarter that has ended change slowly (a late suspect
// review, a reply given today), so a few minutes' copy per unit and quarter
// is safe and keeps a busy public page from re-running the report queries.
// Whether the unit publishes is read from the database on every request,
// never from here, so switching off hides the page at once in every
// process; the switch also drops this process's copy of that unit, and a
// comment's publishable mark changing drops every copy (the units above the
// item's publish it too, and a comment taken back must go at once). The key
// holds the quarter, so a new quarter starts a new entry; the map is
// bounded, oldest entry out first. The figures may come from a streaming
// replica (`reads`, app.reportDb): the switch and the replies never do.
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 500;
const cache = new Map<string, { expires: number; model: PublicPageModel }>();

/** Drops the cached pages of a unit, or of every unit without one. */
export function clearPublicCache(unitId?: number): void {
  if (unitId === undefined) cache.clear();
  else for (const key of cache.keys()) if (key.startsWith(`${unitId}:`)) cache.delete(key);
}

async function cachedModel(db: Db, reads: Db, unit: PublicUnit, now: Date): Promise<PublicPageModel | undefined> {
  const key = `${unit.id}:${periodOfDate(presetRange('prev_quarter', now).from, 'quarter').key}`;
  const hit = cache.get(key);
  if (hit && hit.expires > Date.now()) return hit.model;
  const model = await buildModel(db, reads, unit, now);
  if (!model) return undefined;
  cache.delete(key);
  cache.set(key, { expires: Date.now() + TTL_MS, model });
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return model;
}

/** The page of a published unit; undefined when the code is unknown or the unit does not publish. */
export async function publicUnitPage(
  db: Db,
  code: string,
  now = new Date(),
  reads: Db = db,
): Promise<PublicPageModel | undefined> {
  const unit = await findPublishedUnit(db, code);
  return unit ? cachedModel(db, reads, unit, now) : undefined;
}

/** The index: every publishing unit with its headline of the latest quarter. */
export async function publicIndex(db: Db, now = new Date(), reads: Db = db) {
  const units = await listPublishedUnits(db);
  const models = await Promise.all(units.map((u) => cachedModel(db, reads, u, now)));
  return models.filter((m): m is PublicPageModel => m !== undefined);
}
