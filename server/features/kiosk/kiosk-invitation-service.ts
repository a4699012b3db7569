import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { ApiPrincipal } from '../access/api-key-repository.ts';
import { type DeskContext, findActiveDesk, findDeskById } from '../organisation/desk-repository.ts';
import {
  expireOpenInvitations,
  findOpenInvitation,
  hasActiveDevice,
  insertInvitation,
  lockDeskInvitations,
  notifyDesk,
  type OpenInvitation,
} from './kiosk-invitation-repository.ts';

// "Mời đánh giá": the clerk (or the one-stop software) invites the citizen
// of the transaction just finished to rate it on the desk's tablet. An
// invitation is a one-time token for that transaction: the tablet binds the
// rating to it (kiosk submissions mark it used, making the response
// verified), so a transaction is rated at most once. It lasts a few minutes,
// and a newer one for the desk ends the older ones still open: the tablet
// only ever shows the transaction at the counter now.

export const INVITATION_MINUTES = 10;

export type { OpenInvitation };

export type InviteResult =
  | { status: 'created'; invitation: OpenInvitation; desk: DeskContext }
  /** Missing, inactive, or outside the caller's subtree: the same answer, so ids and codes leak nothing. */
  | { status: 'not_found' }
  | { status: 'forbidden' }
  | { status: 'area_not_served' }
  /** The desk has no paired tablet that is not revoked: nobody would see the invitation. */
  | { status: 'no_device' };

interface Issuer {
  userId: number | null;
  keyId: number | null;
  via: 'api' | 'staff';
}

async function invite(
  db: Db,
  desk: DeskContext,
  serviceArea: string,
  issuer: Issuer,
  now = new Date(),
): Promise<InviteResult> {
  if (!desk.serviceAreas.some((a) => a.code === serviceArea)) return { status: 'area_not_served' };
  return db.transaction().execute(async (trx): Promise<InviteResult> => {
    await lockDeskInvitations(trx, desk.id);
    // Checked under the lock: a tablet revoked a moment ago gets no invitation.
    if (!(await hasActiveDevice(trx, desk.id))) return { status: 'no_device' };
    const superseded = await expireOpenInvitations(trx, desk.id, now);
    const invitation = await insertInvitation(trx, {
      deskId: desk.id,
      serviceArea,
      expiresAt: new Date(now.getTime() + INVITATION_MINUTES * 60_000),
      userId: issuer.userId,
      keyId: issuer.keyId,
    });
    await notifyDesk(trx, desk.id);
    await recordAudit(trx, {
      actorUserId: issuer.userId,
      actorKeyId: issuer.keyId,
      unitId: desk.unitId,
      action: 'kiosk.invite',
      detail: { deskId: desk.id, serviceArea, invitationId: invitation.id, superseded, via: issuer.via },
    });
    return { status: 'created', invitation, desk };
  });
}

/** Through the API: a manager key of the desk's subtree. */
export async function inviteFromApi(
  db: Db,
  principal: ApiPrincipal,
  input: { desk: string; serviceArea: string },
): Promise<InviteResult> {
  const desk = await findActiveDesk(db, input.desk);
  // Another unit's desk does not exist for this key: 404, never 403.
  if (!desk || !canReach(principal, desk.unitPath)) return { status: 'not_found' };
  if (principal.role !== 'manager') return { status: 'forbidden' };
  return invite(db, desk, input.serviceArea, { userId: null, keyId: principal.keyId, via: 'api' });
}

/** From the clerk's page: a user who serves at the counter, for a desk in their subtree. */
export async function inviteFromStaff(
  db: Db,
  actor: Actor,
  input: { deskId: number; serviceArea: string },
): Promise<InviteResult> {
  const record = await findDeskById(db, input.deskId);
  const desk = record && canReach(actor, record.unitPath) ? await findActiveDesk(db, record.code) : undefined;
  if (!desk) return { status: 'not_found' };
  return invite(db, desk, input.serviceArea, { userId: actor.userId, keyId: null, via: 'staff' });
}

/** Whether the clerk's page offers "Mời đánh giá" for the desk. */
export function deskHasTablet(db: Db, deskId: number): Promise<boolean> {
  return hasActiveDevice(db, deskId);
}

/** The open invitation a waiting tablet of the desk should show, newer than the last one it saw. */
export function openInvitationAfter(db: Db, deskId: number, after: number): Promise<OpenInvitation | undefined> {
  return findOpenInvitation(db, deskId, after);
}
