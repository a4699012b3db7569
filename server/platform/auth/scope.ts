import type { Role } from '../db/schema.ts';

/** Who is acting, and over which part of the unit hierarchy. */
export interface Actor {
  userId: number | null;
  keyId: number | null;
  role: Role;
  unitId: number | null;
  /** Materialised path of the actor's unit; '/' reaches everything. */
  unitPath: string;
  label: string;
}

/** Whether a unit (by its materialised path) is the actor's unit or below it. */
export function canReach(actor: Pick<Actor, 'unitPath'>, unitPath: string): boolean {
  return unitPath.startsWith(actor.unitPath);
}

/** Roles able to do a kind of work; an admin can do everything. */
export const ROLE_CAN = {
  /** Read reports, manage plan targets, read the audit log. */
  oversee: ['admin', 'official'],
  /** Units, desks, posters, surveys, feedback, API keys. */
  manage: ['admin', 'manager'],
  /**
   * Publish a new version of a survey. Surveys are shared by every unit, so
   * a new version changes what all of them ask: only an administrator may.
   */
  publish: ['admin'],
  /** Posters and transaction codes at the counter. */
  serve: ['admin', 'manager', 'staff'],
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof ROLE_CAN;

export function can(actor: Pick<Actor, 'role'>, capability: Capability): boolean {
  return (ROLE_CAN[capability] as readonly Role[]).includes(actor.role);
}
