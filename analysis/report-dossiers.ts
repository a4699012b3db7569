import {
  addVolumes,
  type DossierFigures,
  dossierFigures,
  type MonthVolumes,
  periodVolumes,
  type Volumes,
  type WeightedRate,
  weightedRate,
  wholeMonths,
} from './dossiers.ts';

// The dossier volumes of a report, from the monthly rows of every unit and
// service area under its scope (methodology §6). Pure: the report service
// reads the rows and hands them here.

/** One stored row: a unit, a service area and a month. */
export interface UnitAreaMonth extends MonthVolumes {
  /** Materialised path of the unit that holds the row. */
  unitPath: string;
  serviceArea: string;
}

/** The period's volumes of one unit and service area. */
export interface GroupVolumes {
  unitPath: string;
  serviceArea: string;
  volumes: Volumes;
}

export type DossierNote = 'partial_month' | 'no_volumes';

export interface ReportVolumes {
  /** Empty when there is nothing to show; then `note` says why. */
  groups: GroupVolumes[];
  /** 'YYYY-MM' months of the period that have rows. */
  months: string[];
  note: DossierNote | null;
}

/**
 * The months `from`..`to` ('yyyy-mm-dd') the rows must be read for, or null
 * when the period cuts a month: volumes are monthly, and half a month's
 * dossiers cannot be told from the whole month's.
 */
export const reportMonths = wholeMonths;

/**
 * Each unit × area over the period first (periodVolumes: flows add up,
 * carried over from the first month, pending from the last), and only then
 * added across units and areas: adding the months of a whole scope at once
 * would still be right for flows, but one unit's pending dossiers must come
 * from its own last month, not from whichever unit reported last.
 */
export function groupVolumes(rows: readonly UnitAreaMonth[], months: readonly string[] | null): ReportVolumes {
  if (months === null) return { groups: [], months: [], note: 'partial_month' };
  const byGroup = new Map<string, UnitAreaMonth[]>();
  for (const r of rows) {
    const key = `${r.unitPath}\u0000${r.serviceArea}`;
    const list = byGroup.get(key);
    if (list) list.push(r);
    else byGroup.set(key, [r]);
  }
  const groups = [...byGroup.values()].map((list) => ({
    unitPath: list[0]!.unitPath,
    serviceArea: list[0]!.serviceArea,
    volumes: periodVolumes(list)!,
  }));
  const present = [...new Set(rows.map((r) => r.month))].sort();
  return { groups, months: present, note: groups.length ? null : 'no_volumes' };
}

/** The volumes of the groups `pick` keeps, added up; null when it keeps none. */
export function volumesWhere(groups: readonly GroupVolumes[], pick: (g: GroupVolumes) => boolean): Volumes | null {
  return addVolumes(groups.filter(pick).map((g) => g.volumes));
}

/** The dossier figures of the groups `pick` keeps, with the survey responses counted for the same slice. */
export function dossiersWhere(
  groups: readonly GroupVolumes[],
  pick: (g: GroupVolumes) => boolean,
  responses: number,
): DossierFigures | null {
  const v = volumesWhere(groups, pick);
  return v ? dossierFigures(v, responses) : null;
}

/** A service area of the report: its survey cell and its dossiers. */
export interface AreaFigures {
  satisfied: number | null;
  n: number;
  suppressed: boolean;
  dossiers: { resolved: number } | null;
}

/**
 * The survey rate weighted by each area's resolved dossiers (weightedRate),
 * over the areas with both volumes and answers. Areas whose cell is
 * suppressed (n < 5) are left out: with the weights and the other areas'
 * rates published beside it, the weighted rate would give the withheld rate
 * away.
 */
export function areaWeightedRate(areas: readonly AreaFigures[]): WeightedRate | null {
  return weightedRate(
    areas.flatMap((a) =>
      a.dossiers && !a.suppressed && a.satisfied !== null
        ? [{ resolved: a.dossiers.resolved, satisfied: a.satisfied, n: a.n }]
        : [],
    ),
  );
}
