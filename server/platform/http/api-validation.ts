import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { type ApiErrorItem, FIELD_ERROR_CODES } from './api-errors.ts';

// Requests on /api/v1 are checked by their routes' zod schemas (set as the
// API scope's validator in server/app.ts); what does not fit is a 422
// `validation.failed` whose items name each field, in English (zod's words,
// or our schemas' own) and in Vietnamese (ours, below).

/** A request that does not fit its route's schema: 422 (the status the API always used). */
export class RequestValidationError extends Error {
  readonly statusCode = 422;
  readonly code = 'FST_ERR_VALIDATION';
  constructor(readonly items: ApiErrorItem[]) {
    super('the request does not fit its schema');
  }
}

/**
 * The API scope's validator: zod parses each part, and a failure is turned
 * into the error items here, where the data is at hand (to tell a missing
 * field from a wrong one) and before anything could log the input.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const parsed = schema.safeParse(data);
    if (parsed.success) return { value: parsed.data };
    const whole = httpPart === 'querystring' ? '(query)' : `(${httpPart ?? 'body'})`;
    return { error: new RequestValidationError(parsed.error.issues.flatMap((i) => itemsOf(i, data, whole))) };
  };

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function itemsOf(issue: z.core.$ZodIssue, data: unknown, whole: string): ApiErrorItem[] {
  const at = (path: readonly PropertyKey[]) => path.map(String).join('.') || whole;
  // One item per unknown field, named in the path (clients point at the field).
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: at([...issue.path, key]),
      code: 'validation.unrecognized_keys',
      message: { en: `Unrecognized key: "${key}"`, vi: `Trường không được chấp nhận: "${key}"` },
    }));
  }
  const missing = issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined;
  return [
    {
      path: at(issue.path),
      code: missing ? 'validation.required' : `validation.${issue.code}`,
      message: { en: issue.message, vi: missing ? FIELD_ERROR_CODES['validation.required'].vi : vietnamese(issue) },
    },
  ];
}

/** Our schemas' own English messages, in Vietnamese (CodeSchema's, and the routes' refinements). */
const OWN_MESSAGES: Record<string, string> = {
  'lowercase letters, digits and -': 'Chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang.',
  'to must not be before from': 'Ngày kết thúc (to) không được trước ngày bắt đầu (from).',
  'at most five years at once': 'Mỗi lần chỉ xem được tối đa năm năm.',
  'a dossier reference is required': 'Cần có mã hồ sơ.',
  'a calendar month, YYYY-MM': 'Không phải tháng hợp lệ: cần dạng YYYY-MM, ví dụ 2026-04.',
  'complaintsOnTime needs complaints':
    'Có số phản ánh, kiến nghị xử lý đúng hạn (complaintsOnTime) thì phải có số phản ánh, kiến nghị (complaints).',
  'complaintsOnTime must not exceed complaints':
    'Số phản ánh, kiến nghị xử lý đúng hạn (complaintsOnTime) không được lớn hơn số phản ánh, kiến nghị (complaints).',
};

const TYPES_VI: Record<string, string> = {
  string: 'chuỗi ký tự',
  number: 'số',
  int: 'số nguyên',
  boolean: 'true hoặc false',
  object: 'đối tượng JSON',
  record: 'đối tượng JSON',
  array: 'mảng',
  null: 'null',
};

const FORMATS_VI: Record<string, string> = {
  uuid: 'Không phải UUID hợp lệ.',
  date: 'Không phải ngày hợp lệ (YYYY-MM-DD).',
  datetime: 'Không phải thời điểm hợp lệ (ISO 8601).',
};

/** Zod's Vietnamese locale names types in English; these read as Vietnamese. */
function vietnamese(issue: z.core.$ZodIssue): string {
  const own = OWN_MESSAGES[issue.message];
  if (own) return own;
  switch (issue.code) {
    case 'invalid_type':
      return `Sai kiểu dữ liệu: cần ${TYPES_VI[issue.expected] ?? issue.expected}.`;
    case 'too_big':
      return issue.origin === 'string'
        ? `Quá dài: tối đa ${issue.maximum} ký tự.`
        : issue.origin === 'array'
          ? `Quá nhiều phần tử: tối đa ${issue.maximum}.`
          : `Quá lớn: ${issue.inclusive ? 'tối đa' : 'phải nhỏ hơn'} ${issue.maximum}.`;
    case 'too_small':
      return issue.origin === 'string'
        ? `Quá ngắn: tối thiểu ${issue.minimum} ký tự.`
        : issue.origin === 'array'
          ? `Quá ít phần tử: tối thiểu ${issue.minimum}.`
          : `Quá nhỏ: ${issue.inclusive ? 'tối thiểu' : 'phải lớn hơn'} ${issue.minimum}.`;
    case 'invalid_format':
      return FORMATS_VI[issue.format] ?? FIELD_ERROR_CODES['validation.invalid_format'].vi;
    case 'invalid_value':
      return `Giá trị không hợp lệ: phải là một trong ${issue.values.map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'not_multiple_of':
      return `Phải là bội số của ${issue.divisor}.`;
    default:
      return FIELD_ERROR_CODES[`validation.${issue.code}`].vi;
  }
}
