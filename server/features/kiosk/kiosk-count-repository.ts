import { sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';

// Responses by counter tablet, for the report's kiosk table and the desk
// page. The aggregates have no device, so these count response rows, but
// only from the tablets' side: each paired tablet's responses are read
// through response_desk_time_idx (its desk, the period), never a scan of a
// subtree's responses. Same rules as every report figure: local days
// (Asia/Ho_Chi_Minh) inclusive, flagged responses left out.

const TZ = 'Asia/Ho_Chi_Minh';
const dayStart = (day: string) => sql<Date>`(${day}::date)::timestamp at time zone ${sql.lit(TZ)}`;
const dayEnd = (day: string) => sql<Date>`(${day}::date + 1)::timestamp at time zone ${sql.lit(TZ)}`;

export interface KioskDeviceCount {
  deskId: number;
  deskCode: string;
  deskName: string;
  /** The desk's unit. */
  unitName: string;
  deviceId: number;
  pairedAt: Date;
  revokedAt: Date | null;
  n: number;
}

/**
 * Kiosk responses of a subtree (by the response's unit, as the channel
 * counts are) and period, per desk and tablet; tablets without a response
 * in the period are left out.
 */
export async function kioskCountsInScope(
  db: Db,
  q: { scopePath: string; from: string; to: string; serviceArea?: string | null },
): Promise<KioskDeviceCount[]> {
  let query = db
    .selectFrom('kiosk_device as k')
    .innerJoin('desk as d', 'd.id', 'k.desk_id')
    .innerJoin('unit as du', 'du.id', 'd.unit_id')
    .innerJoin('response as r', (j) => j.onRef('r.desk_id', '=', 'k.desk_id').onRef('r.kiosk_device_id', '=', 'k.id'))
    .innerJoin('unit as u', 'u.id', 'r.unit_id')
    .where('u.path', 'like', `${q.scopePath}%`)
    .where('r.submitted_at', '>=', dayStart(q.from))
    .where('r.submitted_at', '<', dayEnd(q.to))
    .where('r.channel', '=', 'kiosk')
    .where('r.suspect', '=', false);
  if (q.serviceArea) query = query.where('r.service_area_code', '=', q.serviceArea);
  return query
    .select([
      'd.id as deskId',
      'd.code as deskCode',
      'd.name as deskName',
      'du.name as unitName',
      'k.id as deviceId',
      'k.paired_at as pairedAt',
      'k.revoked_at as revokedAt',
      sql<number>`count(*)::int`.as('n'),
    ])
    .groupBy(['d.id', 'd.code', 'd.name', 'du.name', 'k.id', 'k.paired_at', 'k.revoked_at'])
    .orderBy('du.name')
    .orderBy('d.name')
    .orderBy('k.id')
    .execute();
}

/**
 * Every tablet ever paired to the desk, revoked ones too, with its kiosk
 * responses between two local days (inclusive; 0 when none): for the
 * desk page's list of tablets.
 */
export async function kioskCountsByDevice(
  db: Db,
  deskId: number,
  from: string,
  to: string,
): Promise<{ deviceId: number; pairedAt: Date; revokedAt: Date | null; n: number }[]> {
  return db
    .selectFrom('kiosk_device as k')
    .leftJoin('response as r', (j) =>
      j
        .onRef('r.desk_id', '=', 'k.desk_id')
        .onRef('r.kiosk_device_id', '=', 'k.id')
        .on('r.submitted_at', '>=', dayStart(from))
        .on('r.submitted_at', '<', dayEnd(to))
        .on('r.channel', '=', 'kiosk')
        .on('r.suspect', '=', false),
    )
    .select([
      'k.id as deviceId',
      'k.paired_at as pairedAt',
      'k.revoked_at as revokedAt',
      sql<number>`count(r.id)::int`.as('n'),
    ])
    .where('k.desk_id', '=', deskId)
    .groupBy(['k.id', 'k.paired_at', 'k.revoked_at'])
    .orderBy('k.id')
    .execute();
}
