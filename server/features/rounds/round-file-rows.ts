import { type PaperField, paperValue } from '../../../surveys/paper-numbering.ts';
import type { Cell, SheetRow } from '../../platform/http/table-file.ts';

// The columns of a round's form file and its rows read as form entries. A
// clerk keys the paper into the template as on the entry screen: the form's
// serial, the day it was answered, the unit (when the round has several),
// and for every question the number printed beside the ticked box; text as
// written. Columns are found by their header (the key in brackets is
// enough), not their place. Pure.

export interface FileUnit {
  id: number;
  code: string;
  name: string;
}

export const SERIAL_HEADER = 'Số phiếu';
export const DAY_HEADER = 'Ngày khảo sát (dd/mm/yyyy)';
export const UNIT_HEADER = 'Mã đơn vị';

/** The header of a field's column: its number and words, and its key to find it by. */
export function fieldHeader(f: PaperField): string {
  if (f.number === null) return `${f.label} (số trên phiếu) [${f.key}]`;
  const words = f.label.length > 60 ? `${f.label.slice(0, 57).trimEnd()}…` : f.label;
  return `Câu ${f.number}. ${words} [${f.key}]`;
}

/** The template's headers, in order. */
export function fileHeaders(fields: readonly PaperField[], units: readonly FileUnit[]): string[] {
  return [SERIAL_HEADER, DAY_HEADER, ...(units.length > 1 ? [UNIT_HEADER] : []), ...fields.map(fieldHeader)];
}

const norm = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
const bracketKey = (s: string) => /\[([^\]]+)\]\s*$/.exec(s)?.[1]?.trim();

type Column = { kind: 'serial' | 'day' | 'unit' } | { kind: 'field'; field: PaperField };

function columnOf(cell: Cell, fields: readonly PaperField[]): Column | undefined {
  if (typeof cell !== 'string') return undefined;
  const h = norm(cell);
  if (h === norm(SERIAL_HEADER)) return { kind: 'serial' };
  if (h === norm(DAY_HEADER) || h === norm('Ngày khảo sát')) return { kind: 'day' };
  if (h === norm(UNIT_HEADER)) return { kind: 'unit' };
  const key = bracketKey(cell);
  const field = fields.find((f) => (key ? f.key === key : norm(fieldHeader(f)) === h));
  return field ? { kind: 'field', field } : undefined;
}

export interface RowProblem {
  line: number | null;
  text: string;
}

export interface FileEntry {
  line: number;
  /** What the row says, to be checked by the same rules as the entry screen (round-form-service.ts). */
  raw: {
    serial: unknown;
    surveyedOn: string;
    unitId: number | null;
    serviceArea: string;
    answers: Record<string, string>;
  };
}

const blank = (c: Cell | undefined) => c === null || c === undefined || String(c).trim() === '';
const text = (c: Cell) => (c instanceof Date ? c.toISOString().slice(0, 10) : String(c).trim());

/** A day as dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd, or as Excel's date (a UTC midnight); undefined if not one. */
export function readDay(c: Cell): string | undefined {
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? undefined : c.toISOString().slice(0, 10);
  const s = String(c).trim();
  const vi = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const [y, m, d] = vi ? [vi[3], vi[2], vi[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (!y || !m || !d) return undefined;
  const day = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const back = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(back.getTime()) && back.toISOString().slice(0, 10) === day ? day : undefined;
}

/**
 * The file's rows as entries, or the problems found reading them (a column
 * missing, a box number the field does not have, a day that is no date).
 * The entries still go through the round's rules afterwards.
 */
export function readFormRows(
  rows: readonly SheetRow[],
  fields: readonly PaperField[],
  units: readonly FileUnit[],
): { entries: FileEntry[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const [head, ...body] = rows.filter((r) => r.cells.some((c) => !blank(c)));
  if (!head) return { entries: [], problems: [{ line: null, text: 'Tệp không có dòng nào.' }] };
  const columns = head.cells.map((c) => columnOf(c, fields));
  const at = (kind: string, key?: string) =>
    columns.findIndex((c) => c?.kind === kind && (key === undefined || (c.kind === 'field' && c.field.key === key)));
  const needed: [string, number][] = [
    [SERIAL_HEADER, at('serial')],
    [DAY_HEADER, at('day')],
    [fieldHeader(fields[0]!), at('field', fields[0]!.key)],
  ];
  if (units.length > 1) needed.push([UNIT_HEADER, at('unit')]);
  for (const [name, i] of needed) {
    if (i < 0) problems.push({ line: head.line, text: `Thiếu cột "${name}": vui lòng dùng tệp mẫu của đợt khảo sát.` });
  }
  if (problems.length) return { entries: [], problems };
  if (body.length === 0) return { entries: [], problems: [{ line: null, text: 'Tệp chưa có phiếu nào.' }] };

  const entries = body.map((row): FileEntry => {
    const cell = (i: number) => (i < 0 ? null : (row.cells[i] ?? null));
    const say = (column: string, what: string) =>
      problems.push({ line: row.line, text: `Dòng ${row.line}, cột "${column}": ${what}` });
    const serialCell = cell(at('serial'));
    const dayCell = cell(at('day'));
    const day = blank(dayCell) ? undefined : readDay(dayCell!);
    if (!day)
      say(DAY_HEADER, blank(dayCell) ? 'chưa ghi ngày khảo sát.' : `"${text(dayCell!)}" không phải ngày dd/mm/yyyy.`);
    let unitId: number | null = units.length === 1 ? units[0]!.id : null;
    if (units.length > 1) {
      const code = text(cell(at('unit')) ?? '');
      unitId = units.find((u) => u.code === code)?.id ?? null;
      if (!unitId) say(UNIT_HEADER, code ? `không có đơn vị mã "${code}" trong đợt khảo sát.` : 'chưa ghi mã đơn vị.');
    }
    let serviceArea = '';
    let areaTyped = false;
    const answers: Record<string, string> = {};
    columns.forEach((c, i) => {
      if (c?.kind !== 'field' || blank(cell(i))) return;
      const typed = text(cell(i)!);
      if (c.field.kind === 'area') areaTyped = true;
      const value = c.field.kind === 'text' ? typed : paperValue(c.field, typed);
      if (value === undefined) {
        const digits = c.field.boxes.map((b) => b.digit).join(', ');
        say(fieldHeader(c.field), `"${typed}" không phải số của một ô trên phiếu (${digits}).`);
      } else if (c.field.kind === 'area') serviceArea = value;
      else answers[c.field.key] = value;
    });
    if (!areaTyped) say(fieldHeader(fields[0]!), 'chưa ghi lĩnh vực.');
    return {
      line: row.line,
      raw: {
        serial: blank(serialCell) ? undefined : text(serialCell!),
        surveyedOn: day ?? '',
        unitId,
        serviceArea,
        answers,
      },
    };
  });
  return { entries, problems };
}
