import { ALL_VOLUME_FIELDS, VOLUME_FIELDS } from '../../../analysis/dossiers.ts';
import { formatCountVi as viNumber } from '../../../analysis/vi-number.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import type { Cell, SheetRow } from '../../platform/http/table-file.ts';
import { FIELD_HEADERS, KEY_HEADERS, MAX_COUNT, normaliseRow, VolumeRowSchema } from './volume-rules.ts';
import type { VolumeBatch, VolumeIssue } from './volume-service.ts';

// The rows of a volume file (volume-file.ts) as VolumeBatch, one per unit ×
// month, with every problem worded as a person finds it in the sheet:
// «Dòng 5, cột "Đã giải quyết - Quá hạn": …». Columns are found by their
// Biểu II.06a names, not their places, so a sheet with its columns moved or
// an extra column of notes still reads. Pure.

export type Column = keyof typeof KEY_HEADERS | (typeof ALL_VOLUME_FIELDS)[number];
/** The template's columns, in order. */
export const COLUMNS: readonly Column[] = ['unit', 'month', 'serviceArea', ...ALL_VOLUME_FIELDS];
export const HEADER_OF: Record<Column, string> = { ...KEY_HEADERS, ...FIELD_HEADERS };

/** A problem of the file, in Vietnamese; `line` null for the file as a whole. */
export interface FileProblem {
  line: number | null;
  column: Column | null;
  text: string;
}

/** Case, spacing and the kind of dash do not matter; "(không bắt buộc)" or "(mm/yyyy)" may be left out. */
function headerKey(s: string): string {
  return s
    .normalize('NFC')
    .toLocaleLowerCase('vi')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s*-\s*/g, ' - ')
    .replace(/\s+/g, ' ')
    .trim();
}
const withoutNote = (key: string) => key.replace(/\s*\([^)]*\)$/, '');
const BY_HEADER = new Map<string, Column>(
  COLUMNS.flatMap((c) => [
    [headerKey(HEADER_OF[c]), c],
    [withoutNote(headerKey(HEADER_OF[c])), c],
  ]),
);
const columnOf = (cell: Cell): Column | undefined => {
  if (typeof cell !== 'string') return undefined;
  const key = headerKey(cell);
  return BY_HEADER.get(key) ?? BY_HEADER.get(withoutNote(key));
};

const isBlank = (cell: Cell | undefined) => cell === null || cell === undefined || String(cell).trim() === '';
const shown = (cell: Cell) => (cell instanceof Date ? cell.toISOString().slice(0, 10) : String(cell).trim());

type Parsed<T> = { value: T } | { error: string };

const COUNT_HINT = 'phải là số nguyên không âm (ví dụ 1.234)';

function cellError(cell: { error: string }): string {
  return cell.error === 'formula'
    ? 'công thức chưa có kết quả: vui lòng mở tệp bằng Excel, lưu lại rồi tải lên.'
    : `ô đang báo lỗi ${cell.error}.`;
}

/** A count: a whole number, `1234` or with vi-VN thousands dots `1.234`; never `12,5`, `-3`, `1.23`. */
export function parseCount(cell: Cell): Parsed<number | null> {
  if (isBlank(cell)) return { value: null };
  if (cell !== null && typeof cell === 'object' && !(cell instanceof Date)) return { error: cellError(cell) };
  let n: number | undefined;
  if (typeof cell === 'number') n = cell;
  else if (typeof cell === 'string') {
    const s = cell.replace(/\u00a0/g, ' ').trim();
    if (/^\d+$/.test(s) || /^\d{1,3}(\.\d{3})+$/.test(s)) n = Number(s.replace(/\./g, ''));
  }
  if (n === undefined || !Number.isInteger(n) || n < 0) return { error: `${COUNT_HINT}; đang ghi "${shown(cell)}".` };
  if (n > MAX_COUNT) return { error: `số quá lớn (tối đa ${viNumber(MAX_COUNT)}); đang ghi "${shown(cell)}".` };
  return { value: n };
}

/** 'YYYY-MM' from mm/yyyy, m/yyyy, yyyy-mm, or a date cell (Excel turns a typed 05/2026 into 1 May 2026). */
export function parseMonth(cell: Cell): Parsed<string> {
  if (isBlank(cell)) return { error: 'chưa ghi tháng (dạng mm/yyyy, ví dụ 05/2026).' };
  // exceljs gives a date cell as UTC midnight of its day; a date pasted into
  // a text column comes as Excel's day number (2000-01-01 is 36526).
  const date =
    cell instanceof Date
      ? cell
      : typeof cell === 'number' && Number.isInteger(cell) && cell >= 36_526 && cell < 73_051
        ? new Date((cell - 25_569) * 86_400_000)
        : undefined;
  if (date) return { value: `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}` };
  const s = String(cell).trim();
  const vi = /^(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{1,2})$/.exec(s);
  const [month, year] = vi ? [Number(vi[1]), Number(vi[2])] : iso ? [Number(iso[2]), Number(iso[1])] : [0, 0];
  if (month < 1 || month > 12 || year < 2000) {
    return { error: `tháng phải ghi dạng mm/yyyy, ví dụ 05/2026; đang ghi "${s}".` };
  }
  return { value: `${year}-${String(month).padStart(2, '0')}` };
}

function parseCode(cell: Cell, what: 'đơn vị' | 'lĩnh vực'): Parsed<string> {
  if (isBlank(cell)) return { error: `chưa ghi mã ${what}.` };
  if (typeof cell === 'object' && cell !== null && !(cell instanceof Date)) return { error: cellError(cell) };
  // Codes are lowercase (the unit and area tables say so): "Dat-Dai " is meant as "dat-dai".
  const code = shown(cell).toLowerCase();
  if (CodeSchema.safeParse(code).success) return { value: code };
  return {
    error: `không có ${what} mã «${shown(cell)}» (mã gồm chữ thường không dấu, chữ số và dấu -, như trong tệp mẫu).`,
  };
}

/** Finds the header row: the first row (of the first ten) that names the unit column. */
function findHeader(rows: readonly SheetRow[]) {
  return rows.slice(0, 10).find((r) => r.cells.some((c) => columnOf(c) === 'unit'));
}

const problem = (line: number | null, column: Column | null, text: string): FileProblem => ({
  line,
  column,
  text: line === null ? text : column ? `Dòng ${line}, cột "${HEADER_OF[column]}": ${text}` : `Dòng ${line}: ${text}`,
});

/** "Dòng 2–13", "Dòng 2, 5–7": where a unit × month's rows are. */
function linesRef(lines: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    parts.push(j > i ? `${lines[i]}–${lines[j]}` : String(lines[i]));
    i = j;
  }
  return `Dòng ${parts.join(', ')}`;
}

export interface RowsRead {
  batches: VolumeBatch[];
  problems: FileProblem[];
}

/**
 * The sheet's rows as batches, and every problem found. A row with a
 * problem is left out of the batches; the rest can still be checked
 * against the database, so that one pass names every faulty row.
 */
export function rowsToBatches(rows: readonly SheetRow[]): RowsRead {
  const header = findHeader(rows);
  if (!header) {
    const names = [KEY_HEADERS.unit, KEY_HEADERS.month, KEY_HEADERS.serviceArea].map((h) => `"${h}"`).join(', ');
    return {
      batches: [],
      problems: [
        problem(
          null,
          null,
          `Không tìm thấy dòng tiêu đề: dòng đầu của bảng (với tệp Excel: ở trang tính đầu tiên) phải có các cột ${names} và các cột số liệu như trong tệp mẫu.`,
        ),
      ],
    };
  }
  const problems: FileProblem[] = [];
  const at = new Map<Column, number>();
  header.cells.forEach((cell, i) => {
    const column = columnOf(cell);
    if (!column) return;
    if (at.has(column)) problems.push(problem(header.line, column, 'cột này có hai lần; vui lòng giữ một cột.'));
    else at.set(column, i);
  });
  const required: Column[] = ['unit', 'month', 'serviceArea', ...VOLUME_FIELDS];
  for (const c of required.filter((c) => !at.has(c))) {
    problems.push(problem(header.line, null, `thiếu cột "${HEADER_OF[c]}" (xem tệp mẫu).`));
  }
  if (problems.length) return { batches: [], problems };

  const batches = new Map<string, VolumeBatch & { lines: number[] }>();
  let dataRows = 0;
  for (const { line, cells } of rows.filter((r) => r.line > header.line)) {
    const cell = (c: Column) => (at.has(c) ? (cells[at.get(c)!] ?? null) : null);
    if (COLUMNS.every((c) => isBlank(cell(c)))) continue;
    dataRows += 1;
    const before = problems.length;
    const values: Record<string, unknown> = {};
    const take = (c: Column, parsed: Parsed<unknown>) => {
      if ('error' in parsed) problems.push(problem(line, c, parsed.error));
      else values[c] = parsed.value;
    };
    take('unit', parseCode(cell('unit'), 'đơn vị'));
    take('month', parseMonth(cell('month')));
    take('serviceArea', parseCode(cell('serviceArea'), 'lĩnh vực'));
    for (const f of ALL_VOLUME_FIELDS) {
      const parsed = parseCount(cell(f));
      const isRequired = (VOLUME_FIELDS as readonly string[]).includes(f);
      if (isRequired && 'value' in parsed && parsed.value === null) {
        problems.push(problem(line, f, 'chưa ghi số liệu (nếu không có hồ sơ, ghi 0).'));
      } else take(f, parsed);
    }
    if (problems.length > before) continue;
    const complaints = values.complaints as number | null;
    const onTime = values.complaintsOnTime as number | null;
    if (onTime !== null && complaints === null) {
      problems.push(problem(line, 'complaintsOnTime', `có số này thì phải ghi cả cột "${HEADER_OF.complaints}".`));
      continue;
    }
    if (onTime !== null && complaints !== null && onTime > complaints) {
      problems.push(
        problem(line, 'complaintsOnTime', `không được lớn hơn số phản ánh, kiến nghị (${viNumber(complaints)}).`),
      );
      continue;
    }
    const { unit, month, ...row } = values;
    const checked = VolumeRowSchema.safeParse(row);
    if (!checked.success) {
      // The checks above cover the schema; this names anything it adds later.
      for (const i of checked.error.issues) {
        const c = COLUMNS.find((col) => col === i.path[0]) ?? null;
        problems.push(problem(line, c, 'giá trị không hợp lệ.'));
      }
      continue;
    }
    const key = `${unit}\n${month}`;
    const batch = batches.get(key) ?? { unit: String(unit), month: String(month), ref: '', rows: [], lines: [] };
    batch.rows.push({ ref: `Dòng ${line}`, row: normaliseRow(checked.data) });
    batch.lines.push(line);
    batches.set(key, batch);
  }
  if (dataRows === 0) problems.push(problem(null, null, 'Tệp chưa có dòng số liệu nào dưới dòng tiêu đề.'));
  return {
    batches: [...batches.values()].map(({ lines, ...b }) => ({ ...b, ref: linesRef(lines) })),
    problems,
  };
}

/** A sentence's first letter in lower case, to follow "Dòng 5, cột …:"; a name or an acronym keeps its capital. */
const lowerFirst = (s: string) => (/^\p{Lu}\p{Ll}/u.test(s) ? s[0]!.toLocaleLowerCase('vi') + s.slice(1) : s);

/** An issue of the import service (volume-service.ts) in the file's words: its row and column. */
export function issueProblem(i: VolumeIssue): FileProblem {
  const line = Number(/\d+/.exec(i.ref)?.[0] ?? Number.NaN);
  const column = (COLUMNS as readonly string[]).includes(i.field ?? '') ? (i.field as Column) : null;
  const where = i.ref || 'Tệp';
  return {
    line: Number.isNaN(line) ? null : line,
    column,
    text: column ? `${where}, cột "${HEADER_OF[column]}": ${lowerFirst(i.message.vi)}` : `${where}: ${i.message.vi}`,
  };
}

/** Problems in the order of the sheet: file-wide first, then by row, then by column. */
export function sortProblems(problems: FileProblem[]): FileProblem[] {
  const col = (p: FileProblem) => (p.column ? COLUMNS.indexOf(p.column) : -1);
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || col(a) - col(b));
}
