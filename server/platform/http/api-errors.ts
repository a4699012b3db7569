import { z } from 'zod';
import { ANSWER_MESSAGES } from '../../../surveys/answers.ts';

// The one body of every API error, 4xx and 5xx alike:
//   {"code": "...", "message": {"vi", "en"}, "errors": [{"path", "code", "message": {"vi", "en"}}]}
// `code` is stable and comes from API_ERROR_CODES; `errors` names each field
// at fault (empty when the whole request is). Clients branch on the codes and
// may show the messages. README.md ("For machines") lists both catalogues.

export const LocalizedMessage = z
  .object({ vi: z.string(), en: z.string() })
  .meta({ id: 'LocalizedMessage', description: 'The same message in Vietnamese and in English.' });
type LocalMessage = z.infer<typeof LocalizedMessage>;

/** Top-level codes: what went wrong, the statuses it comes with, its default message. */
export const API_ERROR_CODES = {
  'validation.failed': {
    status: [422],
    en: 'The request is not valid: see errors for each field.',
    vi: 'Dữ liệu gửi lên không hợp lệ: xem chi tiết từng trường.',
  },
  'submission.invalid': {
    status: [422],
    en: 'The answers do not fit the survey: see errors for each question.',
    vi: 'Câu trả lời không phù hợp với phiếu khảo sát: xem chi tiết từng câu hỏi.',
  },
  'submission.conflict': {
    status: [409],
    en: 'This submissionId was already used with other answers.',
    vi: 'submissionId này đã được dùng với câu trả lời khác.',
  },
  'desk.unknown': {
    status: [404, 422],
    en: 'No active desk with this code',
    vi: 'Không có quầy đang hoạt động với mã này',
  },
  'service_area.not_served': {
    status: [422],
    en: 'This desk does not serve that service area',
    vi: 'Quầy này không phục vụ lĩnh vực đã chọn',
  },
  'volume.invalid': {
    status: [422],
    en: 'The dossier volumes cannot be stored as sent, and none were: see errors for each row and field.',
    vi: 'Số liệu hồ sơ chưa được lưu (không dòng nào được lưu): xem chi tiết từng dòng, từng trường.',
  },
  'round.unknown': {
    status: [422],
    en: 'No survey round with this code holds the desk.',
    vi: 'Không có đợt khảo sát với mã này bao gồm quầy đã chọn.',
  },
  'round.serial_taken': {
    status: [409],
    en: 'A form with this serial was already entered for the round.',
    vi: 'Phiếu có số này đã được nhập cho đợt khảo sát.',
  },
  'survey.not_found': { status: [404], en: 'No such survey.', vi: 'Không có phiếu khảo sát này.' },
  'unit.not_found': {
    status: [404],
    en: 'No such unit in your scope.',
    vi: 'Không có đơn vị này trong phạm vi của Ông/Bà.',
  },
  'dossier.has_code': {
    status: [409],
    en: 'This dossier already has a one-time code: one dossier, one code.',
    vi: 'Hồ sơ này đã được cấp mã đánh giá: mỗi hồ sơ chỉ được cấp một mã.',
  },
  'transaction_code.daily_cap': {
    status: [429],
    en: 'This key has issued all its codes for this desk today (Vietnam time); try again tomorrow.',
    vi: 'Khóa này đã cấp đủ số mã cho quầy này trong hôm nay (giờ Việt Nam); vui lòng cấp tiếp vào ngày mai.',
  },
  'kiosk_device.not_found': {
    status: [404],
    en: 'No such counter tablet in your scope.',
    vi: 'Không có máy tính bảng này trong phạm vi của Ông/Bà.',
  },
  'kiosk.too_many_pairings': {
    status: [429],
    en: 'This desk has too many unused pairing codes; use one, or wait until they expire (10 minutes).',
    vi: 'Quầy này đã có quá nhiều mã ghép chưa dùng; vui lòng dùng một mã hoặc chờ các mã hết hạn (10 phút).',
  },
  'kiosk.pairing_invalid': {
    status: [422],
    en: 'This pairing code is not valid: it may be mistyped, already used or expired.',
    vi: 'Mã ghép không hợp lệ: có thể đã nhập sai, đã được dùng hoặc đã hết hạn.',
  },
  'kiosk.pairing_throttled': {
    status: [429],
    en: 'Too many wrong pairing codes; try again later (see Retry-After).',
    vi: 'Đã nhập sai mã ghép quá nhiều lần; vui lòng thử lại sau.',
  },
  'kiosk.no_device': {
    status: [409],
    en: 'This desk has no paired counter tablet (or its tablet was revoked): pair one on the desk page first.',
    vi: 'Quầy này chưa có máy tính bảng đã ghép (hoặc máy đã bị thu hồi): vui lòng ghép máy ở trang của quầy trước.',
  },
  'webhook.not_found': {
    status: [404],
    en: 'No such webhook in your scope.',
    vi: 'Không có webhook này trong phạm vi của Ông/Bà.',
  },
  'webhook.too_many': {
    status: [409],
    en: 'This unit already has 10 webhooks: delete one first.',
    vi: 'Đơn vị này đã có 10 webhook: vui lòng xóa bớt trước.',
  },
  'auth.key_required': { status: [401], en: 'A valid API key is required.', vi: 'Cần khóa API hợp lệ.' },
  'auth.key_or_session_required': {
    status: [401],
    en: 'An API key or a staff session is required.',
    vi: 'Cần khóa API hoặc đăng nhập tài khoản cán bộ.',
  },
  'auth.role_not_allowed': {
    status: [403],
    en: 'A key of this role may not do this.',
    vi: 'Khóa với vai trò này không được thực hiện thao tác này.',
  },
  'auth.channel_not_allowed': {
    status: [403],
    en: 'This key may not post on this channel.',
    vi: 'Khóa này không được gửi phiếu qua kênh này.',
  },
  'route.not_found': { status: [404], en: 'No such API route.', vi: 'Không có địa chỉ API này.' },
  'request.malformed_json': {
    status: [400],
    en: 'The body is not valid JSON.',
    vi: 'Nội dung gửi lên không phải JSON hợp lệ.',
  },
  'request.empty_body': { status: [400], en: 'The JSON body is empty.', vi: 'Nội dung JSON gửi lên bị trống.' },
  'request.unsupported_media_type': {
    status: [415],
    en: 'The API reads application/json bodies only.',
    vi: 'API chỉ nhận nội dung dạng application/json.',
  },
  'request.body_too_large': {
    status: [413],
    en: 'The body is over the size limit of this route.',
    vi: 'Nội dung gửi lên vượt quá dung lượng cho phép.',
  },
  'request.bad_url': {
    status: [400],
    en: 'The address is not validly encoded.',
    vi: 'Địa chỉ không được mã hóa hợp lệ.',
  },
  'request.url_too_long': {
    status: [414],
    en: 'A part of the address is too long.',
    vi: 'Một phần của địa chỉ quá dài.',
  },
  'request.invalid_characters': {
    status: [400],
    en: 'The request contains characters that cannot be stored.',
    vi: 'Dữ liệu gửi lên có ký tự không lưu được.',
  },
  'request.invalid': { status: [400], en: 'The request could not be read.', vi: 'Không đọc được yêu cầu.' },
  'service.unavailable': {
    status: [503],
    en: 'Service temporarily unavailable; try again shortly.',
    vi: 'Dịch vụ tạm thời gián đoạn; vui lòng thử lại sau ít phút.',
  },
  'server.internal_error': { status: [500], en: 'Internal error.', vi: 'Lỗi hệ thống.' },
} as const satisfies Record<string, LocalMessage & { status: readonly number[] }>;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

type AnswerCode = keyof typeof ANSWER_MESSAGES;

/** The survey's rules for answers, in surveys/answers.ts's own words. */
function answerCodes() {
  return Object.fromEntries(
    Object.entries(ANSWER_MESSAGES).map(([code, m]) => [`answer.${code}`, { en: m.en, vi: m.vi }]),
  ) as { [K in AnswerCode as `answer.${K}`]: LocalMessage };
}

/** Codes of the items in `errors`: one field's problem. */
export const FIELD_ERROR_CODES = {
  // The request's own form (zod issue codes, and `required` for a missing field).
  'validation.required': { en: 'This field is required.', vi: 'Thiếu trường bắt buộc.' },
  'validation.invalid_type': { en: 'Wrong type.', vi: 'Sai kiểu dữ liệu.' },
  'validation.invalid_format': { en: 'Wrong format.', vi: 'Sai định dạng.' },
  'validation.invalid_value': { en: 'Not one of the allowed values.', vi: 'Không phải một giá trị được phép.' },
  'validation.too_big': { en: 'Too long or too large.', vi: 'Quá dài hoặc quá lớn.' },
  'validation.too_small': { en: 'Too short or too small.', vi: 'Quá ngắn hoặc quá nhỏ.' },
  'validation.not_multiple_of': { en: 'Not a multiple of the step.', vi: 'Không phải bội số của bước cho phép.' },
  'validation.unrecognized_keys': { en: 'Unknown field.', vi: 'Trường không được chấp nhận.' },
  'validation.invalid_union': { en: 'None of the accepted types.', vi: 'Không thuộc kiểu nào được chấp nhận.' },
  'validation.invalid_key': { en: 'Invalid key.', vi: 'Khóa không hợp lệ.' },
  'validation.invalid_element': { en: 'Invalid element.', vi: 'Phần tử không hợp lệ.' },
  'validation.custom': { en: 'Invalid value.', vi: 'Giá trị không hợp lệ.' },
  // The survey's rules for answers (surveys/answers.ts).
  ...answerCodes(),
  // The desk and its service areas.
  'service_area.required': {
    en: 'Please choose the service area of your transaction.',
    vi: 'Ông/Bà vui lòng chọn lĩnh vực đã giao dịch.',
  },
  'service_area.not_served': {
    en: 'This desk does not serve the chosen service area.',
    vi: 'Quầy này không phục vụ lĩnh vực đã chọn.',
  },
  'desk.unknown': API_ERROR_CODES['desk.unknown'],
  'round.unknown': API_ERROR_CODES['round.unknown'],
  // Webhooks (server/features/webhooks/webhook-url.ts gives the reason).
  'webhook.url_not_allowed': {
    en: 'This address may not receive webhooks.',
    vi: 'Địa chỉ này không được nhận webhook.',
  },
  // Dossier volumes (server/features/volumes/volume-service.ts gives each with its figures).
  'service_area.unknown': { en: 'No service area with this code.', vi: 'Không có lĩnh vực với mã này.' },
  'volume.duplicate_area': {
    en: 'This service area appears twice for the same unit and month.',
    vi: 'Lĩnh vực này lặp lại trong cùng đơn vị và tháng.',
  },
  'volume.future_month': { en: 'This month has not begun.', vi: 'Tháng này chưa bắt đầu.' },
  'volume.unit_kind': {
    en: 'Volumes are put for each centre or commune, not for a province.',
    vi: 'Số liệu hồ sơ nhập cho từng trung tâm hoặc xã, phường, không nhập cho cấp tỉnh.',
  },
  'volume.counted_elsewhere': {
    en: 'A unit above or below already has volumes for this month: a dossier would count twice.',
    vi: 'Đơn vị cấp trên hoặc trực thuộc đã có số liệu tháng này: một hồ sơ sẽ bị tính hai lần.',
  },
} as const satisfies Record<string, LocalMessage>;
export type FieldErrorCode = keyof typeof FIELD_ERROR_CODES;

const codesOf = <T extends object>(catalogue: T) =>
  Object.keys(catalogue) as [keyof T & string, ...(keyof T & string)[]];

export const ApiErrorItem = z
  .object({
    path: z
      .string()
      .meta({ description: 'The field, dotted (`answers.overall`); `(body)` or `(query)` for the whole.' }),
    code: z.enum(codesOf(FIELD_ERROR_CODES)),
    message: LocalizedMessage,
  })
  .meta({ id: 'ApiErrorItem' });
export type ApiErrorItem = z.infer<typeof ApiErrorItem>;

export const ApiError = z
  .object({
    code: z.enum(codesOf(API_ERROR_CODES)),
    message: LocalizedMessage,
    errors: z.array(ApiErrorItem),
  })
  .meta({ id: 'ApiError', description: 'The body of every API error; `errors` is empty unless fields are at fault.' });
export type ApiError = z.infer<typeof ApiError>;

/** An error body: the code's default message unless a more precise one is given. */
export function apiError(
  code: ApiErrorCode,
  extra: { message?: LocalMessage; errors?: ApiErrorItem[] } = {},
): ApiError {
  const { en, vi } = API_ERROR_CODES[code];
  return { code, message: extra.message ?? { vi, en }, errors: extra.errors ?? [] };
}

/** The 422 for a desk that does not serve the body's `serviceArea`. */
export function areaNotServedError(): ApiError {
  const { message } = apiError('service_area.not_served');
  return apiError('service_area.not_served', {
    errors: [{ path: 'serviceArea', code: 'service_area.not_served', message }],
  });
}

/** What each refusal status means on this API, for the document. */
const STATUS_MEANING: Record<number, string> = {
  400: 'The request could not be read (malformed or empty JSON, a badly encoded address).',
  401: 'No valid credential.',
  403: 'The credential may not do this.',
  404: 'Not found, or outside the credential’s units.',
  409: 'Conflicts with what is stored.',
  413: 'The body is over the route’s size limit.',
  415: 'The body is not application/json.',
  422: 'The request is not valid: `errors` names each field at fault.',
  429: 'Over a limit (a daily cap, open pairing codes); see Retry-After.',
};

type ErrorResponse = { description: string; content: { 'application/json': { schema: typeof ApiError } } };

/**
 * `response: { ...errorResponses(401, 422) }`: the error body declared for
 * each status a route can answer. Declaring it matters beyond the document:
 * the reply to a declared status is checked against (and cut to) its schema.
 * (In this form, with a description, Fastify's types do not check
 * `reply.code(4xx).send(…)`: apiError() is what keeps those bodies right.)
 */
export function errorResponses<const S extends number>(...statuses: S[]): Record<S, ErrorResponse> {
  const declared = statuses.map((s) => [
    s,
    { description: STATUS_MEANING[s] ?? 'Refused.', content: { 'application/json': { schema: ApiError } } },
  ]);
  return Object.fromEntries(declared) as Record<S, ErrorResponse>;
}
