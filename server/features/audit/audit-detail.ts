import { isoDateToVi } from '../../../analysis/local-time.ts';
import { ROLE_NAMES } from '../../platform/http/staff-view.ts';

// An audit event's detail (jsonb written by the features) as the audit page
// reads it: every field the features record named in Vietnamese, in a fixed
// order, with roles, yes/no and dates in words. A field added later and not
// named here still shows, under its code.

const FIELD_VI: Record<string, string> = {
  survey: 'phiếu',
  version: 'phiên bản',
  wordingChanged: 'đổi lời',
  added: 'thêm',
  removed: 'bỏ',
  unitFrom: 'đơn vị cũ',
  unit: 'đơn vị',
  unitId: 'mã số đơn vị',
  parentId: 'mã số đơn vị cấp trên',
  desk: 'quầy',
  deskId: 'mã số quầy',
  desks: 'số quầy',
  code: 'mã',
  name: 'tên',
  kind: 'loại',
  change: 'nội dung thay đổi',
  from: 'từ',
  to: 'đến',
  serviceArea: 'lĩnh vực',
  serviceAreas: 'lĩnh vực',
  email: 'thư điện tử',
  roleFrom: 'vai trò cũ',
  role: 'vai trò',
  keyId: 'mã số khóa',
  label: 'tên khóa',
  prefix: 'đầu khóa',
  channels: 'kênh',
  feedbackId: 'mã số phản ánh',
  publicAnswerChanged: 'đổi câu trả lời công khai',
  targetId: 'mã số chỉ tiêu',
  metric: 'nội dung chỉ tiêu',
  factorKey: 'yếu tố',
  comparison: 'so sánh',
  threshold: 'mức chỉ tiêu (%)',
  validFrom: 'áp dụng từ',
  validTo: 'áp dụng đến',
  sourcePlan: 'căn cứ',
  count: 'số lượng',
  expiresInDays: 'hạn dùng (ngày)',
  via: 'cấp qua',
  responseIds: 'mã số phiếu',
  reasons: 'lý do',
  note: 'ghi chú',
  size: 'khổ giấy',
  format: 'định dạng',
  before: 'trước khi sửa',
  route: 'đường dẫn',
  method: 'phương thức',
  why: 'lý do từ chối',
};

const ORDER = Object.keys(FIELD_VI);

const VALUE_VI: Record<string, Record<string, string>> = {
  role: { ...ROLE_NAMES, submit: 'gửi phiếu' },
  roleFrom: ROLE_NAMES,
  kind: { province: 'tỉnh, thành phố', commune: 'xã, phường, đặc khu', centre: 'Trung tâm', other: 'khác' },
  change: { name: 'tên', serviceAreas: 'lĩnh vực' },
  via: { staff: 'trang cán bộ', api: 'API' },
  why: { own_unit: 'phiếu của chính đơn vị mình', role: 'tài khoản có vai trò Ông/Bà không được giao' },
};

function valueText(key: string, v: unknown): string {
  if (typeof v === 'boolean') return v ? 'có' : 'không';
  if (Array.isArray(v)) return v.map((x) => valueText(key, x)).join(', ');
  if (v && typeof v === 'object') return `(${detailText(v)})`;
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return isoDateToVi(s);
  return VALUE_VI[key]?.[s] ?? s;
}

export function detailText(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  // jsonb keeps keys by length, not as written: show known fields in a fixed order.
  const rank = (k: string) => {
    const i = ORDER.indexOf(k);
    return i < 0 ? ORDER.length : i;
  };
  return Object.entries(detail)
    .sort(([a], [b]) => rank(a) - rank(b))
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${FIELD_VI[k] ?? k}: ${valueText(k, v)}`)
    .join(' · ');
}
