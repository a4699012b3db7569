import { commentQuestion, extraPaymentQuestion, overallQuestion, timelinessQuestion, tripsQuestion } from './facts.ts';
import type { Factor, LocalText, SurveyDefinitionInput } from './schema.ts';

// The periodic survey: the 22 criteria of QĐ 2640/QĐ-BNV by factor (wording
// recalled, shipped as an editable default), the overall item, the perception
// items of QĐ 1001/QĐ-BNV and what to improve first.

type Criterion = [key: string, vi: string, en: string];

const CRITERIA: Record<Factor, { title: LocalText; items: Criterion[] }> = {
  access: {
    title: { vi: 'Tiếp cận dịch vụ', en: 'Access to the service' },
    items: [
      ['seats', 'Nơi ngồi chờ có đủ chỗ ngồi', 'Enough seats in the waiting area'],
      ['equipment', 'Trang thiết bị phục vụ người dân đầy đủ', 'Enough equipment for citizens'],
      ['modern_equipment', 'Trang thiết bị phục vụ người dân hiện đại', 'Modern equipment'],
      ['easy_equipment', 'Trang thiết bị dễ sử dụng', 'Equipment easy to use'],
    ],
  },
  procedure: {
    title: { vi: 'Thủ tục hành chính', en: 'The administrative procedure' },
    items: [
      ['posted', 'Thủ tục hành chính được niêm yết công khai đầy đủ', 'The procedure is publicly posted'],
      ['accurate', 'Thủ tục hành chính được niêm yết công khai chính xác', 'The posted procedure is accurate'],
      ['documents', 'Thành phần hồ sơ phải nộp đúng quy định', 'The documents asked for match the rules'],
      ['fees', 'Phí, lệ phí phải nộp đúng quy định', 'The fees match the rules'],
      ['time_limit', 'Thời hạn giải quyết đúng quy định', 'The time limit matches the rules'],
    ],
  },
  staff: {
    title: { vi: 'Công chức trực tiếp giải quyết công việc', en: 'The official who handled the case' },
    items: [
      ['polite', 'Công chức có thái độ giao tiếp lịch sự', 'The official was polite'],
      ['listens', 'Công chức chú ý lắng nghe ý kiến của Ông/Bà', 'The official listened to you'],
      [
        'answers',
        'Công chức trả lời, giải thích đầy đủ các ý kiến của Ông/Bà',
        'The official answered your questions fully',
      ],
      ['guides', 'Công chức hướng dẫn kê khai hồ sơ tận tình, chu đáo', 'The official guided the filing patiently'],
      ['clear', 'Công chức hướng dẫn kê khai hồ sơ dễ hiểu', 'The guidance was easy to understand'],
      ['rules', 'Công chức tuân thủ đúng quy định trong giải quyết công việc', 'The official followed the rules'],
    ],
  },
  result: {
    title: { vi: 'Kết quả cung ứng dịch vụ', en: 'The result delivered' },
    items: [
      ['lawful', 'Kết quả đúng quy định', 'The result matches the rules'],
      ['complete', 'Kết quả có thông tin đầy đủ', 'The information in the result is complete'],
      ['accurate', 'Kết quả có thông tin chính xác', 'The information in the result is accurate'],
    ],
  },
  feedback: {
    title: { vi: 'Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị', en: 'Feedback and complaints' },
    items: [
      [
        'channel',
        'Cơ quan có bố trí hình thức tiếp nhận góp ý, phản ánh, kiến nghị',
        'There is a way to give feedback',
      ],
      ['easy', 'Ông/Bà dễ dàng thực hiện góp ý, phản ánh, kiến nghị', 'Feedback is easy to give'],
      ['handled', 'Cơ quan tiếp nhận, xử lý tích cực các góp ý, phản ánh, kiến nghị', 'Feedback is handled actively'],
      [
        'reported',
        'Cơ quan thông báo kịp thời kết quả xử lý góp ý, phản ánh, kiến nghị',
        'The outcome is reported back in time',
      ],
    ],
  },
};

const factorSections = (Object.keys(CRITERIA) as Factor[]).map((factor) => ({
  title: CRITERIA[factor].title,
  questions: CRITERIA[factor].items.map(([key, vi, en]) => ({
    type: 'scale' as const,
    key: `${factor}.${key}`,
    factor,
    text: { vi, en },
  })),
}));

export const sipasFull: SurveyDefinitionInput = {
  code: 'sipas-full',
  title: {
    vi: 'Phiếu khảo sát sự hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính nhà nước',
    en: 'Survey of citizen satisfaction with the service of state administrative agencies',
  },
  intro: {
    vi: 'Ông/Bà vui lòng đánh giá từng nội dung dưới đây.',
    en: 'Please rate each item below.',
  },
  sections: [
    ...factorSections,
    { questions: [overallQuestion] },
    {
      title: { vi: 'Thông tin thêm', en: 'A few facts' },
      questions: [
        tripsQuestion,
        timelinessQuestion,
        extraPaymentQuestion,
        {
          type: 'choice',
          key: 'harassment',
          text: {
            vi: 'Công chức có gây phiền hà, sách nhiễu khi giải quyết công việc cho Ông/Bà không?',
            en: 'Did the official cause you trouble or harassment?',
          },
          options: [
            { code: 'no', text: { vi: 'Không', en: 'no' } },
            { code: 'yes', text: { vi: 'Có', en: 'yes' } },
          ],
        },
        {
          type: 'choice',
          key: 'improve_first',
          text: {
            vi: 'Theo Ông/Bà, cơ quan cần ưu tiên cải thiện nội dung nào nhất?',
            en: 'What should the office improve first?',
          },
          options: [
            ...(Object.keys(CRITERIA) as Factor[]).map((f) => ({ code: f, text: CRITERIA[f].title })),
            { code: 'other', text: { vi: 'Nội dung khác', en: 'something else' } },
          ],
        },
        commentQuestion,
      ],
    },
  ],
};
