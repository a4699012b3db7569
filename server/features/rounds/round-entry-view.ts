import { isoDateToVi } from '../../../analysis/local-time.ts';
import type { PaperBox } from '../../../surveys/paper-numbering.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { RoundFormRow } from './round-form-repository.ts';
import type { EntryProblem, FormEntry } from './round-form-rules.ts';
import { entryContext } from './round-form-service.ts';
import type { RoundRecord } from './round-repository.ts';

// What the paper-form screens show (issue 16): the fields of a round's form
// in printed order with the digits printed beside their boxes, the entries
// of a form in words, and the reconciler's reading turned back into an
// entry. The digits come from surveys/paper-numbering.ts, as on paper.

/** One field the clerk types, keyed as the service names it in problems and differences. */
export interface EntryField {
  /** 'unitId', 'serviceArea' or 'answers.<key>' */
  path: string;
  kind: 'unit' | 'area' | 'scale' | 'choice' | 'text';
  label: string;
  /** "Câu n" of the printed form; null for the unit and the service area. */
  number: number | null;
  required: boolean;
  boxes: PaperBox[];
  /** Whether a box has a number of two digits or more (typed, then Enter). */
  multi: boolean;
}

export interface EntryModel {
  round: RoundRecord;
  /** The unit field first when the round names more than one unit, then the printed fields. */
  fields: EntryField[];
  units: { id: number; name: string; code: string }[];
  /** The unit every form names when the round has only one. */
  onlyUnitId: number | null;
}

const dayVi = isoDateToVi;

/** A short name for a question in a list: the words before its first colon. */
const shortLabel = (label: string) => label.split(':')[0]!.trim();

/**
 * The entry screen's fields, as printed (entryContext numbers them). A
 * clerk of a unit below the round sees only their own units among the
 * unit's boxes, under the digits printed on the form.
 */
export async function entryModel(db: Db, round: RoundRecord, within: string): Promise<EntryModel> {
  const ctx = await entryContext(db, round, within);
  const allowed = new Set(ctx.allowedUnitIds.map(String));
  const fields: EntryField[] = ctx.fields.map((f) => {
    const boxes = f.kind === 'unit' ? f.boxes.filter((b) => allowed.has(b.value)) : f.boxes;
    return {
      path: f.kind === 'unit' ? 'unitId' : f.kind === 'area' ? 'serviceArea' : `answers.${f.key}`,
      kind: f.kind,
      label: f.label,
      number: f.number,
      required: f.number === null,
      boxes,
      multi: boxes.some((b) => b.digit >= 10),
    };
  });
  const units = ctx.units.filter((u) => allowed.has(String(u.id)));
  return {
    round,
    // A clerk with a single unit of a round of several has nothing to choose.
    fields: units.length > 1 ? fields : fields.filter((f) => f.kind !== 'unit'),
    units,
    onlyUnitId: units.length === 1 ? units[0]!.id : null,
  };
}

/** The field a service path names, or the day. */
function fieldLabel(model: EntryModel, path: string): string {
  if (path === 'surveyedOn') return 'Ngày khảo sát';
  if (path === 'serial') return 'Số phiếu';
  if (path === 'unitId') return 'Đơn vị';
  const f = model.fields.find((x) => x.path === path);
  if (!f) return path;
  return f.number === null ? f.label : `Câu ${f.number} (${shortLabel(f.label)})`;
}

/** The stored value of the box numbered `typed` in a field (as paperValue reads it), or undefined. */
export function boxValue(field: Pick<EntryField, 'boxes'>, typed: string): string | undefined {
  const digit = /^\d{1,3}$/.test(typed.trim()) ? Number(typed.trim()) : undefined;
  return field.boxes.find((b) => b.digit === digit)?.value;
}

/** The differing fields of a form, in words. */
export function differencesInWords(model: EntryModel, fields: readonly string[]): string[] {
  return fields.map((p) => fieldLabel(model, p));
}

/** An entry's value of a field as the clerk saw it: the digit and the box's words, the day, or the text. */
function shown(model: EntryModel, entry: FormEntry | null, path: string): string {
  if (!entry) return '';
  if (path === 'surveyedOn') return dayVi(entry.surveyedOn);
  const value = valueAt(entry, path);
  if (value === '') return '(để trống)';
  const field = model.fields.find((f) => f.path === path);
  if (path === 'unitId' && !field) return model.units.find((u) => String(u.id) === value)?.name ?? value;
  const box = field?.boxes.find((b) => b.value === value);
  return box ? `${box.digit} · ${box.label}` : value;
}

function valueAt(entry: FormEntry, path: string): string {
  if (path === 'unitId') return String(entry.unitId);
  if (path === 'serviceArea') return entry.serviceArea;
  return entry.answers[path.slice('answers.'.length)] ?? '';
}

/** What the reconciler types for a value: the digit of its box, the day as dd/mm/yyyy, or the text. */
function typedOf(model: EntryModel, entry: FormEntry, path: string): string {
  if (path === 'surveyedOn') return dayVi(entry.surveyedOn);
  const value = valueAt(entry, path);
  const field = model.fields.find((f) => f.path === path);
  if (!field || field.kind === 'text' || value === '') return value;
  return String(field.boxes.find((b) => b.value === value)?.digit ?? '');
}

export interface ReconcileRow {
  path: string;
  label: string;
  kind: EntryField['kind'] | 'day';
  first: string;
  second: string;
  differs: boolean;
  /** The input's value: what both entries say, or what the reconciler typed. */
  typed: string;
  boxes: PaperBox[];
  error?: string;
}

/** Both entries of a form side by side, one row per field, with the reading typed so far. */
export function reconcileRows(
  model: EntryModel,
  form: RoundFormRow,
  typed?: Record<string, string>,
  problems: readonly EntryProblem[] = [],
): ReconcileRow[] {
  const a = form.firstEntry;
  const b = form.secondEntry ?? form.firstEntry;
  return ['surveyedOn', ...model.fields.map((f) => f.path)].map((path) => {
    const field = model.fields.find((f) => f.path === path);
    const differs = path === 'surveyedOn' ? a.surveyedOn !== b.surveyedOn : valueAt(a, path) !== valueAt(b, path);
    return {
      path,
      label: fieldLabel(model, path),
      kind: path === 'surveyedOn' ? 'day' : (field?.kind ?? 'unit'),
      first: shown(model, a, path),
      second: shown(model, form.secondEntry, path),
      differs,
      typed: typed ? (typed[path] ?? '') : differs ? '' : typedOf(model, a, path),
      boxes: field?.boxes ?? [],
      error: problems.find((p) => p.path === path)?.message.vi,
    };
  });
}

/** A day typed as dd/mm/yyyy or ddmmyyyy, as ISO; anything else as typed (the service refuses it). */
export function isoDay(typed: string): string {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(typed.trim()) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(typed.trim());
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : typed.trim();
}

/** The reconciler's reading from the posted form: an entry for the service, or what is wrong with the digits. */
export function readReconcile(
  model: EntryModel,
  serial: number,
  body: unknown,
): { typed: Record<string, string>; entry: unknown; problems: EntryProblem[] } {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const typed: Record<string, string> = {};
  const read = (path: string) => {
    const v = raw[path];
    typed[path] = (typeof v === 'string' ? v : '').normalize('NFC').trim();
    return typed[path]!;
  };
  const problems: EntryProblem[] = [];
  const answers: Record<string, string> = {};
  let unitId: unknown = model.onlyUnitId;
  let serviceArea = '';
  for (const field of model.fields) {
    const t = read(field.path);
    let value = t;
    if (field.kind !== 'text' && t !== '') {
      const box = boxValue(field, t);
      if (box === undefined) {
        problems.push({
          path: field.path,
          message: { vi: `Không có ô số ${t} ở mục này.`, en: `There is no box numbered ${t} here.` },
        });
      }
      value = box ?? '';
    }
    if (field.required && t === '') {
      problems.push({
        path: field.path,
        message: { vi: 'Mục này không được để trống.', en: 'This field is required.' },
      });
    }
    if (field.path === 'unitId') unitId = value;
    else if (field.path === 'serviceArea') serviceArea = value;
    else if (value !== '') answers[field.path.slice('answers.'.length)] = value;
  }
  const surveyedOn = isoDay(read('surveyedOn'));
  return { typed, problems, entry: { serial, surveyedOn, unitId, serviceArea, answers } };
}
