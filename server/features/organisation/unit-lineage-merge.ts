import { isoDateToVi } from '../../../analysis/local-time.ts';
import { METRIC_NAMES } from '../targets/target-rules.ts';
import {
  accountsSection,
  type Base,
  deskHome,
  type Finder,
  kindFits,
  type LAccount,
  type LineageState,
  type PlanResult,
  successorDesk,
  under,
} from './unit-lineage-plan.ts';
import type { LineageRequest, LUnit, MergeDetail } from './unit-lineage-types.ts';

// A, B → C: A and B become C's children, retired; their desks move to C's
// centre (or are retired, their posters leading to a desk of C's).

export function planMerge(
  state: LineageState,
  req: Extract<LineageRequest, { kind: 'merge' }>,
  errors: Record<string, string>,
  find: Finder,
  unitName: (id: number) => string,
  on: string,
  base: Base,
): PlanResult {
  const into = find('into', req.into);
  const codes = [...new Set(req.from)];
  if (!codes.length) errors.from = 'Vui lòng chọn ít nhất một đơn vị được hợp nhất.';
  const froms = codes.map((c) => find('from', c)).filter((u): u is LUnit => Boolean(u));
  if (into) {
    if (froms.some((f) => f.id === into.id)) errors.from = 'Đơn vị nhận không thể đồng thời là đơn vị được hợp nhất.';
    else if (froms.some((f) => under(into, f))) errors.into = 'Đơn vị nhận không thể trực thuộc đơn vị được hợp nhất.';
    // A merged unit sits under its successor, often of the same kind (commune into commune).
    else if (froms.some((f) => f.kind !== into.kind && !kindFits(into.kind, f.kind))) {
      errors.into = 'Loại đơn vị được hợp nhất không thể trực thuộc đơn vị nhận.';
    }
  }
  if (froms.some((a) => froms.some((b) => a !== b && under(a, b)))) {
    errors.from = 'Các đơn vị được hợp nhất không được trực thuộc nhau.';
  }
  const home = into && (req.deskTo ? find('deskTo', req.deskTo) : deskHome(state, into));
  if (into && home && !under(home, into))
    errors.deskTo = `Quầy chỉ có thể chuyển về “${into.name}” hoặc đơn vị trực thuộc.`;
  if (!into || !home || Object.keys(errors).length) return { ok: false, errors };

  const inFrom = (unitId: number) => froms.find((f) => state.units.some((u) => u.id === unitId && under(u, f)));
  const subtree = state.units.filter((u) => froms.some((f) => under(u, f)));
  const desks = state.desks.filter((d) => d.active && inFrom(d.unitId));
  const retireCodes = new Set(req.retireDesks ?? []);
  const unknown = [...retireCodes].filter((c) => !desks.some((d) => d.code === c));
  if (unknown.length)
    return { ok: false, errors: { retireDesks: `Quầy không thuộc các đơn vị được hợp nhất: ${unknown.join(', ')}.` } };
  const deskItems: string[] = [];
  const plan: Base = { ...base };
  for (const d of desks) {
    if (retireCodes.has(d.code)) {
      const next = successorDesk(state, home, d);
      if (!next)
        return {
          ok: false,
          errors: { retireDesks: `“${home.name}” chưa có quầy đang hoạt động để thay quầy ${d.code}.` },
        };
      plan.deskRetirements.push({ deskId: d.id, replacedBy: next.id });
      deskItems.push(
        `Quầy ${d.code} (${d.name}) ngừng hoạt động; áp phích cũ dẫn tới quầy ${next.code} (${next.name}).`,
      );
    } else {
      plan.deskMoves.push({ deskId: d.id, toUnitId: home.id });
      deskItems.push(
        `Quầy ${d.code} (${d.name}) chuyển từ “${unitName(d.unitId)}” về “${home.name}”, giữ nguyên mã; áp phích cũ vẫn dùng được.`,
      );
    }
  }
  const targets = state.targets.filter((t) => inFrom(t.unitId) && t.validTo >= req.on);
  const targetItems = targets.map((t) => {
    const what = `Chỉ tiêu của “${t.unitName}” theo ${t.sourcePlan} (${METRIC_NAMES[t.metric]}${t.serviceAreaName ? `, ${t.serviceAreaName}` : ''}, ${Math.round(t.threshold * 1000) / 10}%, ${isoDateToVi(t.validFrom)}–${isoDateToVi(t.validTo)})`;
    return req.carryTargets
      ? `${what}: sao chép cho “${into.name}”, hiệu lực từ ${on}.`
      : `${what}: giữ nguyên (không sao chép).`;
  });
  if (req.carryTargets) {
    plan.targetCopies = targets.map((t) => ({
      unitId: into.id,
      serviceAreaCode: t.serviceAreaCode,
      metric: t.metric,
      factorKey: t.factorKey,
      comparison: t.comparison,
      threshold: t.threshold,
      validFrom: t.validFrom > req.on ? t.validFrom : req.on,
      validTo: t.validTo,
      sourcePlan: t.sourcePlan,
      sourceClause: t.sourceClause,
    }));
  }
  const users = state.users.filter((a) => inFrom(a.unitId));
  const keys = state.keys.filter((a) => inFrom(a.unitId));
  const accountHome = (a: LAccount) => (froms.some((f) => f.id === a.unitId) ? into.id : home.id);
  if (req.moveAccounts) {
    plan.userMoves = users.map((a) => ({ id: a.id, toUnitId: accountHome(a) }));
    plan.keyMoves = keys.map((a) => ({ id: a.id, toUnitId: accountHome(a) }));
  }
  plan.parentChanges = froms.filter((f) => f.parentId !== into.id).map((f) => ({ unitId: f.id, toParentId: into.id }));
  plan.retire = subtree.filter((u) => u.active).map((u) => u.id);
  plan.lineage = froms.map((f) => ({ predecessorId: f.id, successorId: into.id }));
  const detail: MergeDetail = {
    kind: 'merge',
    into: { id: into.id, name: into.name },
    from: froms.map((f) => ({ id: f.id, code: f.code, name: f.name, parentId: f.parentId })),
    retired: plan.retire,
    desks: desks.map((d) => ({
      id: d.id,
      code: d.code,
      fromUnitId: d.unitId,
      toUnitId: plan.deskMoves.find((m) => m.deskId === d.id)?.toUnitId ?? null,
    })),
    users: plan.userMoves.map((m) => ({ id: m.id, fromUnitId: users.find((u) => u.id === m.id)!.unitId })),
    keys: plan.keyMoves.map((m) => ({ id: m.id, fromUnitId: keys.find((u) => u.id === m.id)!.unitId })),
  };
  return {
    ok: true,
    plan: {
      ...plan,
      touched: [into.id, ...froms.map((f) => f.id)],
      detail,
      sections: [
        {
          title: 'Đơn vị',
          items: [
            ...froms.map(
              (f) =>
                `“${f.name}” hợp nhất vào “${into.name}” từ ngày ${on}: trở thành đơn vị trực thuộc, ngừng hoạt động; số liệu trước đây vẫn giữ và được tính trong báo cáo của “${into.name}”.`,
            ),
            `${plan.retire.length} đơn vị ngừng hoạt động (kể cả các đơn vị trực thuộc).`,
            ...(subtree.some((u) => u.active && u.kind !== 'centre' && !froms.includes(u))
              ? [
                  'Lưu ý: các đơn vị trực thuộc đang hoạt động cũng ngừng hoạt động. Khi hợp nhất tỉnh, hãy chuyển các xã sang tỉnh mới trước (Chuyển đơn vị), rồi mới hợp nhất.',
                ]
              : []),
          ],
        },
        { title: 'Quầy', items: deskItems.length ? deskItems : ['Không có quầy đang hoạt động.'] },
        { title: 'Chỉ tiêu', items: targetItems.length ? targetItems : ['Không có chỉ tiêu còn hiệu lực.'] },
        accountsSection(
          users,
          keys,
          unitName,
          req.moveAccounts ? `chuyển về “${into.name}” hoặc “${home.name}”` : 'giữ đơn vị cũ (đã ngừng hoạt động)',
        ),
      ],
    },
  };
}
