import type { Locale } from '../../platform/i18n.ts';
import type { ContactProblem } from './callback-rules.ts';

// The citizen's wording of the callback offer and of the follow-up page,
// Vietnamese first (../shared/spec/glossary.md), English second.

const vi = {
  offerTitle: 'Ông/Bà có muốn được liên hệ lại?',
  offerText:
    'Để lại số điện thoại hoặc thư điện tử, cán bộ phụ trách sẽ liên hệ lại trong 1 ngày làm việc. Thông tin này chỉ dùng để liên hệ về ý kiến này, không gắn với câu trả lời của Ông/Bà trong số liệu, và được xoá 30 ngày sau khi phản ánh được đóng.',
  contactLabel: 'Số điện thoại hoặc thư điện tử',
  consentLabel: 'Tôi đồng ý để cán bộ phụ trách dùng thông tin này liên hệ lại với tôi về ý kiến này.',
  offerSend: 'Gửi thông tin liên hệ',
  offerOptional: 'Không bắt buộc: Ông/Bà có thể bỏ qua phần này.',
  errors: {
    consent: 'Ông/Bà vui lòng đánh dấu ô đồng ý để cán bộ được liên hệ lại.',
    empty: 'Ông/Bà vui lòng nhập số điện thoại hoặc địa chỉ thư điện tử.',
    phone: 'Số điện thoại chưa đúng: số điện thoại Việt Nam gồm 10 chữ số, bắt đầu bằng 0 (hoặc +84).',
    email: 'Địa chỉ thư điện tử chưa đúng (ví dụ: ten@example.com).',
  } satisfies Record<ContactProblem | 'consent', string>,
  savedTitle: 'Đã nhận thông tin liên hệ',
  saved: (due: string) => `Cán bộ phụ trách sẽ liên hệ lại với Ông/Bà trước ngày ${due} (1 ngày làm việc).`,
  followLink:
    'Địa chỉ riêng để Ông/Bà xem trả lời và đánh giá cách giải quyết (vui lòng lưu lại, không chia sẻ cho người khác):',
  followMailed: 'Địa chỉ này cũng đã được gửi tới thư điện tử của Ông/Bà.',
  followMailFailed: 'Chưa gửi được thư tới địa chỉ thư điện tử của Ông/Bà: vui lòng lưu lại địa chỉ trên.',
  followCode:
    'Khi có trả lời, Ông/Bà có thể xem và đánh giá cách giải quyết bằng cách quét lại mã QR trên giấy tiếp nhận hồ sơ.',
  existsTitle: 'Đã có thông tin liên hệ',
  exists: 'Ông/Bà đã để lại thông tin liên hệ cho ý kiến này; cán bộ phụ trách sẽ liên hệ lại.',
  expiredTitle: 'Trang đã hết hạn',
  expired:
    'Thời gian để lại thông tin liên hệ (2 giờ sau khi gửi phiếu) đã hết. Ông/Bà có thể liên hệ trực tiếp Bộ phận Một cửa.',
  followTitle: 'Theo dõi ý kiến của Ông/Bà',
  pending: 'Cơ quan đang xử lý ý kiến của Ông/Bà. Trả lời sẽ hiện tại trang này.',
  replyHeading: 'Trả lời của cơ quan',
  answeredOn: 'Ngày trả lời',
  rateQuestion: 'Ông/Bà có hài lòng với cách giải quyết phản ánh?',
  rateYes: 'Hài lòng',
  rateNo: 'Chưa hài lòng',
  rateSend: 'Gửi đánh giá',
  rateOnce: 'Mỗi phản ánh chỉ được đánh giá cách giải quyết một lần.',
  rateMissing: 'Ông/Bà vui lòng chọn một câu trả lời.',
  ratedTitle: 'Cảm ơn Ông/Bà!',
  rated: 'Ông/Bà đã đánh giá cách giải quyết phản ánh này. Cảm ơn Ông/Bà.',
  alreadyRatedTitle: 'Đã đánh giá',
  alreadyRated: 'Ông/Bà đã đánh giá cách giải quyết phản ánh này rồi; mỗi phản ánh chỉ đánh giá một lần.',
  notAnswered: 'Phản ánh này chưa được trả lời, nên chưa thể đánh giá cách giải quyết.',
  rateLink: 'Đánh giá cách giải quyết phản ánh',
  notFound: 'Không tìm thấy trang theo dõi này. Ông/Bà vui lòng kiểm tra lại địa chỉ.',
};

const en: typeof vi = {
  offerTitle: 'Would you like to be contacted?',
  offerText:
    'Leave a phone number or e-mail address and the officer in charge will contact you within 1 working day. It is used only to contact you about this feedback, is not linked to your answers in any figures, and is deleted 30 days after the feedback is closed.',
  contactLabel: 'Phone number or e-mail',
  consentLabel: 'I agree that the officer in charge uses this to contact me about this feedback.',
  offerSend: 'Send contact details',
  offerOptional: 'Optional: you may skip this.',
  errors: {
    consent: 'Please tick the box to agree to be contacted.',
    empty: 'Please enter a phone number or an e-mail address.',
    phone: 'The phone number is not valid: a Vietnamese number has 10 digits starting with 0 (or +84).',
    email: 'The e-mail address is not valid (for example: name@example.com).',
  },
  savedTitle: 'Contact details received',
  saved: (due: string) => `The officer in charge will contact you by ${due} (1 working day).`,
  followLink: 'Your own address to read the reply and rate how it was handled (please keep it, do not share it):',
  followMailed: 'This address has also been sent to your e-mail.',
  followMailFailed: 'We could not send it to your e-mail: please keep the address above.',
  followCode: 'Once answered, you can read the reply and rate how it was handled by scanning the code on your receipt.',
  existsTitle: 'Contact details already left',
  exists: 'You have already left contact details for this feedback; the officer in charge will contact you.',
  expiredTitle: 'This page has expired',
  expired:
    'Contact details can be left within 2 hours of sending the form. You may contact the one-stop desk directly.',
  followTitle: 'Your feedback',
  pending: 'The office is handling your feedback. The reply will appear on this page.',
  replyHeading: "The office's reply",
  answeredOn: 'Answered on',
  rateQuestion: 'Are you satisfied with how your feedback was handled?',
  rateYes: 'Satisfied',
  rateNo: 'Not satisfied',
  rateSend: 'Send',
  rateOnce: 'The handling of each feedback can be rated once.',
  rateMissing: 'Please choose an answer.',
  ratedTitle: 'Thank you!',
  rated: 'You have rated how this feedback was handled. Thank you.',
  alreadyRatedTitle: 'Already rated',
  alreadyRated: 'You have already rated how this feedback was handled; each can be rated once.',
  notAnswered: 'This feedback has not been answered yet, so its handling cannot be rated.',
  rateLink: 'Rate how your feedback was handled',
  notFound: 'This follow-up page was not found. Please check the address.',
};

export const CALLBACK_TEXT: Record<Locale, typeof vi> = { vi, en };
export type CallbackText = typeof vi;

/** The callback form's data, for the thank-you page and for the form shown again with messages. */
export function callbackForm(
  lang: Locale,
  token: string,
  values: { contact: string; consent: boolean } = { contact: '', consent: false },
  errors: { contact?: string; consent?: string } = {},
) {
  return { lang, tx: CALLBACK_TEXT[lang], token, values, errors };
}
