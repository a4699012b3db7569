// Interface wording of the citizen pages, Vietnamese first (see
// ../shared/spec/glossary.md). Survey questions carry their own texts.

export type Locale = 'vi' | 'en';
export const LOCALES: readonly Locale[] = ['vi', 'en'];

export function pickLocale(value: unknown): Locale {
  return value === 'en' ? 'en' : 'vi';
}

const vi = {
  chooseArea: 'Ông/Bà vui lòng chọn lĩnh vực đã giao dịch',
  areaLabel: 'Lĩnh vực',
  send: 'Gửi đánh giá',
  sending: 'Đang gửi…',
  privacy: 'Phiếu khảo sát không thu thập thông tin cá nhân.',
  required: 'bắt buộc',
  errorsSummary: (n: number) => `Ông/Bà vui lòng kiểm tra lại ${n} mục được đánh dấu bên dưới.`,
  thanksTitle: 'Cảm ơn Ông/Bà!',
  thanks: 'Cảm ơn Ông/Bà đã dành thời gian đánh giá!',
  thanksNote: 'Ý kiến của Ông/Bà giúp cơ quan phục vụ người dân tốt hơn.',
  alreadySentTitle: 'Phiếu này đã được gửi',
  alreadySent: 'Phiếu đánh giá này đã được gửi trước đó với câu trả lời khác; câu trả lời gửi lần đầu được giữ nguyên.',
  codeUsedTitle: 'Mã đánh giá đã được sử dụng',
  codeUsed:
    'Mỗi mã trên giấy tiếp nhận chỉ dùng để đánh giá một lần, và mã này đã được dùng hoặc đã hết hạn. Ông/Bà vẫn có thể đánh giá bằng mã QR dán tại quầy.',
  codeNotFound: 'Không tìm thấy mã đánh giá này. Ông/Bà vui lòng quét lại mã QR trên giấy tiếp nhận.',
  notFoundTitle: 'Không tìm thấy trang',
  notFoundDesk:
    'Không tìm thấy quầy này hoặc quầy đã ngừng nhận đánh giá. Ông/Bà vui lòng quét lại mã QR tại quầy hoặc hỏi cán bộ tại quầy.',
  errorTitle: 'Đã có lỗi xảy ra',
  errorText: 'Hệ thống đang gặp sự cố. Ông/Bà vui lòng thử lại sau ít phút.',
  badRequest: 'Yêu cầu không hợp lệ.',
  switchLanguage: 'English',
  switchHref: 'en' as Locale,
};

const en: typeof vi = {
  chooseArea: 'Please choose the service area of your transaction',
  areaLabel: 'Service area',
  send: 'Send',
  sending: 'Sending…',
  privacy: 'This survey collects no personal data.',
  required: 'required',
  errorsSummary: (n: number) => `Please check the ${n} ${n === 1 ? 'item' : 'items'} marked below.`,
  thanksTitle: 'Thank you!',
  thanks: 'Thank you for your feedback!',
  thanksNote: 'Your answers help the office serve citizens better.',
  alreadySentTitle: 'Already sent',
  alreadySent: 'This form was already sent with different answers; the answers sent first are kept.',
  codeUsedTitle: 'Code already used',
  codeUsed:
    'Each code on a receipt admits one response, and this one has been used or has expired. You can still answer through the QR code at the desk.',
  codeNotFound: 'This survey code was not found. Please scan the QR code on your receipt again.',
  notFoundTitle: 'Page not found',
  notFoundDesk:
    'This desk was not found or no longer takes feedback. Please scan the QR code at the desk again or ask the staff.',
  errorTitle: 'Something went wrong',
  errorText: 'The system has a problem. Please try again in a few minutes.',
  badRequest: 'The request is not valid.',
  switchLanguage: 'Tiếng Việt',
  switchHref: 'vi',
};

export const UI: Record<Locale, typeof vi> = { vi, en };
