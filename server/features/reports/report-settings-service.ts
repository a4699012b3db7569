import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { canPublish, publicationOf, setPublication } from '../public/public-switch-service.ts';
import { findReportSettings, type LineageUnit, listLineage, saveReportSettings } from './report-settings-repository.ts';
import {
  defaultSettings,
  EMPTY_SETTINGS,
  effectiveSettings,
  type ReportSettings,
  SETTING_FIELDS,
  type StoredReportSettings,
} from './report-settings-rules.ts';

// A unit's report settings: read and changed by the managers whose subtree
// holds the unit (out of scope and missing are the same: undefined), each
// change audited with what it changed; and the settings a report prints.

export interface SettingsPage {
  unit: LineageUnit;
  stored: StoredReportSettings;
  defaults: ReportSettings;
  /** Whether the unit's results are published at /cong-khai/{code} (issue 17). */
  published: boolean;
}

async function reachable(db: Db, actor: Actor, unitId: number) {
  const lineage = await listLineage(db, unitId);
  const unit = lineage.at(-1);
  if (!unit || unit.id !== unitId || !canReach(actor, unit.path)) return undefined;
  return { unit, defaults: defaultSettings(unit, lineage.slice(0, -1)) };
}

export async function loadSettingsPage(db: Db, actor: Actor, unitId: number): Promise<SettingsPage | undefined> {
  const found = await reachable(db, actor, unitId);
  if (!found) return undefined;
  const [stored, published] = await Promise.all([findReportSettings(db, unitId), publicationOf(db, unitId)]);
  return { ...found, stored: stored ?? EMPTY_SETTINGS, published };
}

/** Who sees the page: managers set what reports print, officials what the unit publishes. */
export const canSeeSettings = (actor: Actor) => can(actor, 'manage') || canPublish(actor);

/**
 * Switches the unit's public results page on or off: 'not_found' out of
 * scope (before anything else), 'forbidden' for a role that may not publish.
 */
export async function updatePublication(
  db: Db,
  actor: Actor,
  unitId: number,
  published: boolean,
): Promise<'ok' | 'not_found' | 'forbidden'> {
  const found = await reachable(db, actor, unitId);
  if (!found) return 'not_found';
  return setPublication(db, actor, found.unit, published);
}

export async function updateReportSettings(
  db: Db,
  actor: Actor,
  unitId: number,
  next: StoredReportSettings,
): Promise<'ok' | 'not_found'> {
  const found = await reachable(db, actor, unitId);
  if (!found) return 'not_found';
  await db.transaction().execute(async (trx) => {
    const before = (await findReportSettings(trx, unitId)) ?? EMPTY_SETTINGS;
    const changed = SETTING_FIELDS.filter((f) => before[f] !== next[f]);
    if (!changed.length) return;
    await saveReportSettings(trx, unitId, next, actor.userId);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      actorKeyId: actor.keyId,
      unitId,
      action: 'unit.report_settings',
      detail: {
        code: found.unit.code,
        from: Object.fromEntries(changed.map((f) => [f, before[f]])),
        to: Object.fromEntries(changed.map((f) => [f, next[f]])),
      },
    });
  });
  return 'ok';
}

/** What a report of the unit prints; the caller has checked the unit is in scope. */
export async function reportSettingsOf(db: Db, unitId: number): Promise<ReportSettings> {
  const lineage = await listLineage(db, unitId);
  const unit = lineage.at(-1);
  if (!unit) throw new Error(`unit ${unitId} not found`);
  const stored = (await findReportSettings(db, unitId)) ?? EMPTY_SETTINGS;
  return effectiveSettings(stored, defaultSettings(unit, lineage.slice(0, -1)));
}
