import type { Db } from '../../platform/db/connect.ts';
import type { DemoVolumeRow } from './demo-volumes.ts';

// The demo's dossier volumes, a centre's months in one insert: the demo is
// seeded into an empty database, so there is nothing to replace or audit.

/** Inserts a unit's rows; returns how many. */
export async function insertDemoVolumes(db: Db, unitId: number, rows: readonly DemoVolumeRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  await db
    .insertInto('dossier_volume')
    .values(
      rows.map((r) => ({
        unit_id: unitId,
        service_area_code: r.serviceArea,
        month: `${r.month}-01`,
        received_online: r.receivedOnline,
        received_direct: r.receivedDirect,
        carried_over: r.carriedOver,
        resolved_early: r.resolvedEarly,
        resolved_on_time: r.resolvedOnTime,
        resolved_late: r.resolvedLate,
        pending_on_time: r.pendingOnTime,
        pending_overdue: r.pendingOverdue,
        dissatisfied_or_complained: r.dissatisfiedOrComplained,
        complaints: r.complaints,
        complaints_on_time: r.complaintsOnTime,
      })),
    )
    .execute();
  return rows.length;
}
