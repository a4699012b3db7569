// The five local governments whose plans are in ../shared/seeds, each with a
// one-stop centre and its desks. Codes are what the QR links show.

export interface DemoDesk {
  code: string;
  name: string;
  serviceAreas: string[];
}

export interface DemoCommune {
  province: { code: string; name: string };
  commune: { code: string; name: string };
  centre: { code: string; name: string };
  desks: DemoDesk[];
  /** How many responses a day the centre's posters bring in, roughly. */
  dailyResponses: number;
  /** Added to every area's mood: wards of one city that do better or worse than the rest. */
  moodShift?: number;
  /** How often a satisfied respondent still answers 3 to a question (0.07 unless set). */
  neutralShare?: number;
}

function desksOf(prefix: string): DemoDesk[] {
  return [
    { code: `${prefix}-q1`, name: 'Quầy 1 – Đất đai, Xây dựng', serviceAreas: ['dat-dai', 'xay-dung'] },
    { code: `${prefix}-q2`, name: 'Quầy 2 – Hộ tịch', serviceAreas: ['ho-tich'] },
    { code: `${prefix}-q3`, name: 'Quầy 3 – Chứng thực, Cư trú', serviceAreas: ['chung-thuc', 'cu-tru'] },
    {
      code: `${prefix}-q4`,
      name: 'Quầy 4 – Lao động – Xã hội, Y tế, Giáo dục, Đầu tư',
      serviceAreas: ['lao-dong-xa-hoi', 'y-te', 'giao-duc', 'dau-tu-kinh-doanh'],
    },
  ];
}

function commune(
  province: [string, string],
  code: string,
  kind: 'Xã' | 'Phường',
  name: string,
  dailyResponses: number,
): DemoCommune {
  return {
    province: { code: province[0], name: province[1] },
    commune: { code, name: `${kind} ${name}` },
    centre: { code: `${code}-tt`, name: `Trung tâm Phục vụ hành chính công ${kind.toLowerCase()} ${name}` },
    desks: desksOf(code),
    dailyResponses,
  };
}

export const DEMO_COMMUNES: DemoCommune[] = [
  commune(['an-giang', 'Tỉnh An Giang'], 'tan-hoi', 'Xã', 'Tân Hội', 6),
  commune(['da-nang', 'Thành phố Đà Nẵng'], 'hoi-an-dong', 'Phường', 'Hội An Đông', 9),
  commune(['thanh-hoa', 'Tỉnh Thanh Hóa'], 'ha-tien', 'Xã', 'Hà Tiến', 4),
  commune(['lang-son', 'Tỉnh Lạng Sơn'], 'dinh-lap', 'Xã', 'Đình Lập', 3),
  commune(['hung-yen', 'Tỉnh Hưng Yên'], 'tien-phong', 'Xã', 'Tiền Phong', 5),
  // Two more wards of Đà Nẵng, with made-up figures, so that the city's page
  // has a league table: one ward clearly above the others, one clearly below.
  // Hội An's respondents are so content that it clears the demo's ≥ 90% target
  // by more than its interval: the dashboard then shows a firm "Đạt" too.
  {
    ...commune(['da-nang', 'Thành phố Đà Nẵng'], 'hoi-an', 'Phường', 'Hội An', 7),
    moodShift: 0.08,
    neutralShare: 0.01,
  },
  { ...commune(['da-nang', 'Thành phố Đà Nẵng'], 'hoi-an-tay', 'Phường', 'Hội An Tây', 7), moodShift: -0.2 },
];

/** Plausible satisfaction by service area: land and construction lag, as plans report. */
export const AREA_MOOD: Record<string, number> = {
  'dat-dai': 0.78,
  'xay-dung': 0.82,
  'dau-tu-kinh-doanh': 0.86,
  'ho-tich': 0.94,
  'chung-thuc': 0.95,
  'cu-tru': 0.92,
  'lao-dong-xa-hoi': 0.9,
  'y-te': 0.9,
  'giao-duc': 0.93,
};

export const DEMO_COMMENTS = [
  'Cán bộ hướng dẫn nhiệt tình, dễ hiểu.',
  'Phải chờ hơi lâu, mong bố trí thêm ghế ngồi.',
  'Thủ tục nhanh gọn, cảm ơn cán bộ.',
  'Hồ sơ đất đai phải bổ sung nhiều lần.',
  'Nên có chỗ để xe rộng hơn.',
  'Máy lấy số thứ tự bị hỏng.',
];
