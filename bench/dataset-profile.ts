// What the bench dataset looks like (dataset.ts): the year, the provinces,
// the place names of communes, the volume and mood of each service area,
// how items and optional questions are answered, and the closed days.

export const YEAR = 2025;
export const TZ = 'Asia/Ho_Chi_Minh';

// Vietnam's 34 provincial units since the 2025 reorganisation.
export const PROVINCES = [
  'Thành phố Hà Nội',
  'Thành phố Hồ Chí Minh',
  'Thành phố Hải Phòng',
  'Thành phố Đà Nẵng',
  'Thành phố Cần Thơ',
  'Thành phố Huế',
  'Tỉnh Lai Châu',
  'Tỉnh Điện Biên',
  'Tỉnh Sơn La',
  'Tỉnh Lạng Sơn',
  'Tỉnh Quảng Ninh',
  'Tỉnh Thanh Hóa',
  'Tỉnh Nghệ An',
  'Tỉnh Hà Tĩnh',
  'Tỉnh Cao Bằng',
  'Tỉnh Tuyên Quang',
  'Tỉnh Lào Cai',
  'Tỉnh Thái Nguyên',
  'Tỉnh Phú Thọ',
  'Tỉnh Bắc Ninh',
  'Tỉnh Hưng Yên',
  'Tỉnh Ninh Bình',
  'Tỉnh Quảng Trị',
  'Tỉnh Quảng Ngãi',
  'Tỉnh Gia Lai',
  'Tỉnh Khánh Hòa',
  'Tỉnh Lâm Đồng',
  'Tỉnh Đắk Lắk',
  'Tỉnh Đồng Nai',
  'Tỉnh Tây Ninh',
  'Tỉnh Vĩnh Long',
  'Tỉnh Đồng Tháp',
  'Tỉnh Cà Mau',
  'Tỉnh An Giang',
];

export const PLACE_NAMES = [
  'Tân An',
  'Bình Minh',
  'Hòa Bình',
  'Phú Lợi',
  'An Phú',
  'Long Hưng',
  'Thạnh Mỹ',
  'Đông Hòa',
  'Tây Sơn',
  'Nam Thành',
  'Hưng Đạo',
  'Quang Trung',
  'Thống Nhất',
  'Tân Lập',
  'Vĩnh Phúc',
  'Phước Long',
  'Hiệp Thành',
  'Trung Hòa',
  'Mỹ Xuyên',
  'Kim Liên',
  'Yên Hòa',
  'Đồng Tâm',
  'Xuân Phương',
  'Cẩm Thạch',
];

// Relative volume of each service area (civil status and land lead); areas
// not listed here get a small share.
export const AREA_WEIGHT: Record<string, number> = {
  'ho-tich': 0.22,
  'dat-dai': 0.2,
  'chung-thuc': 0.14,
  'cu-tru': 0.1,
  'lao-dong-xa-hoi': 0.08,
  'dau-tu-kinh-doanh': 0.06,
  'xay-dung': 0.06,
  'bao-hiem': 0.06,
  'y-te': 0.04,
  'giao-duc': 0.04,
};
// How much a service area moves satisfaction (land and construction lower).
export const AREA_MOOD: Record<string, number> = {
  'dat-dai': -0.25,
  'xay-dung': -0.15,
  'dau-tu-kinh-doanh': -0.05,
  'ho-tich': 0.1,
  'chung-thuc': 0.1,
  'cu-tru': 0.05,
};
// Per item, on top of the response's mood.
export const ITEM_SHIFT: Record<string, number> = { access: 0.05, procedure: -0.05, staff: 0.1, feedback: -0.15 };
export const NA_RATE: Record<string, number> = { feedback: 0.06 };
// Optional questions: how often they are answered, and the weights of their options.
export const OPTIONAL_RATE: Record<string, number> = {
  // The factor items became optional in sipas-quick v2 (overall alone may be
  // sent); most citizens still answer them.
  access: 0.85,
  procedure: 0.85,
  staff: 0.85,
  result: 0.85,
  feedback: 0.8,
  trips: 0.35,
  timeliness: 0.3,
  extra_payment: 0.3,
  comment: 0.05,
};
export const OPTION_WEIGHT: Record<string, Record<string, number>> = {
  trips: { '1': 78, '2': 17, '3plus': 5 },
  timeliness: { early: 22, on_time: 68, late: 6, not_yet: 4 },
  extra_payment: { no: 97, yes: 3 },
};
export const COMMENTS = [
  'Cán bộ hướng dẫn nhiệt tình, chu đáo.',
  'Thời gian chờ hơi lâu vào buổi sáng.',
  'Cần thêm ghế ngồi ở khu vực chờ.',
  'Thủ tục nhanh gọn, tôi rất hài lòng.',
  'Nên niêm yết rõ hơn các khoản phí.',
  'Máy lấy số thứ tự thỉnh thoảng bị hỏng.',
  'Cảm ơn cán bộ đã hỗ trợ tận tình.',
  'Phải đi lại nhiều lần vì thiếu giấy tờ, mong hướng dẫn rõ ngay từ đầu.',
  'Bãi giữ xe chật.',
  'Nhân viên thân thiện, lịch sự.',
];
export const REASONS = [
  'desk_rate',
  'desk_rate',
  'burst',
  'burst',
  'burst',
  'too_fast',
  'too_fast',
  'client_rate',
  'honeypot',
];

// Public holidays of 2025 on working days (Tết 25 Jan – 2 Feb, Hùng Kings,
// 30/4–1/5 and the bridge days, National Day); offices are closed.
export const HOLIDAYS = new Set([
  '2025-01-01',
  '2025-01-27',
  '2025-01-28',
  '2025-01-29',
  '2025-01-30',
  '2025-01-31',
  '2025-04-07',
  '2025-04-30',
  '2025-05-01',
  '2025-05-02',
  '2025-09-01',
  '2025-09-02',
]);
