import { z } from 'zod';
import {
  ALL_VOLUME_FIELDS,
  isBalanced,
  OPTIONAL_VOLUME_FIELDS,
  VOLUME_FIELDS,
  type Volumes,
} from '../../../analysis/dossiers.ts';
import { CodeSchema } from '../../../surveys/schema.ts';

// One set of rules for dossier volumes, whichever way they come in (the API,
// an uploaded CSV/XLSX, the CLI): the row's shape, the names of its columns
// as Biểu II.06a/VPCP/KSTT writes them, and the balance warning.

/** A calendar month, 'YYYY-MM'. */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Far above any one-stop centre's month; a typo with extra digits stops here. */
export const MAX_COUNT = 10_000_000;
/** Rows in one unit × month: one per service area. */
export const MAX_ROWS = 200;

const Count = z.number().int().min(0).max(MAX_COUNT);
const OptionalCount = Count.nullable().optional();

const required = Object.fromEntries(VOLUME_FIELDS.map((f) => [f, Count])) as Record<
  (typeof VOLUME_FIELDS)[number],
  typeof Count
>;
const optional = Object.fromEntries(OPTIONAL_VOLUME_FIELDS.map((f) => [f, OptionalCount])) as Record<
  (typeof OPTIONAL_VOLUME_FIELDS)[number],
  typeof OptionalCount
>;

export const VolumeRowSchema = z
  .object({
    serviceArea: CodeSchema.meta({ description: 'Service area code, as in GET /staff/service-areas.' }),
    ...required,
    ...optional,
  })
  .strict()
  .refine((r) => r.complaintsOnTime == null || r.complaints != null, {
    path: ['complaintsOnTime'],
    message: 'complaintsOnTime needs complaints',
  })
  .refine((r) => r.complaintsOnTime == null || r.complaints == null || r.complaintsOnTime <= r.complaints, {
    path: ['complaintsOnTime'],
    message: 'complaintsOnTime must not exceed complaints',
  })
  .meta({ id: 'DossierVolumeRow' });
export type VolumeRowInput = z.infer<typeof VolumeRowSchema>;

export const VolumeBodySchema = z
  .object({
    unit: CodeSchema.meta({ description: 'The unit (a centre or a commune) the dossiers were handled by.' }),
    month: z
      .string()
      .regex(MONTH_PATTERN, 'a calendar month, YYYY-MM')
      .meta({ description: 'Calendar month, YYYY-MM.' }),
    rows: z.array(VolumeRowSchema).max(MAX_ROWS).meta({
      description: 'One row per service area. Replaces every row of this unit and month; [] clears them.',
    }),
  })
  .strict();
export type VolumeBody = z.infer<typeof VolumeBodySchema>;

/** A row as stored and compared: every optional count present, null when unknown. */
export interface VolumeRow extends Volumes {
  serviceArea: string;
}

export function normaliseRow(r: VolumeRowInput): VolumeRow {
  const out = { serviceArea: r.serviceArea } as VolumeRow;
  for (const f of VOLUME_FIELDS) out[f] = r[f];
  for (const f of OPTIONAL_VOLUME_FIELDS) out[f] = r[f] ?? null;
  return out;
}

/** Whether two sets of rows of a unit × month are the same, whatever their order. */
export function sameRows(a: readonly VolumeRow[], b: readonly VolumeRow[]): boolean {
  if (a.length !== b.length) return false;
  const byArea = new Map(a.map((r) => [r.serviceArea, r]));
  return b.every((r) => {
    const other = byArea.get(r.serviceArea);
    return other !== undefined && ALL_VOLUME_FIELDS.every((f) => other[f] === r[f]);
  });
}

/**
 * Column names as in Biểu II.06a/VPCP/KSTT (Thông tư 01/2020/TT-VPCP's
 * report of how procedures were handled), short enough for a spreadsheet
 * header; the three optional ones are the one-stop software's own counts.
 */
export const FIELD_HEADERS: Record<(typeof ALL_VOLUME_FIELDS)[number], string> = {
  receivedOnline: 'Tiếp nhận trong kỳ - Trực tuyến',
  receivedDirect: 'Tiếp nhận trong kỳ - Trực tiếp, dịch vụ bưu chính',
  carriedOver: 'Từ kỳ trước chuyển qua',
  resolvedEarly: 'Đã giải quyết - Trước hạn',
  resolvedOnTime: 'Đã giải quyết - Đúng hạn',
  resolvedLate: 'Đã giải quyết - Quá hạn',
  pendingOnTime: 'Đang giải quyết - Trong hạn',
  pendingOverdue: 'Đang giải quyết - Quá hạn',
  dissatisfiedOrComplained: 'Hồ sơ bị đánh giá không hài lòng hoặc bị phản ánh (không bắt buộc)',
  complaints: 'Số phản ánh, kiến nghị (không bắt buộc)',
  complaintsOnTime: 'Phản ánh, kiến nghị xử lý đúng hạn (không bắt buộc)',
};

/** The template's first three columns: which unit, month and area a row is. */
export const KEY_HEADERS = { unit: 'Mã đơn vị', month: 'Tháng (mm/yyyy)', serviceArea: 'Mã lĩnh vực' } as const;

/** The warning for a row that does not add up, or null when it does. */
export function balanceWarning(r: VolumeRow): { vi: string; en: string } | null {
  if (isBalanced(r)) return null;
  const had = r.receivedOnline + r.receivedDirect + r.carriedOver;
  const did = r.resolvedEarly + r.resolvedOnTime + r.resolvedLate + r.pendingOnTime + r.pendingOverdue;
  return {
    vi: `Số liệu chưa cân đối: tiếp nhận và kỳ trước chuyển qua (${had}) khác số đã và đang giải quyết (${did}). Dòng vẫn được nhận; đề nghị kiểm tra lại.`,
    en: `Does not add up: received plus carried over (${had}) differs from resolved plus pending (${did}). The row is accepted; please check it.`,
  };
}
