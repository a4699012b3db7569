import type { LocalText, SurveyDefinition } from '../../../../surveys/schema.ts';
import { type AnswerColumn, answerColumns } from '../../../../surveys/value-labels.ts';
import type { RawResponseRow } from '../raw-response-repository.ts';
import { CHANNEL_LABELS } from './report-text.ts';
import { RAW_COLUMNS, type XlsxValue } from './responses.ts';

// The raw responses as a person reads them in Excel: the questions in the
// survey's order under their Vietnamese wording, each answer in words
// ("Hài lòng", "Không áp dụng", "3 lần trở lên"), the service area, channel
// and survey by name, the day as a date; and a data dictionary that maps
// every code of the CSV (which keeps codes, for machines) to its words in
// both languages. The words come from the definitions of the versions
// answered, so an export reads the way its citizens were asked. Pure.

export interface LabelSources {
  /** The survey versions answered in scope, newest first. */
  versions: readonly { id: number; surveyCode: string; version: number; definition: SurveyDefinition }[];
  serviceAreas: readonly { code: string; nameVi: string; nameEn: string }[];
  /** Every answer key stored in scope: one no definition asks still gets a column, under its key. */
  answerKeys: readonly string[];
}

export interface LabelledSheet {
  columns: string[];
  row(r: RawResponseRow): XlsxValue[];
  /** The "Từ điển dữ liệu" sheet, its header first. */
  dictionary: XlsxValue[][];
}

export const DICTIONARY_HEADER = [
  'Mã (cột trong tệp CSV)',
  'Câu hỏi / cột (tiếng Việt)',
  'Question / column (English)',
  'Giá trị (mã trong CSV)',
  'Nhãn (tiếng Việt)',
  'Label (English)',
];

const FREE_TEXT: LocalText = { vi: '(câu trả lời tự do)', en: '(free text)' };

/** The fixed columns that hold codes, with their names in both languages. */
const CODED = {
  area: { key: RAW_COLUMNS[3]!, text: { vi: 'Lĩnh vực', en: 'Service area' } },
  channel: { key: RAW_COLUMNS[4]!, text: { vi: 'Kênh', en: 'Channel' } },
  survey: { key: RAW_COLUMNS[5]!, text: { vi: 'Phiếu khảo sát', en: 'Survey' } },
};

function dayToDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // UTC midnight: a whole day, no time of day in the serial number.
  return new Date(Date.UTC(y, m - 1, d));
}

const yesNo = (b: boolean) => (b ? 'có' : 'không');

export function labelledSheet(src: LabelSources): LabelledSheet {
  const questions: AnswerColumn[] = answerColumns(src.versions.map((v) => v.definition));
  for (const key of src.answerKeys) {
    if (!questions.some((q) => q.key === key))
      questions.push({ key, text: { vi: key, en: key }, type: 'text', values: [] });
  }
  const labels = questions.map((q) => new Map(q.values.map((v) => [v.value, v.label.vi])));
  const areas = new Map(src.serviceAreas.map((a) => [a.code, a.nameVi]));
  const titles = new Map(src.versions.map((v) => [v.id, v.definition.title.vi]));
  const surveys = new Map<string, LocalText>();
  for (const v of src.versions) if (!surveys.has(v.surveyCode)) surveys.set(v.surveyCode, v.definition.title);

  const row = (r: RawResponseRow): XlsxValue[] => [
    dayToDate(r.day),
    r.unitName,
    r.deskName ?? r.deskCode,
    areas.get(r.serviceAreaCode) ?? r.serviceAreaCode,
    CHANNEL_LABELS[r.channel as keyof typeof CHANNEL_LABELS]?.vi ?? r.channel,
    titles.get(r.surveyVersionId) ?? r.surveyCode,
    r.version,
    yesNo(r.verified),
    yesNo(r.suspect),
    ...questions.map((q, i) => {
      const v = r.answers[q.key];
      return v === undefined ? null : (labels[i]!.get(v) ?? v);
    }),
  ];

  const entry = (key: string, text: LocalText, value: string, label: LocalText): XlsxValue[] => [
    key,
    text.vi,
    text.en,
    value,
    label.vi,
    label.en,
  ];
  const dictionary: XlsxValue[][] = [
    DICTIONARY_HEADER,
    ...src.serviceAreas.map((a) => entry(CODED.area.key, CODED.area.text, a.code, { vi: a.nameVi, en: a.nameEn })),
    ...Object.entries(CHANNEL_LABELS).map(([code, label]) => entry(CODED.channel.key, CODED.channel.text, code, label)),
    ...[...surveys].map(([code, title]) => entry(CODED.survey.key, CODED.survey.text, code, title)),
    ...questions.flatMap((q) =>
      q.type === 'text'
        ? [entry(q.key, q.text, '', FREE_TEXT)]
        : q.values.map((v) => entry(q.key, q.text, v.value, v.label)),
    ),
  ];
  return { columns: [...RAW_COLUMNS, ...questions.map((q) => q.text.vi)], row, dictionary };
}
