import { isoDateToVi } from '../../../analysis/local-time.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  CONTINUOUS_LABEL,
  estimateTexts,
  ROUND_REPORT_TITLE,
  roundFigures,
  WHY_DIFFERENT,
} from '../rounds/round-report-service.ts';
import { listRoundsInSubtree } from '../rounds/round-repository.ts';

// The dashboard's two kinds of figures (issue 16): its main figures are the
// continuous stream (QR, counter tablet, link), which people choose to send;
// the survey rounds of the unit's subtree whose fieldwork overlaps the
// period are listed apart with their own estimate, weighted by dossiers.
// Round responses never reach the aggregate tables the main figures use.

export interface DashboardRound {
  id: number;
  code: string;
  unitName: string;
  fieldwork: string;
  /** The round page, for those who may open it; null for the others. */
  href: string;
  rate: string | null;
  interval: string | null;
  weightsName: string;
  responses: string;
  planned: string;
  responseRate: string;
}

export interface DashboardRounds {
  title: string;
  continuousLabel: string;
  whyDifferent: string;
  rounds: DashboardRound[];
}

/** Rounds of the unit's subtree whose fieldwork (yyyy-mm-dd, inclusive) overlaps from..to. */
export async function dashboardRounds(
  db: Db,
  s: { unit: { path: string }; from: string; to: string },
): Promise<DashboardRounds> {
  const inPeriod = (await listRoundsInSubtree(db, s.unit.path)).filter(
    (r) => r.fieldworkFrom <= s.to && r.fieldworkTo >= s.from,
  );
  const rounds = await Promise.all(
    inPeriod.map(async (r) => {
      const { estimate } = await roundFigures(db, r);
      const t = estimateTexts(estimate);
      return {
        id: r.id,
        code: r.code,
        unitName: r.unitName,
        fieldwork: `${isoDateToVi(r.fieldworkFrom)} – ${isoDateToVi(r.fieldworkTo)}`,
        href: `/staff/rounds/${r.id}`,
        rate: t.stratified?.rate ?? null,
        interval: t.stratified?.interval ?? null,
        weightsName: estimate.weights === 'volumes' ? 'số hồ sơ đã giải quyết' : 'chỉ tiêu số phiếu',
        responses: t.responses,
        planned: t.planned,
        responseRate: t.responseRate,
      };
    }),
  );
  return { title: ROUND_REPORT_TITLE, continuousLabel: CONTINUOUS_LABEL, whyDifferent: WHY_DIFFERENT, rounds };
}
