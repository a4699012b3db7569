import { wholeMonths } from '../../../analysis/dossiers.ts';
import { parseDateInput } from '../../../analysis/local-time.ts';
import type { Allocation } from '../../../analysis/sample-plan.ts';
import { parsePercentVi } from '../../../analysis/vi-number.ts';

// The round forms as typed: every field checked, each fault said in
// Vietnamese beside its field, the values kept to show the form again.

export const CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,63}$/;
/** More dossiers than any unit resolves in a year, so a slip of the finger shows. */
const MAX_POPULATION = 10_000_000;
const MAX_QUOTA = 100_000;

export interface RoundFormValues {
  unitId: string;
  code: string;
  survey: string;
  fieldworkFrom: string;
  fieldworkTo: string;
  populationSource: string;
  population: string;
  referenceFrom: string;
  referenceTo: string;
  margin: string;
  allocation: string;
}

export type RoundFormErrors = Partial<Record<keyof RoundFormValues, string>>;

export interface RoundInput {
  unitId: number;
  code: string;
  surveyCode: string;
  fieldworkFrom: string;
  fieldworkTo: string;
  populationSource: 'volumes' | 'typed';
  /** Null when N comes from the volumes. */
  population: number | null;
  /** Whole months ('YYYY-MM') of the reference period, or null when none was given. */
  reference: { from: string; to: string; months: string[] } | null;
  margin: number;
  allocation: Allocation;
}

export function newRoundFormValues(unitId: number | null): RoundFormValues {
  return {
    unitId: unitId ? String(unitId) : '',
    code: '',
    survey: '',
    fieldworkFrom: '',
    fieldworkTo: '',
    populationSource: 'volumes',
    population: '',
    referenceFrom: '',
    referenceTo: '',
    margin: '5',
    allocation: 'proportional',
  };
}

const text = (body: Record<string, unknown>, k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');

/** A whole number as people write it in Vietnamese: "1.000", "1 000" or "1000". */
export function parseCountVi(raw: string): number | undefined {
  const s = raw.trim();
  if (!/^\d{1,3}([. ]\d{3})*$/.test(s) && !/^\d+$/.test(s)) return undefined;
  const n = Number(s.replace(/[. ]/g, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

const DATE_HINT = 'theo dạng ngày/tháng/năm, ví dụ 01/03/2026';

export function readRoundForm(
  raw: unknown,
):
  | { ok: true; input: RoundInput; values: RoundFormValues }
  | { ok: false; errors: RoundFormErrors; values: RoundFormValues } {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const v: RoundFormValues = {
    unitId: text(body, 'unitId'),
    code: text(body, 'code').trim(),
    survey: text(body, 'survey'),
    fieldworkFrom: text(body, 'fieldworkFrom').trim(),
    fieldworkTo: text(body, 'fieldworkTo').trim(),
    populationSource: text(body, 'populationSource'),
    population: text(body, 'population').trim(),
    referenceFrom: text(body, 'referenceFrom').trim(),
    referenceTo: text(body, 'referenceTo').trim(),
    margin: text(body, 'margin').trim(),
    allocation: text(body, 'allocation'),
  };
  const e: RoundFormErrors = {};
  const unitId = /^[1-9]\d{0,9}$/.test(v.unitId) ? Number(v.unitId) : undefined;
  if (!unitId || unitId > 2_147_483_647) e.unitId = 'Vui lòng chọn đơn vị.';
  if (!CODE_PATTERN.test(v.code)) {
    e.code = 'Mã đợt gồm 2–64 ký tự: chữ thường không dấu, chữ số và dấu gạch ngang (ví dụ: quy-1-2026).';
  }
  if (!v.survey) e.survey = 'Vui lòng chọn phiếu khảo sát.';
  const fieldworkFrom = parseDateInput(v.fieldworkFrom);
  const fieldworkTo = parseDateInput(v.fieldworkTo);
  if (!fieldworkFrom) e.fieldworkFrom = `Vui lòng nhập ngày bắt đầu ${DATE_HINT}.`;
  if (!fieldworkTo) e.fieldworkTo = `Vui lòng nhập ngày kết thúc ${DATE_HINT}.`;
  else if (fieldworkFrom && fieldworkTo < fieldworkFrom) e.fieldworkTo = 'Ngày kết thúc phải từ ngày bắt đầu trở đi.';

  const source = v.populationSource === 'typed' ? 'typed' : v.populationSource === 'volumes' ? 'volumes' : undefined;
  if (!source) e.populationSource = 'Vui lòng chọn cách xác định tổng thể N.';
  let population: number | null = null;
  if (source === 'typed') {
    const n = parseCountVi(v.population);
    if (n === undefined || n < 1 || n > MAX_POPULATION) {
      e.population = 'Vui lòng nhập số hồ sơ (tổng thể N) là số nguyên dương, ví dụ 1.000.';
    } else population = n;
  }

  const allocation = v.allocation === 'equal' ? 'equal' : v.allocation === 'proportional' ? 'proportional' : undefined;
  if (!allocation) e.allocation = 'Vui lòng chọn cách phân bổ cỡ mẫu.';

  // The reference period: needed for N from the volumes and for quotas in proportion to them.
  let reference: RoundInput['reference'] = null;
  const needsReference = source === 'volumes' || allocation === 'proportional';
  if (v.referenceFrom || v.referenceTo || needsReference) {
    const from = parseDateInput(v.referenceFrom);
    const to = parseDateInput(v.referenceTo);
    if (!from) e.referenceFrom = `Vui lòng nhập ngày đầu kỳ tham chiếu ${DATE_HINT}.`;
    if (!to) e.referenceTo = `Vui lòng nhập ngày cuối kỳ tham chiếu ${DATE_HINT}.`;
    if (from && to) {
      const months = to >= from ? wholeMonths(from, to) : null;
      if (to < from) e.referenceTo = 'Ngày cuối kỳ tham chiếu phải từ ngày đầu kỳ trở đi.';
      else if (!months?.length) {
        // Volumes are counted by calendar month: a part of a month has no figure.
        e.referenceTo =
          'Kỳ tham chiếu phải gồm trọn các tháng: từ ngày 01 đến ngày cuối tháng (ví dụ 01/01/2026 – 31/03/2026).';
      } else reference = { from, to, months };
    }
  }

  const margin = parsePercentVi(v.margin);
  if (margin === undefined || margin <= 0 || margin >= 1) {
    e.margin = 'Vui lòng nhập sai số cho phép là phần trăm lớn hơn 0 và nhỏ hơn 100, ví dụ 5.';
  }

  if (Object.keys(e).length) return { ok: false, errors: e, values: v };
  return {
    ok: true,
    values: v,
    input: {
      unitId: unitId!,
      code: v.code,
      surveyCode: v.survey,
      fieldworkFrom: fieldworkFrom!,
      fieldworkTo: fieldworkTo!,
      populationSource: source!,
      population,
      reference,
      margin: margin!,
      allocation: allocation!,
    },
  };
}

/**
 * The quota form: `quota.<area code>` for each area of the round. Returns the
 * quotas, or an error for each row typed wrong (with every value kept).
 */
export function readQuotaForm(
  raw: unknown,
  areaCodes: readonly string[],
):
  | { ok: true; quotas: { code: string; quota: number }[]; values: Record<string, string> }
  | { ok: false; errors: Record<string, string>; values: Record<string, string> } {
  const body = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  const quotas: { code: string; quota: number }[] = [];
  for (const code of areaCodes) {
    const typed = text(body, `quota.${code}`).trim();
    values[code] = typed;
    const n = typed === '' ? 0 : parseCountVi(typed);
    if (n === undefined || n > MAX_QUOTA) errors[code] = 'Vui lòng nhập số phiếu là số nguyên từ 0 trở lên.';
    else quotas.push({ code, quota: n });
  }
  return Object.keys(errors).length ? { ok: false, errors, values } : { ok: true, quotas, values };
}
