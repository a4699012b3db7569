import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Role } from '../../platform/db/schema.ts';

// Who may manage whose staff account. Pure: no database, no Fastify.
//
// Roles are not one ladder: an official oversees (reports, targets, the
// audit log) and a manager manages (units, desks, keys), and neither holds
// the other's capabilities (platform/auth/scope.ts ROLE_CAN). A role is
// "above" the actor's own when it holds a capability the actor lacks, so
// the order is admin > manager > staff, and official sits beside manager,
// not below it: only an administrator grants or edits it.

/** The roles an actor may give, and so the accounts (by role) they may edit. */
export const ASSIGNABLE_ROLES: Record<Role, readonly Role[]> = {
  admin: ['admin', 'official', 'manager', 'staff'],
  manager: ['manager', 'staff'],
  official: [],
  staff: [],
};

/** Hours a set-password link stays usable. */
export const LINK_HOURS = 24;

export function canAssign(actor: Pick<Actor, 'role'>, role: Role): boolean {
  return ASSIGNABLE_ROLES[actor.role].includes(role);
}

export type Access = 'manage' | 'self' | 'above' | 'out_of_scope';

/**
 * What an actor may do with an account: out of scope (another unit's, or a
 * system administrator's, for anyone bound to a unit) must look like an
 * account that does not exist; a role the actor cannot give is seen, not
 * edited; one's own account is changed on the password page, never here
 * (no one disables or demotes themselves by mistake).
 */
export function accountAccess(
  actor: Pick<Actor, 'role' | 'unitPath' | 'userId'>,
  target: { id: number; role: Role; unitPath: string },
): Access {
  if (!canReach(actor, target.unitPath)) return 'out_of_scope';
  if (target.id === actor.userId) return 'self';
  return canAssign(actor, target.role) ? 'manage' : 'above';
}
