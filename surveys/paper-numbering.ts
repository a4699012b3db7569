import { FORM_FIELD } from './form-fields.ts';
import { NA, NA_LABEL, SCALE_LABELS, SCALE_VALUES } from './scale.ts';
import type { Question, SurveyDefinition } from './schema.ts';

// The numbers printed beside the tick boxes of a paper questionnaire, which
// the clerk types when entering a form: the printed form (rounds/round-print)
// and the data-entry screen both take them from here, so a number means the
// same on paper and on screen. Pure: no Fastify, no database.
//
// - Service area ("Lĩnh vực thủ tục"): 1..k over the round's areas sorted by
//   code, whatever order the caller gives them in.
// - Scale items: 1–5 as on the scale, 0 for "Không áp dụng" where allowed.
// - Choice items: 1..k in the order of the definition's options.
// - Text items: no boxes, ruled lines.

/** The key of the service-area field, as the citizen's form names it. */
export const PAPER_AREA_KEY = FORM_FIELD.serviceArea;
/** The key of the unit field, printed only when a round spans several units. */
export const PAPER_UNIT_KEY = 'unitId';

/** The digit printed (and typed) for "Không áp dụng". */
export const PAPER_NA_DIGIT = 0;

export interface PaperBox {
  /** What is printed beside the box and typed by the clerk. */
  digit: number;
  /** The stored value: an area code, '1'–'5' or 'na', an option code. */
  value: string;
  /** Vietnamese words of the box. */
  label: string;
}

export interface PaperField {
  /** PAPER_UNIT_KEY, PAPER_AREA_KEY, otherwise the question's indicator key. */
  key: string;
  kind: 'unit' | 'area' | Question['type'];
  /** The question as printed, in Vietnamese. */
  label: string;
  /** "Câu n" on paper, counted over the whole survey; null for the unit and the service area. */
  number: number | null;
  /** Index of the definition's section, null for the unit and the service area. */
  section: number | null;
  required: boolean;
  /** None for a free-text question. */
  boxes: PaperBox[];
}

export interface PaperArea {
  code: string;
  nameVi: string;
}

export interface PaperUnit {
  id: number;
  name: string;
}

function boxesOf(q: Question): PaperBox[] {
  switch (q.type) {
    case 'scale':
      return [
        ...SCALE_VALUES.map((v) => ({ digit: v, value: String(v), label: SCALE_LABELS[v].vi })),
        ...(q.allowNa ? [{ digit: PAPER_NA_DIGIT, value: NA, label: NA_LABEL.vi }] : []),
      ];
    case 'choice':
      return q.options.map((o, i) => ({ digit: i + 1, value: o.code, label: o.text.vi }));
    case 'text':
      return [];
  }
}

/**
 * Every field of the paper form in printed order: the unit where the citizen
 * was served (only when there are several: 1..k in the order given, the
 * round's units by their place in the tree), the service area, then each
 * question.
 */
export function paperNumbering(
  definition: SurveyDefinition,
  areas: readonly PaperArea[],
  units: readonly PaperUnit[] = [],
): PaperField[] {
  const sorted = [...new Map(areas.map((a) => [a.code, a])).values()].sort((a, b) =>
    a.code < b.code ? -1 : a.code > b.code ? 1 : 0,
  );
  const fields: PaperField[] = [];
  if (units.length > 1) {
    fields.push({
      key: PAPER_UNIT_KEY,
      kind: 'unit',
      label: 'Nơi giao dịch',
      number: null,
      section: null,
      required: true,
      boxes: units.map((u, i) => ({ digit: i + 1, value: String(u.id), label: u.name })),
    });
  }
  fields.push({
    key: PAPER_AREA_KEY,
    kind: 'area',
    label: 'Lĩnh vực thủ tục',
    number: null,
    section: null,
    required: true,
    boxes: sorted.map((a, i) => ({ digit: i + 1, value: a.code, label: a.nameVi })),
  });
  let number = 0;
  definition.sections.forEach((section, s) => {
    for (const q of section.questions) {
      number += 1;
      fields.push({
        key: q.key,
        kind: q.type,
        label: q.text.vi,
        number,
        section: s,
        required: q.required,
        boxes: boxesOf(q),
      });
    }
  });
  return fields;
}

/** The stored value of the box numbered `typed` ("3", "0") in a field, or undefined if it has none. */
export function paperValue(field: PaperField, typed: string): string | undefined {
  const digit = /^\d{1,3}$/.test(typed.trim()) ? Number(typed.trim()) : undefined;
  return field.boxes.find((b) => b.digit === digit)?.value;
}

/** The digit printed for a stored value (the reverse of paperValue), for showing an entered form. */
export function paperDigit(field: PaperField, value: string): number | undefined {
  return field.boxes.find((b) => b.value === value)?.digit;
}
