import { FACTOR_NAMES } from './factor-names.ts';
import { commentQuestion, overallQuestion } from './facts.ts';
import { FACTORS, type Factor, type SurveyDefinitionInput } from './schema.ts';

// The counter tablet's survey (issue 15): a citizen rates at the desk while
// the next one waits, so one tap on the overall item is a whole response.
// Every paired tablet uses it, whatever survey the desk's poster carries: the
// tablet's screens (one item, then a follow-up below 4) are built for it, and
// its overall item is the quick survey's own (facts.ts), so the headline rate
// pools kiosk and QR answers as one indicator.

/** The overall score at or below which the tablet asks what disappointed and offers a comment. */
export const COUNTER_FOLLOW_UP_AT_MOST = 3;

// English names of the factors as the methodology gives them; Vietnamese from factor-names.ts.
const FACTOR_EN: Record<Factor, string> = {
  access: 'Access to the service (place, waiting, equipment)',
  procedure: 'The administrative procedure',
  staff: 'The official who handled your case',
  result: 'The result delivered',
  feedback: 'How feedback and complaints are received and handled',
};

/** Version 1: the overall item; then, when it is 1–3, the factor that disappointed most and a comment. */
export const sipasCounter: SurveyDefinitionInput = {
  code: 'sipas-counter',
  title: { vi: 'Phiếu khảo sát mức độ hài lòng tại quầy', en: 'Satisfaction survey at the counter' },
  intro: {
    vi: 'Ông/Bà vui lòng cho biết mức độ hài lòng về lần giao dịch vừa rồi.',
    en: 'Please tell us how satisfied you are with the transaction you have just made.',
  },
  sections: [
    { questions: [overallQuestion] },
    {
      title: { vi: 'Góp thêm ý kiến (không bắt buộc)', en: 'More feedback (optional)' },
      questions: [
        {
          type: 'choice',
          key: 'disappointed',
          required: false,
          text: {
            vi: 'Ông/Bà chưa hài lòng nhất về điều gì?',
            en: 'What were you least satisfied with?',
          },
          options: FACTORS.map((f) => ({ code: f, text: { vi: FACTOR_NAMES[f], en: FACTOR_EN[f] } })),
        },
        commentQuestion,
      ],
    },
  ],
};
