import { isoDateToVi } from '../../../analysis/local-time.ts';
import { METRIC_NAMES } from '../targets/target-rules.ts';
import {
  accountsSection,
  type Base,
  deskHome,
  type Finder,
  type LineageState,
  type PlanResult,
  under,
} from './unit-lineage-plan.ts';
import type { LineageRequest, LUnit, SplitDetail } from './unit-lineage-types.ts';

// P → S1, S2: P is retired in place and keeps its past figures; each of its
// desks goes to one successor.

export function planSplit(
  state: LineageState,
  req: Extract<LineageRequest, { kind: 'split' }>,
  errors: Record<string, string>,
  find: Finder,
  unitName: (id: number) => string,
  on: string,
  base: Base,
): PlanResult {
  const from = find('from', req.from);
  const codes = [...new Set(req.into)];
  if (!codes.length) errors.into = 'Vui lòng chọn các đơn vị kế thừa.';
  const intos = codes.map((c) => find('into', c)).filter((u): u is LUnit => Boolean(u));
  if (from && intos.some((s) => under(s, from)))
    errors.into = 'Đơn vị kế thừa không thể trực thuộc đơn vị được chia tách.';
  if (!from || !intos.length || Object.keys(errors).length) return { ok: false, errors };
  const subtree = state.units.filter((u) => under(u, from));
  const desks = state.desks.filter((d) => d.active && subtree.some((u) => u.id === d.unitId));
  const plan: Base = { ...base };
  const deskItems: string[] = [];
  for (const d of desks) {
    const chosen = req.desks[d.code];
    const successor = chosen ? intos.find((s) => s.code === chosen) : intos[0];
    if (!successor) {
      errors[`desk:${d.code}`] = `Quầy ${d.code}: vui lòng chọn một trong các đơn vị kế thừa.`;
      continue;
    }
    const home = deskHome(state, successor);
    plan.deskMoves.push({ deskId: d.id, toUnitId: home.id });
    deskItems.push(
      `Quầy ${d.code} (${d.name}) chuyển về “${home.name}”${chosen ? '' : ' (mặc định: đơn vị kế thừa đầu tiên)'}, giữ nguyên mã.`,
    );
  }
  const extra = Object.keys(req.desks).filter((c) => !desks.some((d) => d.code === c));
  if (extra.length) errors.desks = `Quầy không thuộc “${from.name}”: ${extra.join(', ')}.`;
  if (Object.keys(errors).length) return { ok: false, errors };
  plan.retire = subtree.filter((u) => u.active).map((u) => u.id);
  plan.lineage = intos.map((s) => ({ predecessorId: from.id, successorId: s.id }));
  const users = state.users.filter((a) => subtree.some((u) => u.id === a.unitId));
  const keys = state.keys.filter((a) => subtree.some((u) => u.id === a.unitId));
  const targets = state.targets.filter((t) => subtree.some((u) => u.id === t.unitId) && t.validTo >= req.on);
  const detail: SplitDetail = {
    kind: 'split',
    from: { id: from.id, code: from.code, name: from.name },
    into: intos.map((s) => ({ id: s.id, name: s.name })),
    retired: plan.retire,
    desks: plan.deskMoves.map((m) => ({
      id: m.deskId,
      code: desks.find((d) => d.id === m.deskId)!.code,
      fromUnitId: desks.find((d) => d.id === m.deskId)!.unitId,
      toUnitId: m.toUnitId,
    })),
  };
  return {
    ok: true,
    plan: {
      ...plan,
      touched: [from.id, ...intos.map((s) => s.id)],
      detail,
      sections: [
        {
          title: 'Đơn vị',
          items: [
            `“${from.name}” chia tách từ ngày ${on} thành ${intos.map((s) => `“${s.name}”`).join(', ')}; “${from.name}” ngừng hoạt động và giữ số liệu trước ngày ${on}.`,
            `${plan.retire.length} đơn vị ngừng hoạt động (kể cả các đơn vị trực thuộc).`,
          ],
        },
        { title: 'Quầy', items: deskItems.length ? deskItems : ['Không có quầy đang hoạt động.'] },
        {
          title: 'Chỉ tiêu',
          items: targets.length
            ? targets.map(
                (t) =>
                  `Chỉ tiêu của “${t.unitName}” theo ${t.sourcePlan} (${METRIC_NAMES[t.metric]}, ${isoDateToVi(t.validFrom)}–${isoDateToVi(t.validTo)}): giữ nguyên; đặt chỉ tiêu mới cho các đơn vị kế thừa.`,
              )
            : ['Không có chỉ tiêu còn hiệu lực.'],
        },
        accountsSection(
          users,
          keys,
          unitName,
          'giữ đơn vị cũ (đã ngừng hoạt động); chuyển tài khoản trong trang tài khoản',
        ),
      ],
    },
  };
}
