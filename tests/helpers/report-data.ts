import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import { insertResponsesBulk } from '../../server/features/submission/response-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import type { Channel } from '../../server/platform/db/schema.ts';
import type { Answer } from '../../surveys/answers.ts';
import { bulkRow, quickVersionId } from './aggregate-data.ts';
import { createCentre, unitCode } from './fixtures.ts';

// A commune whose figures are easy to compute by hand, for the dashboard and
// export tests (February 2026, Vietnam time):
//   Đất đai     20 responses, 18 satisfied (overall 4–5), target ≥ 50%
//   Hộ tịch     10 responses,  9 satisfied,               target ≥ 99%
//   Chứng thực   3 responses,  3 satisfied (a cell under 5: withheld), on paper
//   overall     33 responses, 30 satisfied,               target ≥ 90%
// plus one Đất đai response flagged suspect (left out), and a commune of
// another province that must see none of it.

export const COMMENT_FORMULA = '=1+1 Cán bộ "tận tình", chu đáo';
export const COMMENT_AT = '@SUM(A1:A2)';

function answers(overall: number, comment?: string): Answer[] {
  return [
    { key: 'access', kind: 'scale', value: 4 },
    { key: 'procedure', kind: 'scale', value: overall >= 4 ? 5 : 2 },
    { key: 'staff', kind: 'scale', value: 5 },
    { key: 'result', kind: 'scale', value: 4 },
    { key: 'feedback', kind: 'na' },
    { key: 'overall', kind: 'scale', value: overall },
    ...(comment ? [{ key: 'comment', kind: 'text', value: comment } as const] : []),
  ];
}

export async function seedReportData(db: Db) {
  const c = await createCentre(db, 'Xã Báo Cáo Mẫu');
  const deskId = await insertDesk(db, {
    unitId: c.centreId,
    code: `bao-cao-${c.centreId}`,
    name: 'Quầy số 1',
    serviceAreas: ['dat-dai', 'ho-tich', 'chung-thuc'],
  });
  const version = await quickVersionId(db);
  // Mid-February in Vietnam, away from any period boundary.
  const at = (day: number) => new Date(Date.UTC(2026, 1, day, 3));
  const row = (area: string, overall: number, day: number, channel: Channel = 'qr', comment?: string) =>
    bulkRow(version, at(day), { unitId: c.centreId, deskId, serviceArea: area }, answers(overall, comment), channel);
  const rows = [
    ...Array.from({ length: 18 }, (_, i) => row('dat-dai', i % 2 ? 4 : 5, 1 + (i % 20))),
    row('dat-dai', 2, 10, 'qr', COMMENT_FORMULA),
    row('dat-dai', 3, 11, 'qr', COMMENT_AT),
    ...Array.from({ length: 9 }, (_, i) => row('ho-tich', 5, 2 + i)),
    row('ho-tich', 1, 12),
    ...Array.from({ length: 3 }, (_, i) => row('chung-thuc', 5, 3 + i, 'paper')),
  ];
  const flagged = row('dat-dai', 1, 15);
  await insertResponsesBulk(db, [...rows, flagged]);
  await db
    .updateTable('response')
    .set({ suspect: true, suspect_reason: 'thử nghiệm' })
    .where('submission_id', '=', flagged.submissionId)
    .execute();
  const target = (serviceArea: string | null, threshold: string) =>
    satisfactionTarget(c.communeId, serviceArea, threshold);
  await db
    .insertInto('plan_target')
    .values([target(null, '0.9'), target('dat-dai', '0.5'), target('ho-tich', '0.99')])
    .execute();
  const other = await createCentre(db, 'Xã Khác Hẳn');
  return {
    ...c,
    deskId,
    communeCode: await unitCode(db, c.communeId),
    otherCommuneCode: await unitCode(db, other.communeId),
  };
}

/** A 2026 plan target "satisfaction rate ≥ threshold" of a unit, for one area or all (null). */
export function satisfactionTarget(unitId: number, serviceArea: string | null, threshold: string) {
  return {
    unit_id: unitId,
    service_area_code: serviceArea,
    metric: 'satisfaction_rate' as const,
    factor_key: null,
    comparison: 'gte' as const,
    threshold,
    valid_from: '2026-01-01',
    valid_to: '2026-12-31',
    source_plan: 'Kế hoạch cải cách hành chính năm 2026',
    source_clause: null,
  };
}
