import { formatDateTimeVi, todayIso } from '../../../analysis/local-time.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  type DeviceListing,
  findDevice,
  listDeskDevices,
  revokeDevice,
  setDeskIdleSeconds,
} from './kiosk-admin-repository.ts';
import { kioskCountsByDevice } from './kiosk-count-repository.ts';
import { type DeskRef, reachableKioskDesk } from './kiosk-pairing-service.ts';

// A desk's paired tablets as its managers see them (on the desk page and
// through the API), revoking one, and the tablet's pause after thanks.
// Missing and out of scope are the same 'not_found'; every change is audited.

export const IDLE_SECONDS_MIN = 3;
export const IDLE_SECONDS_MAX = 120;
export const IDLE_TEXT = `Thời gian chờ cần là số giây nguyên từ ${IDLE_SECONDS_MIN} đến ${IDLE_SECONDS_MAX}.`;

type Refusal = { status: 'not_found' } | { status: 'forbidden' };

export async function listKioskDevices(
  db: Db,
  actor: Actor,
  ref: DeskRef,
): Promise<Refusal | { status: 'ok'; devices: DeviceListing[] }> {
  if (!can(actor, 'manage')) return { status: 'forbidden' };
  const desk = await reachableKioskDesk(db, actor, ref);
  return desk ? { status: 'ok', devices: await listDeskDevices(db, desk.id) } : { status: 'not_found' };
}

/**
 * Revokes a tablet: from its next request on it is refused (`kiosk.revoked`)
 * and stores nothing more. Revoking a revoked tablet again changes nothing.
 * With `deskId` (the desk page's form), the device must be that desk's.
 */
export async function revokeKioskDevice(
  db: Db,
  actor: Actor,
  deviceId: number,
  deskId?: number,
  now = new Date(),
): Promise<Refusal | { status: 'ok'; device: DeviceListing }> {
  if (!can(actor, 'manage')) return { status: 'forbidden' };
  const device = await findDevice(db, deviceId);
  const desk = device && (await reachableKioskDesk(db, actor, { id: device.deskId }));
  if (!device || !desk || (deskId !== undefined && device.deskId !== deskId)) return { status: 'not_found' };
  const by = { userId: actor.userId, keyId: actor.keyId };
  const revoked = await db.transaction().execute(async (trx) => {
    if (!(await revokeDevice(trx, device.id, by, now))) return false;
    await recordAudit(trx, {
      actorUserId: actor.userId,
      actorKeyId: actor.keyId,
      unitId: desk.unitId,
      action: 'kiosk.revoke',
      detail: { deskId: desk.id, desk: desk.code, deviceId: device.id, via: actor.keyId ? 'api' : 'staff' },
    });
    return true;
  });
  return { status: 'ok', device: revoked ? { ...device, revokedAt: now } : device };
}

export type IdleChange = Refusal | { status: 'ok' } | { status: 'invalid'; errors: Record<string, string> };

export async function setKioskIdleSeconds(db: Db, actor: Actor, deskId: number, seconds: number): Promise<IdleChange> {
  if (!can(actor, 'manage')) return { status: 'forbidden' };
  const desk = await reachableKioskDesk(db, actor, { id: deskId });
  if (!desk) return { status: 'not_found' };
  if (!Number.isInteger(seconds) || seconds < IDLE_SECONDS_MIN || seconds > IDLE_SECONDS_MAX) {
    return { status: 'invalid', errors: { seconds: IDLE_TEXT } };
  }
  if (seconds === desk.idleSeconds) return { status: 'ok' };
  await db.transaction().execute(async (trx) => {
    await setDeskIdleSeconds(trx, desk.id, seconds);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: desk.unitId,
      action: 'desk.update',
      detail: { deskId: desk.id, code: desk.code, change: 'kioskIdleSeconds', from: desk.idleSeconds, to: seconds },
    });
  });
  return { status: 'ok' };
}

/** One tablet as the desk page lists it. */
export interface DeviceRow {
  id: number;
  pairedAt: string;
  lastSeenAt: string;
  queued: number;
  revoked: boolean;
  revokedAt: string;
  /** Responses counted from this tablet in the last RECENT_DAYS days (flagged ones left out). */
  recent: number;
}

/** The window of the per-tablet count on the desk page. */
export const RECENT_DAYS = 30;

export interface KioskSection {
  devices: DeviceRow[];
  idleSeconds: number;
  idleMin: number;
  idleMax: number;
}

/** The desk page's "Máy tính bảng tại quầy": for managers who reach the desk, else nothing. */
export async function loadKioskSection(db: Db, actor: Actor, deskId: number): Promise<KioskSection | undefined> {
  if (!can(actor, 'manage')) return undefined;
  const desk = await reachableKioskDesk(db, actor, { id: deskId });
  if (!desk) return undefined;
  const now = new Date();
  const counts = await kioskCountsByDevice(
    db,
    desk.id,
    todayIso(new Date(now.getTime() - (RECENT_DAYS - 1) * 86_400_000)),
    todayIso(now),
  );
  const recent = new Map(counts.map((c) => [c.deviceId, c.n]));
  const devices = (await listDeskDevices(db, desk.id)).map((d) => ({
    id: d.id,
    pairedAt: formatDateTimeVi(d.pairedAt),
    lastSeenAt: d.lastSeenAt ? formatDateTimeVi(d.lastSeenAt) : 'Chưa liên lạc',
    queued: d.queued,
    revoked: d.revokedAt !== null,
    revokedAt: d.revokedAt ? formatDateTimeVi(d.revokedAt) : '',
    recent: recent.get(d.id) ?? 0,
  }));
  return { devices, idleSeconds: desk.idleSeconds, idleMin: IDLE_SECONDS_MIN, idleMax: IDLE_SECONDS_MAX };
}
