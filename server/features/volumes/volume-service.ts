import { todayIso } from '../../../analysis/local-time.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { recordEvent } from '../../platform/events/outbox.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import {
  lockLines,
  monthRows,
  otherHoldersInLine,
  replaceMonthRows,
  type UnitHit,
  unitsByCode,
} from './volume-repository.ts';
import { balanceWarning, sameRows, type VolumeRow } from './volume-rules.ts';

// Dossier volumes coming in, by whichever door (API, upload, CLI): every
// check of every row first, then all of it in one transaction or nothing.
// A unit × month is replaced as a whole; the previous rows go to the audit
// log; the same rows again change nothing and log nothing.

/** One unit × month to replace. `ref`s say where an issue is, in the caller's words. */
export interface VolumeBatch {
  unit: string;
  month: string;
  /** Where the unit and month came from: '' for an API body, a line number for a file. */
  ref: string;
  rows: { ref: string; row: VolumeRow }[];
}

export interface VolumeIssue {
  ref: string;
  /** The field at fault: 'unit', 'month', a row field; null for the whole row. */
  field: string | null;
  code: string;
  message: { vi: string; en: string };
}

export interface BatchChange {
  unit: { id: number; code: string; name: string };
  month: string;
  previous: VolumeRow[];
  rows: VolumeRow[];
  changed: boolean;
}

export type ImportResult =
  | { status: 'ok'; changes: BatchChange[]; warnings: VolumeIssue[] }
  | { status: 'invalid'; errors: VolumeIssue[] }
  | { status: 'forbidden' };

export type VolumeSource = 'api' | 'upload' | 'cli';

/** Managers and officials put volumes (the API's manager or official keys); counter staff do not. */
export function canImportVolumes(actor: Pick<Actor, 'role'>): boolean {
  return can(actor, 'manage') || can(actor, 'oversee');
}

const issue = (ref: string, field: string | null, code: string, vi: string, en: string): VolumeIssue => ({
  ref,
  field,
  code,
  message: { vi, en },
});

/**
 * Checks every batch against the database: the unit in the actor's scope and
 * able to hold volumes, the month begun, each area known and once, and no
 * other unit above or below holding the same month (a dossier would count
 * twice). Returns the units found, or the issues.
 */
async function check(db: Db, actor: Actor, batches: readonly VolumeBatch[], now: Date) {
  const errors: VolumeIssue[] = [];
  const units = await unitsByCode(db, [...new Set(batches.map((b) => b.unit))]);
  const areas = new Set((await listServiceAreas(db, { activeOnly: true })).map((a) => a.code));
  const thisMonth = todayIso(now).slice(0, 7);
  const seen = new Map<string, string>();
  for (const b of batches) {
    const unit = units.get(b.unit);
    if (!unit || !canReach(actor, unit.path)) {
      errors.push(
        issue(
          b.ref,
          'unit',
          'unit.not_found',
          `Không có đơn vị mã «${b.unit}» trong phạm vi của Ông/Bà.`,
          `No unit with code "${b.unit}" in your scope.`,
        ),
      );
      continue;
    }
    if (unit.kind === 'province') {
      errors.push(
        issue(
          b.ref,
          'unit',
          'volume.unit_kind',
          `«${unit.name}» là cấp tỉnh: số liệu hồ sơ nhập cho từng trung tâm hoặc xã, phường.`,
          `"${unit.name}" is a province: volumes are put for each centre or commune.`,
        ),
      );
    }
    if (b.month > thisMonth) {
      errors.push(
        issue(
          b.ref,
          'month',
          'volume.future_month',
          `Tháng ${b.month.slice(5)}/${b.month.slice(0, 4)} chưa bắt đầu.`,
          `${b.month} has not begun.`,
        ),
      );
    }
    const key = `${unit.code} ${b.month}`;
    if (seen.has(key)) {
      errors.push(
        issue(
          b.ref,
          'month',
          'volume.duplicate_month',
          `Đơn vị «${unit.code}», tháng ${b.month} đã có ở ${seen.get(key) || 'phần trên'}.`,
          `Unit "${unit.code}", month ${b.month} appears twice.`,
        ),
      );
    }
    seen.set(key, b.ref);
    const areasSeen = new Set<string>();
    for (const { ref, row } of b.rows) {
      if (!areas.has(row.serviceArea)) {
        errors.push(
          issue(
            ref,
            'serviceArea',
            'service_area.unknown',
            `Không có lĩnh vực mã «${row.serviceArea}».`,
            `No service area with code "${row.serviceArea}".`,
          ),
        );
      } else if (areasSeen.has(row.serviceArea)) {
        errors.push(
          issue(
            ref,
            'serviceArea',
            'volume.duplicate_area',
            `Lĩnh vực «${row.serviceArea}» lặp lại trong cùng đơn vị và tháng.`,
            `Service area "${row.serviceArea}" appears twice for the same unit and month.`,
          ),
        );
      }
      areasSeen.add(row.serviceArea);
    }
  }
  // Above or below each other in the same import, or against what is stored.
  for (const b of batches) {
    const unit = units.get(b.unit);
    if (!unit || !canReach(actor, unit.path) || b.rows.length === 0) continue;
    const inImport = batches
      .filter((o) => o !== b && o.month === b.month && o.rows.length > 0)
      .map((o) => units.get(o.unit))
      .filter((o): o is UnitHit => !!o && o.path !== unit.path && o.path.startsWith(unit.path));
    const stored = (await otherHoldersInLine(db, unit.path, b.month)).filter(
      (h) => !batches.some((o) => o.unit === h.code && o.month === b.month && o.rows.length === 0),
    );
    const other = inImport[0] ?? stored[0];
    if (other) {
      errors.push(
        issue(
          b.ref,
          'unit',
          'volume.counted_elsewhere',
          `Tháng ${b.month} đã có số liệu của «${other.name}», đơn vị cấp trên hoặc trực thuộc của «${unit.name}»: một hồ sơ sẽ bị tính hai lần.`,
          `${b.month} already has volumes of "${other.name}", above or below "${unit.name}": a dossier would count twice.`,
        ),
      );
    }
  }
  return { errors, units };
}

/** Balance warnings of every row. */
function warningsOf(batches: readonly VolumeBatch[]): VolumeIssue[] {
  return batches.flatMap((b) =>
    b.rows.flatMap(({ ref, row }) => {
      const w = balanceWarning(row);
      return w ? [issue(ref, null, 'volume.unbalanced', w.vi, w.en)] : [];
    }),
  );
}

/**
 * Checks the batches and, unless `dryRun`, stores them: one transaction,
 * each changed unit × month replaced with its audit entry. A dry run returns
 * what would change, for the upload's preview.
 */
export async function importVolumes(
  db: Db,
  actor: Actor,
  batches: readonly VolumeBatch[],
  opts: { source: VolumeSource; dryRun?: boolean; now?: Date },
): Promise<ImportResult> {
  if (!canImportVolumes(actor)) return { status: 'forbidden' };
  const { errors, units } = await check(db, actor, batches, opts.now ?? new Date());
  if (errors.length) return { status: 'invalid', errors };
  const warnings = warningsOf(batches);
  const plan = async (reader: Db) =>
    Promise.all(
      batches.map(async (b) => {
        const u = units.get(b.unit)!;
        const previous = await monthRows(reader, u.id, b.month);
        const rows = b.rows.map((r) => r.row);
        return {
          unit: { id: u.id, code: u.code, name: u.name },
          month: b.month,
          previous,
          rows,
          changed: !sameRows(previous, rows),
        };
      }),
    );
  if (opts.dryRun) return { status: 'ok', changes: await plan(db), warnings };

  return db.transaction().execute(async (trx): Promise<ImportResult> => {
    // Lock each unit with every unit above it, then check again: a commune and
    // its centre importing the same month at once both lock the commune, so
    // the second sees the first's rows and is refused (counted twice otherwise).
    await lockLines(trx, [...new Set([...units.values()].map((u) => u.path))]);
    const again = await check(trx, actor, batches, opts.now ?? new Date());
    if (again.errors.length) return { status: 'invalid', errors: again.errors };
    const changes = await plan(trx);
    for (const c of changes) {
      if (!c.changed) continue;
      await replaceMonthRows(trx, c.unit.id, c.month, c.rows);
      await recordAudit(trx, {
        actorUserId: actor.userId,
        actorKeyId: actor.keyId,
        actorLabel: actor.userId || actor.keyId ? null : actor.label,
        unitId: c.unit.id,
        action: 'dossier_volume.replace',
        detail: { month: c.month, source: opts.source, previous: c.previous, rows: c.rows },
      });
      // Counts only: the rows themselves are a GET away for a receiver with a key.
      await recordEvent(trx, {
        event: 'dossier_volumes.imported',
        unitId: c.unit.id,
        data: { unit: c.unit.code, month: c.month, source: opts.source, serviceAreas: c.rows.length },
      });
    }
    return { status: 'ok', changes, warnings };
  });
}
