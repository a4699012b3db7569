import QRCode from 'qrcode';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { newSecret, secretHash } from '../../platform/secrets.ts';
import {
  claimPairing,
  countOpenPairings,
  findKioskDeskByCode,
  findKioskDeskById,
  insertDevice,
  insertPairing,
  type KioskDesk,
  linkPairingDevice,
  lockDesk,
} from './kiosk-admin-repository.ts';
import {
  MAX_OPEN_PAIRINGS,
  newPairingCode,
  normalisePairingCode,
  PAIRING_MINUTES,
  pairingUrl,
} from './kiosk-pairing-code.ts';

// Pairing a tablet with a desk: a manager (on the desk page or with a
// manager key) asks for a short code; the tablet redeems it once, within ten
// minutes, for a long random credential. Only hashes of both are stored, and
// neither is ever audited or logged. The tablet has no account of its own:
// the audit log names the manager who issued the code.

export type DeskRef = { id: number } | { code: string };

/** The desk, if it exists and the actor reaches it; missing and out of scope look alike. */
export async function reachableKioskDesk(db: Db, actor: Actor, ref: DeskRef): Promise<KioskDesk | undefined> {
  const desk = 'id' in ref ? await findKioskDeskById(db, ref.id) : await findKioskDeskByCode(db, ref.code);
  return desk && canReach(actor, desk.unitPath) ? desk : undefined;
}

export type PairingCreation =
  | { status: 'not_found' | 'forbidden' | 'inactive' }
  | { status: 'too_many'; max: number }
  | { status: 'created'; desk: KioskDesk; code: string; expiresAt: Date; url: string; qrSvg: string };

export async function createPairing(
  db: Db,
  actor: Actor,
  ref: DeskRef,
  publicUrl: string,
  now = new Date(),
): Promise<PairingCreation> {
  if (!can(actor, 'manage')) return { status: 'forbidden' };
  const desk = await reachableKioskDesk(db, actor, ref);
  if (!desk) return { status: 'not_found' };
  if (!desk.active || !desk.unitActive) return { status: 'inactive' };
  const expiresAt = new Date(now.getTime() + PAIRING_MINUTES * 60_000);
  const made = await db.transaction().execute(async (trx) => {
    await lockDesk(trx, desk.id);
    if ((await countOpenPairings(trx, desk.id, now)) >= MAX_OPEN_PAIRINGS) return undefined;
    // An old code's hash stays in the table: on the rare draw that repeats one, draw again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newPairingCode();
      const by = { userId: actor.userId, keyId: actor.keyId };
      const id = await insertPairing(trx, { deskId: desk.id, codeHash: secretHash(code), expiresAt, by });
      if (id === undefined) continue;
      await recordAudit(trx, {
        actorUserId: actor.userId,
        actorKeyId: actor.keyId,
        unitId: desk.unitId,
        action: 'kiosk.pairing_create',
        detail: { deskId: desk.id, desk: desk.code, pairingId: id, via: actor.keyId ? 'api' : 'staff' },
      });
      return code;
    }
    throw new Error('could not draw an unused pairing code');
  });
  if (!made) return { status: 'too_many', max: MAX_OPEN_PAIRINGS };
  const url = pairingUrl(publicUrl, made);
  // Scanned from a screen a little away: level M, drawn at a size a phone shows whole.
  const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 240 });
  return { status: 'created', desk, code: made, expiresAt, url, qrSvg };
}

export type Redemption =
  | { status: 'invalid' }
  | { status: 'paired'; token: string; deviceId: number; desk: { code: string; name: string }; unit: { name: string } };

/**
 * Trades a valid code for a new device credential, in one transaction: the
 * code is used up, the device row holds the credential's hash. The caller
 * sets the cookie; the token is returned nowhere else.
 */
export async function redeemPairing(db: Db, typed: unknown, now = new Date()): Promise<Redemption> {
  const code = normalisePairingCode(typed);
  if (!code) return { status: 'invalid' };
  return db.transaction().execute(async (trx) => {
    const pairing = await claimPairing(trx, secretHash(code), now);
    const desk = pairing && (await findKioskDeskById(trx, pairing.deskId));
    if (!pairing || !desk) return { status: 'invalid' } as const;
    const token = newSecret(32);
    const deviceId = await insertDevice(trx, { deskId: desk.id, tokenHash: secretHash(token), by: pairing.by });
    await linkPairingDevice(trx, pairing.id, deviceId);
    await recordAudit(trx, {
      actorUserId: pairing.by.userId,
      actorKeyId: pairing.by.keyId,
      unitId: desk.unitId,
      action: 'kiosk.pair',
      detail: { deskId: desk.id, desk: desk.code, deviceId, pairingId: pairing.id },
    });
    return {
      status: 'paired',
      token,
      deviceId,
      desk: { code: desk.code, name: desk.name },
      unit: { name: desk.unitName },
    } as const;
  });
}
