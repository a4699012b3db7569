import type { Question } from './schema.ts';

// Perception items of QĐ 1001/QĐ-BNV shared by the quick and the full survey,
// so both ask them in the same words under the same keys.

export const tripsQuestion: Question = {
  type: 'choice',
  key: 'trips',
  required: false,
  text: {
    vi: 'Ông/Bà đã phải đi lại bao nhiêu lần để giải quyết công việc này?',
    en: 'How many trips did this matter take you?',
  },
  options: [
    { code: '1', text: { vi: '1 lần', en: 'once' } },
    { code: '2', text: { vi: '2 lần', en: 'twice' } },
    { code: '3plus', text: { vi: '3 lần trở lên', en: '3 times or more' } },
  ],
};

export const timelinessQuestion: Question = {
  type: 'choice',
  key: 'timeliness',
  required: false,
  text: {
    vi: 'Kết quả được trả so với ngày hẹn trên giấy tiếp nhận?',
    en: 'When was the result returned, compared with the date on your receipt?',
  },
  options: [
    { code: 'early', text: { vi: 'Sớm hơn ngày hẹn', en: 'before the date' } },
    { code: 'on_time', text: { vi: 'Đúng ngày hẹn', en: 'on the date' } },
    { code: 'late', text: { vi: 'Trễ hẹn', en: 'late' } },
    { code: 'not_yet', text: { vi: 'Chưa nhận kết quả', en: 'not received yet' } },
  ],
};

export const extraPaymentQuestion: Question = {
  type: 'choice',
  key: 'extra_payment',
  required: false,
  text: {
    vi: 'Ông/Bà có bị đề nghị nộp thêm khoản tiền nào ngoài phí, lệ phí đã niêm yết không?',
    en: 'Were you asked to pay anything beyond the published fees?',
  },
  options: [
    { code: 'no', text: { vi: 'Không', en: 'no' } },
    { code: 'yes', text: { vi: 'Có', en: 'yes' } },
  ],
};

export const overallQuestion: Question = {
  type: 'scale',
  key: 'overall',
  required: true,
  allowNa: false,
  text: {
    vi: 'Nhìn chung, Ông/Bà hài lòng với sự phục vụ của cơ quan hành chính nhà nước?',
    en: 'Overall, how satisfied are you with the service of the state administrative agency?',
  },
};

export const commentQuestion: Question = {
  type: 'text',
  key: 'comment',
  required: false,
  maxLength: 1000,
  text: { vi: 'Ý kiến góp ý (không bắt buộc)', en: 'Comments (optional)' },
};
