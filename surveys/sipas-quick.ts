import { commentQuestion, extraPaymentQuestion, overallQuestion, timelinessQuestion, tripsQuestion } from './facts.ts';
import type { Question, SurveyDefinitionInput } from './schema.ts';

// The QR survey after a transaction: the overall item, one item per SIPAS
// factor, three facts and a comment. Every version ever shipped stays here,
// oldest first (instruments.ts publishes the ones a database lacks): a
// published version never changes, so neither does its entry.

const title = { vi: 'Phiếu khảo sát mức độ hài lòng', en: 'Satisfaction survey' };
const intro = {
  vi: 'Ông/Bà vui lòng cho biết mức độ hài lòng về lần giao dịch vừa rồi.',
  en: 'Please tell us how satisfied you are with the transaction you have just made.',
};

// One item per factor, keyed by the factor, in the same words in every version.
const factorItems: Extract<Question, { type: 'scale' }>[] = [
  {
    type: 'scale',
    key: 'access',
    factor: 'access',
    required: true,
    allowNa: true,
    text: {
      vi: 'Tiếp cận dịch vụ: nơi đón tiếp, chỗ ngồi chờ, trang thiết bị',
      en: 'Access: reception, waiting seats, equipment',
    },
  },
  {
    type: 'scale',
    key: 'procedure',
    factor: 'procedure',
    required: true,
    allowNa: true,
    text: {
      vi: 'Thủ tục hành chính: niêm yết công khai; hồ sơ, phí, lệ phí, thời hạn đúng quy định',
      en: 'The procedure: publicly posted; documents, fees and time limit as the rules say',
    },
  },
  {
    type: 'scale',
    key: 'staff',
    factor: 'staff',
    required: true,
    allowNa: true,
    text: {
      vi: 'Công chức tiếp nhận, giải quyết hồ sơ: thái độ, hướng dẫn, tuân thủ quy định',
      en: 'The official who handled your case: manner, guidance, following the rules',
    },
  },
  {
    type: 'scale',
    key: 'result',
    factor: 'result',
    required: true,
    allowNa: true,
    text: {
      vi: 'Kết quả giải quyết: đúng quy định, đầy đủ, chính xác',
      en: 'The result: as the rules say, complete, accurate',
    },
  },
  {
    type: 'scale',
    key: 'feedback',
    factor: 'feedback',
    required: true,
    allowNa: true,
    text: {
      vi: 'Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị',
      en: 'How feedback and complaints are received and handled',
    },
  },
];

const facts = [tripsQuestion, timelinessQuestion, extraPaymentQuestion, commentQuestion];

/** Version 1 (shipped 2026): every factor item required, before the overall item. */
export const sipasQuickV1: SurveyDefinitionInput = {
  code: 'sipas-quick',
  title,
  intro,
  sections: [
    { title: { vi: 'Ông/Bà hài lòng như thế nào về:', en: 'How satisfied are you with:' }, questions: factorItems },
    { questions: [overallQuestion] },
    { questions: facts },
  ],
};

/**
 * Version 2: one tap on the overall item is a whole response. The factor
 * items follow it, optional (counted where answered; "not applicable" and
 * blanks stay out of the denominator), so a citizen who never complained is
 * not made to rate complaint handling.
 */
export const sipasQuick: SurveyDefinitionInput = {
  code: 'sipas-quick',
  title,
  intro,
  sections: [
    { questions: [overallQuestion] },
    {
      title: { vi: 'Góp thêm ý kiến (không bắt buộc)', en: 'More feedback (optional)' },
      questions: factorItems.map((q) => ({ ...q, required: false })),
    },
    { questions: facts },
  ],
};
