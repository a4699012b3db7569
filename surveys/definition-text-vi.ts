import type { z } from 'zod';
import { FACTOR_SHORT_NAMES } from './factor-names.ts';
import type { Factor, Question } from './schema.ts';

// Vietnamese wording of survey definitions as staff see them when they
// preview or publish a version: question types, SIPAS factors, and the
// schema's validation messages (the schema itself speaks English to
// developers). Pure: no Fastify, no database.

export const QUESTION_TYPE_VI: Record<Question['type'], string> = {
  scale: 'Thang 5 mức',
  choice: 'Chọn một',
  text: 'Văn bản',
};

/**
 * Where JSON.parse gave up, as a line and column a person can find. V8 names
 * a position, or (for an unexpected token) quotes up to 10 characters either
 * side of it, with "..." where it cut the text.
 */
export function jsonErrorVi(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (/Unexpected end of JSON input/.test(message)) {
    return 'Nội dung không phải JSON hợp lệ: thiếu phần cuối (dấu } hoặc ] đóng).';
  }
  let pos: number | undefined;
  const at = /position (\d+)/.exec(message)?.[1];
  const token = /^Unexpected token '(.+?)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (at !== undefined) pos = Number(at);
  else if (token) {
    const [, char = '', cutBefore, context = '', cutAfter] = token;
    const start = text.indexOf(context);
    if (cutBefore) pos = start < 0 ? undefined : start + 10;
    else pos = cutAfter ? context.length - 10 : context.indexOf(char);
  }
  if (pos === undefined || pos < 0) return 'Nội dung không phải JSON hợp lệ.';
  const lines = text.slice(0, pos).split('\n');
  return `Nội dung không phải JSON hợp lệ: lỗi ở dòng ${lines.length}, cột ${(lines.at(-1)?.length ?? 0) + 1}.`;
}

/** `sections.0.questions.2.text.vi (câu "staff")`: the key helps find the question. */
export function pathOf(raw: unknown, path: readonly PropertyKey[]): string {
  const text = path.map(String).join('.') || '(toàn bộ)';
  if (path[0] !== 'sections' || path[2] !== 'questions' || typeof path[3] !== 'number') return text;
  const sections = (raw as { sections?: { questions?: { key?: unknown }[] }[] }).sections;
  const key = sections?.[path[1] as number]?.questions?.[path[3]]?.key;
  return typeof key === 'string' && path[4] !== 'key' ? `${text} (câu "${key}")` : text;
}

const KIND_VI: Record<string, string> = {
  string: 'chuỗi ký tự',
  object: 'đối tượng { … }',
  array: 'danh sách [ … ]',
  boolean: 'true hoặc false',
  number: 'số',
};

// The schema's own messages are English; these are the ones it can give.
const CUSTOM_VI: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^duplicate key (.+)$/, (m) => `Mã chỉ số "${m[1]}" bị trùng.`],
  [/^(.+) is reserved$/, (m) => `"${m[1]}" là tên dành riêng của hệ thống, không dùng làm mã chỉ số.`],
  [
    /^key of a (\w+) item must start with "(.+)"$/,
    (m) =>
      `Câu hỏi thuộc yếu tố "${FACTOR_SHORT_NAMES[m[1] as Factor] ?? m[1]}" phải có mã là "${m[1]}" hoặc bắt đầu bằng "${m[2]}".`,
  ],
  [/overall/, () => 'Phiếu cần một câu hỏi thang 5 mức có mã "overall", không thuộc yếu tố nào.'],
  [/option codes must be unique/, () => 'Mã các lựa chọn không được trùng nhau.'],
  [/^lowercase letters, digits and -$/, () => 'Chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (-).'],
  [/^lowercase letters, digits and _$/, () => 'Chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới (_).'],
  [/^lowercase words joined by dots/, () => 'Gồm các từ viết thường không dấu nối bằng dấu chấm, ví dụ staff.polite.'],
];

/** One schema issue in Vietnamese. */
export function issueVi(i: z.core.$ZodIssue): string {
  const custom = CUSTOM_VI.find(([re]) => re.test(i.message));
  if ((i.code === 'custom' || i.code === 'invalid_format') && custom) return custom[1](custom[0].exec(i.message)!);
  switch (i.code) {
    case 'invalid_type':
      return /received undefined/.test(i.message)
        ? 'Thiếu mục bắt buộc này.'
        : `Sai kiểu dữ liệu: cần ${KIND_VI[i.expected] ?? i.expected}.`;
    case 'too_small':
      if (i.origin === 'string')
        return Number(i.minimum) <= 1 ? 'Không được để trống.' : `Cần ít nhất ${i.minimum} ký tự.`;
      if (i.origin === 'array') return `Cần ít nhất ${i.minimum} mục.`;
      return `Phải từ ${i.minimum} trở lên.`;
    case 'too_big':
      if (i.origin === 'string') return `Tối đa ${i.maximum} ký tự.`;
      if (i.origin === 'array') return `Tối đa ${i.maximum} mục.`;
      return `Tối đa là ${i.maximum}.`;
    case 'invalid_value':
      return `Giá trị phải là một trong: ${i.values.map(String).join(', ')}.`;
    case 'invalid_union':
      return 'discriminator' in i && i.discriminator === 'type'
        ? 'Loại câu hỏi (type) phải là một trong: scale, choice, text.'
        : 'Giá trị không hợp lệ.';
    case 'invalid_format':
      return 'Không đúng định dạng.';
    case 'unrecognized_keys':
      return `Có mục không được phép: ${i.keys.join(', ')}.`;
    default:
      return 'Giá trị không hợp lệ.';
  }
}
