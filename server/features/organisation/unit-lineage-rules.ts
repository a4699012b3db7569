import { isoDateToVi } from '../../../analysis/local-time.ts';
import { planMerge } from './unit-lineage-merge.ts';
import { accountsSection, kindFits, type LineageState, type PlanResult, under } from './unit-lineage-plan.ts';
import { planSplit } from './unit-lineage-split.ts';
import type { LineageRequest, LUnit } from './unit-lineage-types.ts';

export type * from './unit-lineage-plan.ts';
export type * from './unit-lineage-types.ts';

// The plan of a reorganisation (merge, split, rename, move), computed from
// the current state and nothing else: the preview shows it, the apply runs
// it in one transaction. Every line of the preview is a change that will be
// made, in the words of the office that makes it.

export function planLineage(state: LineageState, req: LineageRequest): PlanResult {
  const errors: Record<string, string> = {};
  const byCode = new Map(state.units.map((u) => [u.code, u]));
  const unitName = (id: number) => state.units.find((u) => u.id === id)?.name ?? `#${id}`;
  const find = (field: string, code: string): LUnit | undefined => {
    const u = byCode.get(code);
    if (!u) errors[field] ??= `Không tìm thấy đơn vị có mã “${code}” trong phạm vi của Ông/Bà.`;
    else if (!u.active) errors[field] ??= `Đơn vị “${u.name}” đã ngừng hoạt động.`;
    return u?.active ? u : undefined;
  };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(req.on)) errors.on = 'Vui lòng nhập ngày hiệu lực theo dạng dd/mm/yyyy.';
  else if (req.on > state.today) errors.on = 'Ngày hiệu lực không được sau hôm nay: Ông/Bà thực hiện vào đúng ngày đó.';
  const on = isoDateToVi(req.on);
  const base = {
    request: req,
    parentChanges: [],
    retire: [],
    deskMoves: [],
    deskRetirements: [],
    targetCopies: [],
    userMoves: [],
    keyMoves: [],
    lineage: [],
  };

  if (req.kind === 'rename') {
    const unit = find('unit', req.unit);
    const name = req.name.normalize('NFC').trim();
    if (!name || name.length > 200) errors.name = 'Vui lòng nhập tên mới (tối đa 200 ký tự).';
    else if (unit && unit.name === name) errors.name = 'Tên mới trùng với tên hiện tại.';
    if (!unit || Object.keys(errors).length) return { ok: false, errors };
    return {
      ok: true,
      plan: {
        ...base,
        rename: { unitId: unit.id, name },
        touched: [unit.id],
        sections: [{ title: 'Đổi tên', items: [`“${unit.name}” đổi tên thành “${name}” từ ngày ${on}.`] }],
        detail: { kind: 'rename', unitId: unit.id, from: unit.name, to: name },
      },
    };
  }

  if (req.kind === 'move') {
    const unit = find('unit', req.unit);
    const to = find('to', req.to);
    if (unit && to) {
      if (under(to, unit)) errors.to = 'Không thể chuyển một đơn vị vào chính nó hoặc đơn vị trực thuộc của nó.';
      else if (unit.parentId === to.id) errors.to = `“${unit.name}” đã trực thuộc “${to.name}”.`;
      else if (!kindFits(to.kind, unit.kind)) errors.to = 'Loại đơn vị này không thể trực thuộc đơn vị đã chọn.';
    }
    if (!unit || !to || Object.keys(errors).length) return { ok: false, errors };
    const subtree = state.units.filter((u) => under(u, unit));
    const users = state.users.filter((a) => subtree.some((u) => u.id === a.unitId));
    const keys = state.keys.filter((a) => subtree.some((u) => u.id === a.unitId));
    return {
      ok: true,
      plan: {
        ...base,
        parentChanges: [{ unitId: unit.id, toParentId: to.id }],
        lineage: [{ predecessorId: unit.id, successorId: unit.id }],
        touched: [unit.id, to.id, ...(unit.parentId ? [unit.parentId] : [])],
        sections: [
          {
            title: 'Chuyển đơn vị',
            items: [
              `“${unit.name}” chuyển từ “${unit.parentId ? unitName(unit.parentId) : '(cấp cao nhất)'}” sang “${to.name}” từ ngày ${on}.`,
              `${subtree.length} đơn vị (kể cả các đơn vị trực thuộc) được xếp lại trong cây đơn vị; số liệu của các đơn vị này đi theo.`,
            ],
          },
          accountsSection(users, keys, unitName, 'giữ nguyên đơn vị; phạm vi theo đơn vị mới'),
        ],
        detail: { kind: 'move', unitId: unit.id, fromParentId: unit.parentId, toParentId: to.id },
      },
    };
  }

  if (req.kind === 'merge') return planMerge(state, req, errors, find, unitName, on, base);
  return planSplit(state, req, errors, find, unitName, on, base);
}
