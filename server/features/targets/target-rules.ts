import { z } from 'zod';
import { parseDateInput } from '../../../analysis/local-time.ts';
import { parsePercentVi, percentInputVi } from '../../../analysis/vi-number.ts';
import { FACTOR_NAMES } from '../../../surveys/factor-names.ts';
import { FACTORS, type Factor } from '../../../surveys/schema.ts';
import type { TargetComparison, TargetMetric } from '../../platform/db/schema.ts';

// Plan targets (chỉ tiêu kế hoạch): what can be measured, how a threshold is
// typed and shown, and the checks on the form. Pure: no database, no Fastify.

export const METRIC_NAMES: Record<TargetMetric, string> = {
  satisfaction_rate: 'Tỷ lệ hài lòng chung (câu hỏi «Nhìn chung»)',
  factor_rate: 'Tỷ lệ hài lòng theo yếu tố',
  on_time_rate: 'Tỷ lệ hồ sơ trả kết quả đúng hạn',
  early_rate: 'Tỷ lệ hồ sơ trả kết quả trước hạn',
  late_rate: 'Tỷ lệ hồ sơ giải quyết trễ hạn',
  feedback_handled_rate: 'Tỷ lệ phản ánh, kiến nghị được xử lý',
  feedback_on_time_rate: 'Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn',
  training_rate: 'Tỷ lệ công chức Bộ phận Một cửa được tập huấn trong năm',
};
export const METRICS = Object.keys(METRIC_NAMES) as [TargetMetric, ...TargetMetric[]];

export const COMPARISON_SYMBOLS: Record<TargetComparison, string> = { gte: '≥', gt: '>', lte: '≤', lt: '<' };
export const COMPARISON_NAMES: Record<TargetComparison, string> = {
  gte: '≥ (tối thiểu, đạt từ)',
  gt: '> (trên)',
  lte: '≤ (tối đa)',
  lt: '< (dưới)',
};
const COMPARISONS = Object.keys(COMPARISON_SYMBOLS) as [TargetComparison, ...TargetComparison[]];

/** "≥ 90%", "< 1%", "> 99,5%". */
export function formatThreshold(comparison: TargetComparison, threshold: number): string {
  return `${COMPARISON_SYMBOLS[comparison]} ${percentInputVi(threshold)}%`;
}

/** What the metric measures, with the factor when it has one. */
export function metricLabel(metric: TargetMetric, factorKey: string | null): string {
  const factor = factorKey && (FACTOR_NAMES as Record<string, string>)[factorKey];
  return factor ? `${METRIC_NAMES[metric]}: ${factor}` : METRIC_NAMES[metric];
}

/** The form's fields, as typed (kept to show the form again). */
export interface TargetFormValues {
  unitId: string;
  serviceArea: string;
  metric: string;
  factorKey: string;
  comparison: string;
  threshold: string;
  validFrom: string;
  validTo: string;
  sourcePlan: string;
  sourceClause: string;
}
export type TargetFormErrors = Partial<Record<keyof TargetFormValues, string>>;

export interface TargetInput {
  unitId: number;
  serviceAreaCode: string | null;
  metric: TargetMetric;
  factorKey: Factor | null;
  comparison: TargetComparison;
  /** A proportion 0..1. */
  threshold: number;
  validFrom: string;
  validTo: string;
  sourcePlan: string;
  sourceClause: string | null;
}

const dateField = (message: string) =>
  z.string().transform((s, ctx) => {
    const iso = parseDateInput(s);
    if (!iso) ctx.addIssue({ code: 'custom', message });
    return iso ?? '';
  });

// One schema per field, so that every field's error is found in one pass.
const FIELD_SCHEMAS = {
  unitId: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'Vui lòng chọn đơn vị áp dụng.')
    .transform(Number),
  serviceArea: z
    .string()
    .trim()
    .regex(/^([a-z0-9][a-z0-9-]{1,63})?$/, 'Lĩnh vực không hợp lệ.')
    .transform((s) => s || null),
  metric: z.enum(METRICS, { error: 'Vui lòng chọn nội dung chỉ tiêu.' }),
  factorKey: z.string().trim(),
  comparison: z.enum(COMPARISONS, { error: 'Vui lòng chọn cách so sánh.' }),
  threshold: z.string().transform((s, ctx) => {
    const v = parsePercentVi(s);
    if (v === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Mức chỉ tiêu là số phần trăm từ 0 đến 100, ví dụ 90 hoặc 90,5.' });
    }
    return v ?? 0;
  }),
  validFrom: dateField('Ngày bắt đầu không hợp lệ (dd/mm/yyyy).'),
  validTo: dateField('Ngày kết thúc không hợp lệ (dd/mm/yyyy).'),
  sourcePlan: z
    .string()
    .trim()
    .min(1, 'Vui lòng ghi kế hoạch là căn cứ của chỉ tiêu (số, ngày, cơ quan ban hành).')
    .max(500, 'Tên kế hoạch dài quá 500 ký tự.'),
  sourceClause: z
    .string()
    .trim()
    .max(2000, 'Trích dẫn dài quá 2.000 ký tự.')
    .transform((s) => s || null),
} as const;

const FIELD_NAMES = Object.keys(FIELD_SCHEMAS) as (keyof TargetFormValues)[];

/** Reads the posted form: the values as typed, and either the input or the errors. */
export function readTargetForm(
  body: unknown,
):
  | { values: TargetFormValues; ok: true; input: TargetInput }
  | { values: TargetFormValues; ok: false; errors: TargetFormErrors } {
  const raw = (body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(
    FIELD_NAMES.map((k) => [k, typeof raw[k] === 'string' ? (raw[k] as string).slice(0, 4000) : '']),
  ) as unknown as TargetFormValues;
  const errors: TargetFormErrors = {};
  const parsed: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) {
    const result = FIELD_SCHEMAS[name].safeParse(values[name]);
    if (result.success) {
      parsed[name] = result.data;
      // A date typed as dd/mm/yyyy goes back into a date input as yyyy-mm-dd.
      if (name === 'validFrom' || name === 'validTo') values[name] = result.data as string;
    } else errors[name] = result.error.issues[0]?.message ?? 'Không hợp lệ.';
  }
  const input = { ...parsed, serviceAreaCode: parsed.serviceArea } as unknown as TargetInput;
  if (input.metric === 'factor_rate') {
    if (!(FACTORS as readonly string[]).includes(values.factorKey)) errors.factorKey = 'Vui lòng chọn yếu tố.';
  } else {
    input.factorKey = null;
  }
  if (!errors.validFrom && !errors.validTo && input.validTo < input.validFrom) {
    errors.validTo = 'Ngày kết thúc phải trùng hoặc sau ngày bắt đầu.';
  }
  if (!errors.threshold && !errors.comparison) {
    if (input.comparison === 'gt' && input.threshold >= 1) errors.threshold = 'Không tỷ lệ nào lớn hơn 100%.';
    if (input.comparison === 'lt' && input.threshold <= 0) errors.threshold = 'Không tỷ lệ nào nhỏ hơn 0%.';
  }
  if (Object.keys(errors).length) return { values, ok: false, errors };
  return {
    values,
    ok: true,
    input: {
      unitId: input.unitId,
      serviceAreaCode: input.serviceAreaCode,
      metric: input.metric,
      factorKey: input.factorKey,
      comparison: input.comparison,
      threshold: input.threshold,
      validFrom: input.validFrom,
      validTo: input.validTo,
      sourcePlan: input.sourcePlan,
      sourceClause: input.sourceClause,
    },
  };
}

/** The form filled from a stored target, for editing. */
export function targetFormValues(t: {
  unitId: number;
  serviceAreaCode: string | null;
  metric: TargetMetric;
  factorKey: string | null;
  comparison: TargetComparison;
  threshold: number;
  validFrom: string;
  validTo: string;
  sourcePlan: string;
  sourceClause: string | null;
}): TargetFormValues {
  return {
    unitId: String(t.unitId),
    serviceArea: t.serviceAreaCode ?? '',
    metric: t.metric,
    factorKey: t.factorKey ?? '',
    comparison: t.comparison,
    threshold: percentInputVi(t.threshold),
    validFrom: t.validFrom,
    validTo: t.validTo,
    sourcePlan: t.sourcePlan,
    sourceClause: t.sourceClause ?? '',
  };
}

/** A blank form: this calendar year, "at least", on the user's own unit. */
export function newTargetFormValues(unitId: number | null, todayIso: string): TargetFormValues {
  const year = todayIso.slice(0, 4);
  return {
    unitId: unitId ? String(unitId) : '',
    serviceArea: '',
    metric: 'satisfaction_rate',
    factorKey: '',
    comparison: 'gte',
    threshold: '',
    validFrom: `${year}-01-01`,
    validTo: `${year}-12-31`,
    sourcePlan: '',
    sourceClause: '',
  };
}
