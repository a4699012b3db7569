import { commentQuestion, overallQuestion } from './facts.ts';
import type { LocalText, Question, SurveyDefinitionInput } from './schema.ts';

// The commune questionnaire aligned with PAPI's eight dimensions
// (methodology §7; UNDP and CECODES, papi.org.vn). Only the dimensions and
// the themes of the questions follow PAPI: the official index comes from its
// own national sample and scoring, so every title and score of this survey
// says it is a local self-assessment.
//
// Items are keyed papi.<dimension>.<item>, so analysis/papi.ts groups them by
// key alone, in any later version too. A yes/no item names its good answer
// here, beside its wording: where "no" is good (a bribe asked, say) the item
// is listed in PAPI_XA_REVERSED_KEYS, which the scores read.
//
// The overall item is the shared one (facts.ts) rather than a question about
// the commune government: `overall` is the headline rate every shipped
// survey pools by key (methodology §2–3), so it must ask the same thing.

export const PAPI_DIMENSION_KEYS = [
  'participation',
  'transparency',
  'accountability',
  'corruption',
  'procedures',
  'services',
  'environment',
  'egovernance',
] as const;
export type PapiDimensionKey = (typeof PAPI_DIMENSION_KEYS)[number];

/** PAPI's own names of its dimensions, in its order. */
export const PAPI_DIMENSION_NAMES: Record<PapiDimensionKey, LocalText> = {
  participation: { vi: 'Tham gia của người dân ở cấp cơ sở', en: 'Participation at local levels' },
  transparency: {
    vi: 'Công khai, minh bạch trong việc ra quyết định ở địa phương',
    en: 'Transparency in local decision-making',
  },
  accountability: { vi: 'Trách nhiệm giải trình với người dân', en: 'Vertical accountability towards citizens' },
  corruption: { vi: 'Kiểm soát tham nhũng trong khu vực công', en: 'Control of corruption in the public sector' },
  procedures: { vi: 'Thủ tục hành chính công', en: 'Public administrative procedures' },
  services: { vi: 'Cung ứng dịch vụ công', en: 'Public service delivery' },
  environment: { vi: 'Quản trị môi trường', en: 'Environmental governance' },
  egovernance: { vi: 'Quản trị điện tử', en: 'E-governance' },
};

// [item, vi, en] for a 1–5 item; [item, vi, en, good] for a yes/no item.
type Item = [item: string, vi: string, en: string, good?: 'yes' | 'no'];

const ITEMS: Record<PapiDimensionKey, Item[]> = {
  participation: [
    [
      'voted_head',
      'Trong lần bầu trưởng thôn (tổ trưởng tổ dân phố) gần nhất, Ông/Bà hoặc người trong gia đình có đi bầu không?',
      'In the last election of your village or residential group head, did you or someone in your household vote?',
      'yes',
    ],
    [
      'consulted',
      'Trong 12 tháng qua, Ông/Bà có được mời góp ý cho dự án, công trình công cộng ở thôn, tổ dân phố không?',
      'In the past 12 months, were you invited to comment on a public project or works in your village or group?',
      'yes',
    ],
    [
      'voluntary',
      'Nếu gia đình có đóng góp cho công trình công cộng ở địa phương, việc đóng góp đó có hoàn toàn tự nguyện không?',
      'If your household contributed to local public works, was the contribution wholly voluntary?',
      'yes',
    ],
    [
      'heard',
      'Chính quyền xã/phường lắng nghe và tiếp thu ý kiến của người dân',
      'The commune government listens to and takes up what citizens say',
    ],
  ],
  transparency: [
    [
      'poor_list',
      'Danh sách hộ nghèo ở xã/phường có được công khai trong 12 tháng qua không?',
      'Was the list of poor households of the commune made public in the past 12 months?',
      'yes',
    ],
    [
      'budget',
      'Thu, chi ngân sách của xã/phường có được niêm yết công khai không?',
      "Are the commune's budget revenue and spending publicly posted?",
      'yes',
    ],
    [
      'land_plan',
      'Ông/Bà có biết quy hoạch, kế hoạch sử dụng đất hiện nay của xã/phường không?',
      "Do you know the commune's current land-use plan?",
      'yes',
    ],
    [
      'land_compensation',
      'Thông tin về giá bồi thường khi Nhà nước thu hồi đất được công khai, rõ ràng',
      'Information on compensation for land the State recovers is public and clear',
    ],
  ],
  accountability: [
    [
      'resolved',
      'Trong 12 tháng qua, khi Ông/Bà gặp cán bộ xã/phường để giải quyết khúc mắc, việc đó có được giải quyết không?',
      'In the past 12 months, when you went to a commune official with a problem, was it resolved?',
      'yes',
    ],
    [
      'inspection_board',
      'Xã/phường nơi Ông/Bà sinh sống có Ban Thanh tra nhân dân không?',
      "Does your commune have a People's Inspection Board?",
      'yes',
    ],
    [
      'inspection_effective',
      'Hoạt động của Ban Thanh tra nhân dân ở xã/phường',
      "The work of the commune's People's Inspection Board",
    ],
    [
      'answered',
      'Chính quyền xã/phường trả lời thỏa đáng phản ánh, kiến nghị của người dân',
      "The commune government answers citizens' complaints and petitions properly",
    ],
  ],
  corruption: [
    [
      'bribe_asked',
      'Trong 12 tháng qua, Ông/Bà có bị gợi ý hoặc phải đưa "tiền lót tay" khi làm việc với chính quyền xã/phường không?',
      'In the past 12 months, were you asked, or did you have to pay, a bribe in dealing with the commune government?',
      'no',
    ],
    [
      'public_funds',
      'Theo Ông/Bà, cán bộ xã/phường có lợi dụng chức vụ để trục lợi từ tiền ngân sách không?',
      'In your view, do commune officials use their position to profit from public funds?',
      'no',
    ],
    [
      'job_connections',
      'Muốn được làm việc trong cơ quan nhà nước ở xã/phường, có phải nhờ quan hệ thân quen hoặc chi tiền không?',
      'Does getting a job in a commune public body take personal connections or money?',
      'no',
    ],
    [
      'resolve',
      'Sự quyết tâm phòng, chống tham nhũng của chính quyền xã/phường',
      "The commune government's resolve against corruption",
    ],
  ],
  procedures: [
    [
      'fees_posted',
      'Phí, lệ phí của thủ tục Ông/Bà làm ở xã/phường có được niêm yết công khai không?',
      'Were the fees of the procedure you did at the commune publicly posted?',
      'yes',
    ],
    [
      'on_time',
      'Lần gần nhất làm thủ tục ở xã/phường, Ông/Bà có nhận được kết quả đúng hẹn không?',
      'The last time you did a procedure at the commune, did you get the result on the promised date?',
      'yes',
    ],
    [
      'guidance',
      'Công chức xã/phường hướng dẫn thủ tục rõ ràng, dễ hiểu',
      'Commune officials explain procedures clearly and simply',
    ],
    [
      'quality',
      'Chất lượng giải quyết thủ tục hành chính tại xã/phường',
      'The quality of administrative procedures at the commune',
    ],
  ],
  services: [
    [
      'health_station',
      'Chất lượng khám, chữa bệnh tại trạm y tế xã/phường',
      'The quality of care at the commune health station',
    ],
    [
      'primary_school',
      'Chất lượng trường tiểu học công lập gần nơi Ông/Bà sinh sống',
      'The quality of the public primary school near you',
    ],
    ['roads', 'Chất lượng đường giao thông ở thôn, tổ dân phố', 'The quality of the roads in your village or group'],
    [
      'waste_collected',
      'Rác thải sinh hoạt của gia đình Ông/Bà có được thu gom thường xuyên không?',
      "Is your household's waste collected regularly?",
      'yes',
    ],
    ['safety', 'An ninh, trật tự ở nơi Ông/Bà sinh sống', 'Safety and public order where you live'],
  ],
  environment: [
    ['air', 'Chất lượng không khí nơi Ông/Bà sinh sống', 'The quality of the air where you live'],
    [
      'water',
      'Chất lượng nước ở sông, suối, kênh, hồ gần nơi Ông/Bà sinh sống',
      'The quality of the water in rivers, streams, canals and lakes near you',
    ],
    [
      'polluters_handled',
      'Khi người dân phản ánh một cơ sở gây ô nhiễm, chính quyền xã/phường có xử lý không?',
      'When citizens report a polluting business, does the commune government act on it?',
      'yes',
    ],
  ],
  egovernance: [
    ['internet', 'Gia đình Ông/Bà có sử dụng Internet không?', 'Does your household use the internet?', 'yes'],
    [
      'portal_info',
      'Ông/Bà đã từng tìm thông tin về thủ tục, chính sách trên cổng thông tin điện tử của xã/phường hoặc tỉnh chưa?',
      'Have you ever looked up procedures or policies on the e-portal of your commune or province?',
      'yes',
    ],
    [
      'online_filing',
      'Ông/Bà đã từng nộp hồ sơ trực tuyến trên Cổng Dịch vụ công chưa?',
      'Have you ever filed a dossier online on the Public Service Portal?',
      'yes',
    ],
    [
      'online_ease',
      'Sự thuận tiện khi sử dụng dịch vụ công trực tuyến',
      'How convenient online public services are to use',
    ],
  ],
};

// A don't-know is left out like "not applicable" on a scale (methodology §7).
const YES_NO_OPTIONS = [
  { code: 'yes', text: { vi: 'Có', en: 'Yes' } },
  { code: 'no', text: { vi: 'Không', en: 'No' } },
  { code: 'na', text: { vi: 'Không biết / Không áp dụng', en: "Don't know / not applicable" } },
];

function question(dimension: PapiDimensionKey, [item, vi, en, good]: Item): Question {
  const key = `papi.${dimension}.${item}`;
  return good
    ? { type: 'choice', key, text: { vi, en }, options: YES_NO_OPTIONS, required: false }
    : { type: 'scale', key, text: { vi, en }, required: false, allowNa: true };
}

/** The yes/no items whose good answer is "no": analysis/papi.ts scores them the other way round. */
export const PAPI_XA_REVERSED_KEYS: readonly string[] = PAPI_DIMENSION_KEYS.flatMap((d) =>
  ITEMS[d].filter(([, , , good]) => good === 'no').map(([item]) => `papi.${d}.${item}`),
);

/** Version 1: one section per PAPI dimension, then the shared overall item and a comment. */
export const papiXa: SurveyDefinitionInput = {
  code: 'papi-xa',
  title: {
    vi: 'Phiếu tự đánh giá quản trị cấp xã theo các trụ cột của PAPI (không phải Chỉ số PAPI chính thức)',
    en: "Commune governance self-assessment along PAPI's dimensions (not the official PAPI index)",
  },
  intro: {
    vi: 'Phiếu giúp xã/phường tự đánh giá theo tám trụ cột của Chỉ số PAPI; kết quả không phải là Chỉ số PAPI chính thức. Câu nào Ông/Bà không biết hoặc không gặp, xin chọn "Không biết / Không áp dụng" hoặc bỏ qua.',
    en: 'This form helps the commune assess itself along the eight dimensions of the PAPI index; its results are not the official PAPI index. Where you do not know or it does not apply, choose "Don\'t know / not applicable" or skip the question.',
  },
  sections: [
    ...PAPI_DIMENSION_KEYS.map((d) => ({
      title: PAPI_DIMENSION_NAMES[d],
      questions: ITEMS[d].map((item) => question(d, item)),
    })),
    { questions: [overallQuestion, commentQuestion] },
  ],
};
