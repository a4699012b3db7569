import { addVolumes, dossierFigures, periodVolumes } from '../../../analysis/dossiers.ts';
import { formatDateTimeVi, isoDateToVi } from '../../../analysis/local-time.ts';
import { samplePlan } from '../../../analysis/sample-plan.ts';
import { formatCountVi, formatPercentVi } from '../../../analysis/vi-number.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { findUnit } from '../organisation/unit-repository.ts';
import { listSurveys } from '../surveys/survey-admin-service.ts';
import { latestVersion } from '../surveys/survey-version-repository.ts';
import { listUnitOptions } from '../targets/target-repository.ts';
import { volumesInSubtree } from '../volumes/volume-repository.ts';
import {
  findRound,
  insertRound,
  listRoundsAround,
  type RoundRecord,
  replaceQuotas,
  roundCodeTaken,
  roundProgress,
  roundQuotas,
  servedAreasInSubtree,
} from './round-repository.ts';
import type { RoundFormErrors, RoundInput } from './round-rules.ts';

// Survey rounds (issue 16): officials and admins plan them ('oversee');
// every account of the round's subtree opens them, clerks included (they
// print and enter its forms); each change is one transaction with its audit
// entry.

export function canEditRounds(actor: Pick<Actor, 'role'>): boolean {
  return can(actor, 'oversee');
}

/** A round by id, in scope or not: the caller checks canReach(actor, round.unitPath). */
export async function loadRound(db: Db, id: number): Promise<RoundRecord | undefined> {
  return findRound(db, id);
}

export interface RoundRow extends RoundRecord {
  /** In the actor's subtree: its page opens; a round above only takes the actor's forms. */
  open: boolean;
  fieldworkText: string;
  n: number;
  responses: number;
}

export async function roundsFor(db: Db, actor: Actor): Promise<RoundRow[]> {
  const rounds = await listRoundsAround(db, actor.unitPath);
  return Promise.all(
    rounds.map(async (r) => {
      const [quotas, progress] = await Promise.all([roundQuotas(db, r.id), roundProgress(db, r.id)]);
      return {
        ...r,
        open: canReach(actor, r.unitPath),
        fieldworkText: `${isoDateToVi(r.fieldworkFrom)} – ${isoDateToVi(r.fieldworkTo)}`,
        n: quotas.reduce((s, q) => s + q.quota, 0),
        responses: [...progress.values()].reduce((s, n) => s + n, 0),
      };
    }),
  );
}

/** The choices of the round form: the actor's units and the published surveys. */
export async function roundFormOptions(db: Db, actor: Actor) {
  const [units, surveys] = await Promise.all([listUnitOptions(db, actor.unitPath), listSurveys(db)]);
  const top = units.length ? Math.min(...units.map((u) => u.depth)) : 0;
  return {
    units: units.map((u) => ({ ...u, depth: u.depth - top })),
    surveys: surveys.map((s) => ({ code: s.code, title: s.title, version: s.versions[0]?.version ?? 0 })),
  };
}

/**
 * Resolved dossiers per service area of the subtree under `unitPath` over
 * whole `months` (methodology §6): each unit's months made one period, then
 * the units added up.
 */
export async function resolvedByArea(
  db: Db,
  unitPath: string,
  months: readonly string[],
): Promise<Map<string, number>> {
  const rows = await volumesInSubtree(db, { scopePath: unitPath, fromMonth: months[0]!, toMonth: months.at(-1)! });
  const byUnitArea = new Map<string, typeof rows>();
  for (const r of rows) {
    const key = `${r.serviceArea}\n${r.unitPath}`;
    byUnitArea.set(key, [...(byUnitArea.get(key) ?? []), r]);
  }
  const byArea = new Map<string, NonNullable<ReturnType<typeof periodVolumes>>[]>();
  for (const [key, list] of byUnitArea) {
    const area = key.split('\n')[0]!;
    byArea.set(area, [...(byArea.get(area) ?? []), periodVolumes(list)!]);
  }
  return new Map([...byArea].map(([area, list]) => [area, dossierFigures(addVolumes(list)!, 0).resolved]));
}

export type CreateResult = { ok: true; id: number } | { ok: false; errors: RoundFormErrors };

export async function createRound(db: Db, actor: Actor, input: RoundInput): Promise<CreateResult> {
  const errors: RoundFormErrors = {};
  const unit = await findUnit(db, input.unitId);
  if (!unit?.active || !canReach(actor, unit.path)) {
    return { ok: false, errors: { unitId: 'Vui lòng chọn một đơn vị thuộc phạm vi của Ông/Bà.' } };
  }
  const version = await latestVersion(db, input.surveyCode);
  if (!version) errors.survey = 'Vui lòng chọn phiếu khảo sát trong danh sách.';
  if (await roundCodeTaken(db, unit.id, input.code)) errors.code = 'Đơn vị đã có một đợt khảo sát với mã này.';

  const resolved = input.reference ? await resolvedByArea(db, unit.path, input.reference.months) : new Map();
  const totalResolved = [...resolved.values()].reduce((s, n) => s + n, 0);
  if (input.populationSource === 'volumes' && totalResolved === 0) {
    errors.populationSource =
      'Chưa có số liệu hồ sơ đã giải quyết của đơn vị trong kỳ tham chiếu: vui lòng nhập số liệu hồ sơ, chọn kỳ khác hoặc tự nhập N.';
  }
  if (Object.keys(errors).length) return { ok: false, errors };

  const active = await listServiceAreas(db, { activeOnly: true });
  const wanted = new Set([...(await servedAreasInSubtree(db, unit.path)), ...resolved.keys()]);
  // Areas in the catalogue's order; with no desk and no volumes, every active area.
  const areas = active.filter((a) => wanted.size === 0 || wanted.has(a.code));
  const population = input.populationSource === 'volumes' ? totalResolved : input.population!;
  const plan = samplePlan({
    population,
    margin: input.margin,
    allocation: input.allocation,
    areas: areas.map((a) => ({ code: a.code, resolved: resolved.get(a.code) ?? 0 })),
  });
  const id = await db.transaction().execute(async (trx) => {
    const id = await insertRound(
      trx,
      {
        unitId: unit.id,
        code: input.code,
        surveyVersionId: version!.id,
        fieldworkFrom: input.fieldworkFrom,
        fieldworkTo: input.fieldworkTo,
        referenceFrom: input.reference?.from ?? null,
        referenceTo: input.reference?.to ?? null,
        population,
        populationSource: input.populationSource,
        margin: input.margin,
        allocation: input.allocation,
        quotas: plan.quotas,
      },
      actor.userId,
    );
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: unit.id,
      action: 'round.create',
      detail: {
        roundId: id,
        code: input.code,
        survey: input.surveyCode,
        surveyVersion: version!.version,
        population,
        populationSource: input.populationSource,
        margin: input.margin,
        n: plan.n,
        quotas: plan.quotas,
      },
    });
    return id;
  });
  return { ok: true, id };
}

export interface QuotaRow {
  code: string;
  name: string;
  quota: number;
  responses: number;
  /** responses / quota, null without a quota. */
  share: number | null;
  shareText: string;
  /** Width of the bar, 0–100. */
  bar: number;
  inPlan: boolean;
}

/** The round's design and its progress against each quota. */
export async function roundDesign(db: Db, r: RoundRecord) {
  const [quotas, progress, areas] = await Promise.all([
    roundQuotas(db, r.id),
    roundProgress(db, r.id),
    listServiceAreas(db),
  ]);
  const byCode = new Map(quotas.map((q) => [q.code, q.quota]));
  const rows: QuotaRow[] = areas
    .filter((a) => byCode.has(a.code) || progress.has(a.code) || a.active)
    .map((a) => {
      const quota = byCode.get(a.code) ?? 0;
      const responses = progress.get(a.code) ?? 0;
      const share = quota > 0 ? responses / quota : null;
      return {
        code: a.code,
        name: a.nameVi,
        quota,
        responses,
        share,
        shareText: formatPercentVi(share),
        bar: share === null ? 0 : Math.min(100, Math.round(share * 100)),
        inPlan: byCode.has(a.code),
      };
    });
  const n = quotas.reduce((s, q) => s + q.quota, 0);
  const responses = [...progress.values()].reduce((s, x) => s + x, 0);
  return {
    rows,
    n,
    nText: formatCountVi(n),
    populationText: formatCountVi(r.population),
    marginText: formatPercentVi(r.margin),
    responses,
    share: formatPercentVi(n > 0 ? responses / n : null),
    fieldworkText: `${isoDateToVi(r.fieldworkFrom)} – ${isoDateToVi(r.fieldworkTo)}`,
    referenceText: r.referenceFrom ? `${isoDateToVi(r.referenceFrom)} – ${isoDateToVi(r.referenceTo!)}` : null,
    createdText: formatDateTimeVi(r.createdAt),
  };
}

/** Replaces the quotas; areas left at 0 that were not in the plan stay out of it. */
export async function changeQuotas(
  db: Db,
  actor: Actor,
  r: RoundRecord,
  typed: readonly { code: string; quota: number }[],
): Promise<void> {
  const before = await roundQuotas(db, r.id);
  const had = new Set(before.map((q) => q.code));
  const quotas = typed.filter((q) => q.quota > 0 || had.has(q.code));
  await db.transaction().execute(async (trx) => {
    await replaceQuotas(trx, r.id, quotas);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: r.unitId,
      action: 'round.quotas',
      detail: { roundId: r.id, code: r.code, before, after: quotas },
    });
  });
}

/** The area codes the quota form has a row for (those the page shows). */
export async function quotaAreaCodes(db: Db, r: RoundRecord): Promise<string[]> {
  return (await roundDesign(db, r)).rows.map((row) => row.code);
}
