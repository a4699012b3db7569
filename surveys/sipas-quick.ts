import { commentQuestion, extraPaymentQuestion, overallQuestion, timelinessQuestion, tripsQuestion } from './facts.ts';
import type { SurveyDefinitionInput } from './schema.ts';

// The QR survey after a transaction: one item per SIPAS factor, the overall
// item, three facts and a comment; answerable in under a minute on a phone.
export const sipasQuick: SurveyDefinitionInput = {
  code: 'sipas-quick',
  title: { vi: 'Phiếu khảo sát mức độ hài lòng', en: 'Satisfaction survey' },
  intro: {
    vi: 'Ông/Bà vui lòng cho biết mức độ hài lòng về lần giao dịch vừa rồi.',
    en: 'Please tell us how satisfied you are with the transaction you have just made.',
  },
  sections: [
    {
      title: { vi: 'Ông/Bà hài lòng như thế nào về:', en: 'How satisfied are you with:' },
      questions: [
        {
          type: 'scale',
          key: 'access',
          factor: 'access',
          text: {
            vi: 'Tiếp cận dịch vụ: nơi đón tiếp, chỗ ngồi chờ, trang thiết bị',
            en: 'Access: reception, waiting seats, equipment',
          },
        },
        {
          type: 'scale',
          key: 'procedure',
          factor: 'procedure',
          text: {
            vi: 'Thủ tục hành chính: niêm yết công khai; hồ sơ, phí, lệ phí, thời hạn đúng quy định',
            en: 'The procedure: publicly posted; documents, fees and time limit as the rules say',
          },
        },
        {
          type: 'scale',
          key: 'staff',
          factor: 'staff',
          text: {
            vi: 'Công chức tiếp nhận, giải quyết hồ sơ: thái độ, hướng dẫn, tuân thủ quy định',
            en: 'The official who handled your case: manner, guidance, following the rules',
          },
        },
        {
          type: 'scale',
          key: 'result',
          factor: 'result',
          text: {
            vi: 'Kết quả giải quyết: đúng quy định, đầy đủ, chính xác',
            en: 'The result: as the rules say, complete, accurate',
          },
        },
        {
          type: 'scale',
          key: 'feedback',
          factor: 'feedback',
          text: {
            vi: 'Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị',
            en: 'How feedback and complaints are received and handled',
          },
        },
      ],
    },
    { questions: [overallQuestion] },
    { questions: [tripsQuestion, timelinessQuestion, extraPaymentQuestion, commentQuestion] },
  ],
};
