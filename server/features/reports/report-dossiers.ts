import { qd766 } from '../../../analysis/dossiers.ts';
import {
  type AreaFigures,
  areaWeightedRate,
  dossiersWhere,
  groupVolumes,
  type ReportVolumes,
  reportMonths,
  volumesWhere,
} from '../../../analysis/report-dossiers.ts';
import type { SatisfactionReport } from '../../../analysis/report-types.ts';
import type { Db } from '../../platform/db/connect.ts';
import { volumesInSubtree } from '../volumes/volume-repository.ts';

// The dossier part of the satisfaction report (methodology §6): the volumes
// of the scope's subtree for the period's whole months, and the figures the
// report shows from them beside the survey's, never mixed with it.

/** The period's volumes under `scopePath`, or why there are none ('partial_month', 'no_volumes'). */
export async function reportVolumes(
  db: Db,
  q: { scopePath: string; from: string; to: string; serviceArea?: string | null },
): Promise<ReportVolumes> {
  const months = reportMonths(q.from, q.to);
  if (!months?.length) return groupVolumes([], months);
  const rows = await volumesInSubtree(db, {
    scopePath: q.scopePath,
    fromMonth: months[0]!,
    toMonth: months.at(-1)!,
    serviceArea: q.serviceArea,
  });
  return groupVolumes(rows, months);
}

/** Service area codes with volumes in the period, for areas that had no answer to show. */
export function volumeAreas(volumes: ReportVolumes): string[] {
  return [...new Set(volumes.groups.map((g) => g.serviceArea))];
}

type DossierFields = Pick<
  SatisfactionReport,
  'responseRate' | 'dossiers' | 'dossierMonths' | 'dossierNote' | 'weightedRate' | 'qd766'
>;

/**
 * The report's top-level dossier fields. `responses` is the n of the
 * headline cell: the respondents counted in the index the response rate is
 * read beside. The weighted rate and QĐ 766 come only with volumes.
 */
export function dossierFields(volumes: ReportVolumes, responses: number, areas: readonly AreaFigures[]): DossierFields {
  const dossiers = dossiersWhere(volumes.groups, () => true, responses);
  const all = volumesWhere(volumes.groups, () => true);
  return {
    // Kept beside dossiers.responseRate for the clients of the first version of the API.
    responseRate: dossiers?.responseRate ?? null,
    dossiers,
    dossierMonths: volumes.months,
    dossierNote: volumes.note,
    weightedRate: dossiers ? areaWeightedRate(areas) : null,
    qd766: all ? qd766(all) : null,
  };
}
