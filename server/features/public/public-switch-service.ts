import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { clearPublicCache } from './public-page-service.ts';
import { findUnitByCode, isPublished, savePublication } from './public-repository.ts';

// The switch that publishes a unit's results at /cong-khai/{code}: off by
// default; an official (or an administrator) of the unit or above turns it
// on or off from the report settings page, or the CLI does. Each change is
// audited as 'unit.publication' and drops the cached page of the unit.

/** Officials and administrators decide what their unit publishes; managers and counter staff do not. */
export const canPublish = (actor: Pick<Actor, 'role'>) => can(actor, 'oversee');

async function apply(
  db: Db,
  unit: { id: number; code: string },
  published: boolean,
  who: { userId: number | null; label: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await isPublished(trx, unit.id);
    await savePublication(trx, unit.id, published, who.userId);
    if (before !== published) {
      await recordAudit(trx, {
        actorUserId: who.userId,
        actorLabel: who.label,
        unitId: unit.id,
        action: 'unit.publication',
        detail: { code: unit.code, from: before, to: published },
      });
    }
  });
  clearPublicCache(unit.id);
}

/** The switch of a unit in the actor's subtree: 'not_found' for any other, 'forbidden' for the wrong role. */
export async function setPublication(
  db: Db,
  actor: Actor,
  unit: { id: number; code: string; path: string },
  published: boolean,
): Promise<'ok' | 'not_found' | 'forbidden'> {
  if (!canReach(actor, unit.path)) return 'not_found';
  if (!canPublish(actor)) return 'forbidden';
  await apply(db, unit, published, { userId: actor.userId, label: null });
  return 'ok';
}

/** The CLI's switch, by unit code: 'not_found' for an unknown code. */
export async function setPublicationByCode(db: Db, code: string, published: boolean): Promise<'ok' | 'not_found'> {
  const unit = await findUnitByCode(db, code);
  if (!unit) return 'not_found';
  await apply(db, unit, published, { userId: null, label: 'cli' });
  return 'ok';
}

/** Whether the unit publishes now, for the switch's form. */
export async function publicationOf(db: Db, unitId: number): Promise<boolean> {
  return isPublished(db, unitId);
}
