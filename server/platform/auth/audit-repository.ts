import type { Db } from '../db/connect.ts';

export interface AuditEntry {
  actorUserId?: number | null;
  actorKeyId?: number | null;
  /** Who acted when there is no user id: an email tried at sign-in, 'cli', … */
  actorLabel?: string | null;
  unitId?: number | null;
  action: string;
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_event')
    .values({
      actor_user_id: e.actorUserId ?? null,
      actor_key_id: e.actorKeyId ?? null,
      actor_label: e.actorLabel ?? null,
      unit_id: e.unitId ?? null,
      action: e.action,
      detail: JSON.stringify(e.detail ?? {}),
    })
    .execute();
}

export interface AuditRow {
  id: string;
  at: Date;
  action: string;
  actor: string | null;
  unitName: string | null;
  detail: unknown;
}

/**
 * Events about units in a subtree (`scopePath`); events with no unit (an
 * unknown account's failed sign-in, say) only for the root scope '/'.
 * `actionPrefix` keeps one kind ('sign_in.'), matched with starts_with: in a
 * LIKE pattern the '_' would match any letter.
 */
export async function listAudit(db: Db, scopePath: string, limit = 200, actionPrefix?: string): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_event as e')
    .leftJoin('app_user as a', 'a.id', 'e.actor_user_id')
    .leftJoin('unit as u', 'u.id', 'e.unit_id')
    .select((eb) => [
      'e.id',
      'e.at',
      'e.action',
      eb.fn.coalesce('a.email', 'e.actor_label').as('actor'),
      'u.name as unitName',
      'e.detail',
    ])
    .where((eb) =>
      scopePath === '/'
        ? eb.val(true)
        : eb.and([eb('u.path', 'like', `${scopePath}%`), eb('e.unit_id', 'is not', null)]),
    )
    .$if(Boolean(actionPrefix), (qb) =>
      qb.where((eb) => eb(eb.fn<boolean>('starts_with', ['e.action', eb.val(actionPrefix)]), '=', true)),
    )
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}
