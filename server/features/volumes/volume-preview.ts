import { ALL_VOLUME_FIELDS } from '../../../analysis/dossiers.ts';
import { formatCountVi as viNumber } from '../../../analysis/vi-number.ts';
import { issueProblem } from './volume-file-rows.ts';
import { FIELD_HEADERS, type VolumeRow } from './volume-rules.ts';
import type { BatchChange, VolumeIssue } from './volume-service.ts';
import { monthVi } from './volume-template.ts';

// What an import would change, as the preview and the CLI say it: per unit ×
// month new, replaced or unchanged, and for a replacement the cells that
// change, old → new. Pure.

export type ChangeStatus = 'new' | 'replaced' | 'unchanged' | 'cleared';

export const STATUS_TEXT: Record<ChangeStatus, string> = {
  new: 'Mới',
  replaced: 'Thay thế số liệu đã có',
  unchanged: 'Không thay đổi',
  cleared: 'Xóa số liệu đã có',
};

export interface CellChange {
  area: string;
  column: string;
  before: string;
  after: string;
}

export interface ChangeView {
  unit: string;
  unitCode: string;
  /** mm/yyyy */
  month: string;
  status: ChangeStatus;
  statusText: string;
  /** Areas in the new rows. */
  areaCount: number;
  /** For a new month: each area's totals. */
  totals: { area: string; received: string; resolved: string; pending: string }[];
  /** For a replacement: what changes. */
  cells: CellChange[];
}

const shownCount = (v: number | null) => (v === null ? '(trống)' : viNumber(v));

function totalsOf(r: VolumeRow) {
  return {
    received: viNumber(r.receivedOnline + r.receivedDirect),
    resolved: viNumber(r.resolvedEarly + r.resolvedOnTime + r.resolvedLate),
    pending: viNumber(r.pendingOnTime + r.pendingOverdue),
  };
}

const summary = (r: VolumeRow) => {
  const t = totalsOf(r);
  return `tiếp nhận ${t.received}, đã giải quyết ${t.resolved}, đang giải quyết ${t.pending}`;
};

function cellChanges(previous: readonly VolumeRow[], rows: readonly VolumeRow[], areaName: (c: string) => string) {
  const before = new Map(previous.map((r) => [r.serviceArea, r]));
  const after = new Map(rows.map((r) => [r.serviceArea, r]));
  const out: CellChange[] = [];
  for (const area of new Set([...before.keys(), ...after.keys()])) {
    const p = before.get(area);
    const n = after.get(area);
    if (!p && n) out.push({ area: areaName(area), column: 'Cả lĩnh vực', before: '—', after: summary(n) });
    else if (p && !n) out.push({ area: areaName(area), column: 'Cả lĩnh vực', before: summary(p), after: 'xóa' });
    else if (p && n) {
      for (const f of ALL_VOLUME_FIELDS) {
        if (p[f] !== n[f]) {
          out.push({
            area: areaName(area),
            column: FIELD_HEADERS[f],
            before: shownCount(p[f]),
            after: shownCount(n[f]),
          });
        }
      }
    }
  }
  return out;
}

export function describeChanges(changes: readonly BatchChange[], areaNames: ReadonlyMap<string, string>): ChangeView[] {
  const areaName = (code: string) => areaNames.get(code) ?? code;
  return changes.map((c) => {
    const status: ChangeStatus = !c.changed
      ? 'unchanged'
      : c.previous.length === 0
        ? 'new'
        : c.rows.length === 0
          ? 'cleared'
          : 'replaced';
    return {
      unit: c.unit.name,
      unitCode: c.unit.code,
      month: monthVi(c.month),
      status,
      statusText: STATUS_TEXT[status],
      areaCount: c.rows.length,
      totals: status === 'new' ? c.rows.map((r) => ({ area: areaName(r.serviceArea), ...totalsOf(r) })) : [],
      cells: status === 'replaced' ? cellChanges(c.previous, c.rows, areaName) : [],
    };
  });
}

/** Balance warnings in the file's words («Dòng 7: Số liệu chưa cân đối: …»). */
export const warningTexts = (warnings: readonly VolumeIssue[]) => warnings.map((w) => issueProblem(w).text);

/** "2 đơn vị × tháng mới, 1 thay thế, 3 không thay đổi." */
export function changeCounts(views: readonly ChangeView[]): string {
  const n = (s: ChangeStatus) => views.filter((v) => v.status === s).length;
  const parts = [
    n('new') && `${n('new')} mới`,
    n('replaced') && `${n('replaced')} thay thế số liệu đã có`,
    n('cleared') && `${n('cleared')} xóa`,
    n('unchanged') && `${n('unchanged')} không thay đổi`,
  ].filter(Boolean);
  return `${views.length} đơn vị × tháng: ${parts.join(', ')}.`;
}
