import type { Test } from 'tap';
import { importVolumes } from '../../server/features/volumes/volume-service.ts';
import type { Actor } from '../../server/platform/auth/scope.ts';
import { createCentre, unitCode } from './fixtures.ts';
import { testApp } from './harness.ts';
import { staffClient } from './staff.ts';

// The commune the survey-round tests plan their rounds in: resolved dossiers
// per area of January and February 2026 at its centre, an official of it,
// and a second commune whose officials must see none of it.

export const ADMIN: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'test' };

/** Resolved dossiers per area and month at the centre: 600, 300 and 100 over January and February 2026. */
export const RESOLVED: Record<string, [number, number]> = {
  'dat-dai': [300, 300],
  'ho-tich': [150, 150],
  'y-te': [50, 50],
};

export async function roundCommune(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const centre = await unitCode(db, mine.centreId);
  const imported = await importVolumes(
    db,
    ADMIN,
    ['2026-01', '2026-02'].map((month, i) => ({
      unit: centre,
      month,
      ref: '',
      rows: Object.entries(RESOLVED).map(([serviceArea, n]) => ({
        ref: '',
        row: {
          serviceArea,
          receivedOnline: n[i]!,
          receivedDirect: 0,
          carriedOver: 0,
          resolvedEarly: 0,
          resolvedOnTime: n[i]!,
          resolvedLate: 0,
          pendingOnTime: 0,
          pendingOverdue: 0,
          dissatisfiedOrComplained: null,
          complaints: null,
          complaintsOnTime: null,
        },
      })),
    })),
    { source: 'api', now: new Date(Date.UTC(2026, 5, 1)) },
  );
  t.equal(imported.status, 'ok', 'volumes imported');
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  return { app, db, mine, other, official };
}
