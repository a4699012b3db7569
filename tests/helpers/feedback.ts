import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { insertResponsesBulk } from '../../server/features/submission/response-repository.ts';
import { latestVersion } from '../../server/features/surveys/survey-version-repository.ts';
import type { Answer } from '../../surveys/answers.ts';
import { createCentre, unitCode } from './fixtures.ts';
import { testApp } from './harness.ts';
import { staffClient } from './staff.ts';

// What the feedback follow-up tests share: answers that do or do not open an
// item, and a commune with a desk, a neighbour commune with one, and a
// manager of the first.

export const scale = (key: string, value: number): Answer => ({ key, kind: 'scale', value });
export const HAPPY: Answer[] = ['access', 'procedure', 'staff', 'result', 'feedback', 'overall'].map((k) =>
  scale(k, 4),
);
export const comment = (value: string): Answer => ({ key: 'comment', kind: 'text', value });
export const withOverall = (n: number) => HAPPY.map((a) => (a.key === 'overall' ? scale('overall', n) : a));

/** Where a response was given: a desk of a unit, in a service area. */
export interface Where {
  unitId: number;
  deskId: number;
  serviceArea: string;
}

/** 2026-11-20 is a Friday; hours are Vietnam time (UTC+7). */
export const ict = (iso: string) => new Date(`${iso}+07:00`);

export async function setup(t: Test, overrides: Parameters<typeof testApp>[1] = {}) {
  const { app, db } = await testApp(t, overrides);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const deskId = await insertDesk(db, {
    unitId: mine.centreId,
    code: `q-${mine.centreId}`,
    name: 'Quầy 1 – Đất đai',
    serviceAreas: ['dat-dai', 'ho-tich'],
  });
  const otherDeskId = await insertDesk(db, {
    unitId: other.centreId,
    code: `q-${other.centreId}`,
    name: 'Quầy 1',
    serviceAreas: ['ho-tich'],
  });
  const version = (await latestVersion(db, 'sipas-quick'))!;
  /** Stores responses the way the demo seed and imports do (one bulk insert). */
  const respond = async (answers: Answer[][], opts: { at?: Date; desk?: 'mine' | 'other' | Where } = {}) => {
    const where: Where =
      typeof opts.desk === 'object'
        ? opts.desk
        : opts.desk === 'other'
          ? { unitId: other.centreId, deskId: otherDeskId, serviceArea: 'ho-tich' }
          : { unitId: mine.centreId, deskId, serviceArea: 'dat-dai' };
    const rows = answers.map((a) => ({
      submissionId: randomUUID(),
      payloadHash: 'x',
      surveyVersionId: version.id,
      ...where,
      channel: 'qr' as const,
      locale: 'vi' as const,
      answers: a,
      submittedAt: opts.at ?? new Date(),
    }));
    await insertResponsesBulk(db, rows);
  };
  const items = () => db.selectFrom('feedback_item').selectAll().orderBy('id').execute();
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  return { app, db, mine, other, deskId, respond, items, manager };
}
