import type { Factor } from './schema.ts';

// The Vietnamese names of the five SIPAS factors, in one place: the names of
// QĐ 2640/QĐ-BNV as the methodology gives them (reports, targets, exports),
// and a short form for tight spaces (the survey editor, the suspects review's
// one-line answers).

export const FACTOR_NAMES: Record<Factor, string> = {
  access: 'Tiếp cận dịch vụ',
  procedure: 'Thủ tục hành chính',
  staff: 'Công chức trực tiếp giải quyết công việc',
  result: 'Kết quả cung ứng dịch vụ',
  feedback: 'Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị',
};

export const FACTOR_SHORT_NAMES: Record<Factor, string> = {
  access: 'Tiếp cận dịch vụ',
  procedure: 'Thủ tục hành chính',
  staff: 'Công chức',
  result: 'Kết quả',
  feedback: 'Góp ý, phản ánh, kiến nghị',
};
