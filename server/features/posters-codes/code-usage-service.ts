import { todayIso } from '../../../analysis/local-time.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listUnitTree, type TreeRow } from '../organisation/unit-admin-service.ts';
import { type CodeUsageRow, codeUsage } from './transaction-code-repository.ts';

// Codes issued but never used, per desk and per issuer, for reviewers: a
// desk or an account that prints many more codes than citizens use is
// printing them for someone else to answer. Only codes whose fate is known
// (used, or past their expiry) count towards the share; codes that may still
// be used are shown apart.

export const DEFAULT_USAGE_DAYS = 30;

/** Reviewers (officials, administrators) and the centres' managers read code usage; counter staff do not. */
export function canReadCodeUsage(actor: Pick<Actor, 'role'>): boolean {
  return can(actor, 'oversee') || can(actor, 'manage');
}
export const MAX_USAGE_DAYS = 366;

export interface UsageCounts {
  /** Used or expired: the codes whose fate is known. */
  issued: number;
  used: number;
  unused: number;
  /** unused / issued, or null when none is known yet. */
  unusedShare: number | null;
  /** Neither used nor expired. */
  pending: number;
}

export interface DeskUsage extends UsageCounts {
  deskId: number;
  deskName: string;
  unitName: string;
}

export interface IssuerUsage extends DeskUsage {
  issuer: string;
  kind: 'user' | 'key' | 'unknown';
}

export interface CodeUsageReport {
  unit: TreeRow;
  units: TreeRow[];
  desks: DeskUsage[];
  issuers: IssuerUsage[];
  total: UsageCounts;
}

/** The default period: the last 30 local days, today included. */
export function defaultUsagePeriod(now: Date): { from: string; to: string } {
  return { from: todayIso(new Date(now.getTime() - (DEFAULT_USAGE_DAYS - 1) * 86_400_000)), to: todayIso(now) };
}

function counts(rows: Pick<CodeUsageRow, 'settled' | 'used' | 'pending'>[]): UsageCounts {
  const issued = rows.reduce((n, r) => n + r.settled, 0);
  const used = rows.reduce((n, r) => n + r.used, 0);
  const pending = rows.reduce((n, r) => n + r.pending, 0);
  return { issued, used, unused: issued - used, unusedShare: issued ? (issued - used) / issued : null, pending };
}

function issuerOf(r: CodeUsageRow): Pick<IssuerUsage, 'issuer' | 'kind'> {
  if (r.issuerUserId !== null) return { issuer: `${r.userName ?? ''} (${r.userEmail ?? ''})`, kind: 'user' };
  if (r.issuerKeyId !== null) return { issuer: `Khóa API “${r.keyLabel ?? ''}”`, kind: 'key' };
  return { issuer: 'Không rõ (mã cấp trước khi hệ thống ghi người cấp)', kind: 'unknown' };
}

/** Highest unused share first (unknown shares last), then the most codes. */
const byConcern = (a: UsageCounts, b: UsageCounts) =>
  (b.unusedShare ?? -1) - (a.unusedShare ?? -1) || b.issued - a.issued;

/**
 * Usage of the codes issued between two local dates (inclusive) at the desks
 * of a unit of the actor's subtree: without `unitId`, the actor's own unit.
 * Undefined when the unit is not in the subtree.
 */
export async function loadCodeUsage(
  db: Db,
  actor: Actor,
  q: { unitId?: number; from: string; to: string },
  now = new Date(),
): Promise<CodeUsageReport | undefined> {
  const units = await listUnitTree(db, actor);
  const unit =
    q.unitId !== undefined
      ? units.find((u) => u.id === q.unitId)
      : (units.find((u) => u.id === actor.unitId) ?? units[0]);
  if (!unit || !canReach(actor, unit.path)) return undefined;
  const from = new Date(`${q.from}T00:00:00+07:00`);
  const to = new Date(new Date(`${q.to}T00:00:00+07:00`).getTime() + 86_400_000);
  const rows = await codeUsage(db, { scopePath: unit.path, from, to, now });
  const byDesk = new Map<number, CodeUsageRow[]>();
  for (const r of rows) byDesk.set(r.deskId, [...(byDesk.get(r.deskId) ?? []), r]);
  const desks = [...byDesk.values()].map((group) => {
    const { deskId, deskName, unitName } = group[0]!;
    return { deskId, deskName, unitName, ...counts(group) };
  });
  const issuers = rows.map((r) => ({
    deskId: r.deskId,
    deskName: r.deskName,
    unitName: r.unitName,
    ...issuerOf(r),
    ...counts([r]),
  }));
  return {
    unit,
    units,
    desks: desks.sort(byConcern),
    issuers: issuers.sort(byConcern),
    total: counts(rows),
  };
}
