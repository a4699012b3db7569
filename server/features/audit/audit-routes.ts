import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import { listAudit } from '../../platform/auth/audit-repository.ts';
import { staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { detailText } from './audit-detail.ts';

// The audit log (nhật ký hoạt động): admins read everything, officials the
// events about their unit and the units below it; nobody else.

const LIMIT = 200;

/** Kinds of event, as the filter offers them: an action prefix and its name. */
export const ACTION_GROUPS: [prefix: string, label: string][] = [
  ['sign_in.', 'Đăng nhập'],
  ['password.', 'Mật khẩu'],
  ['permission.', 'Từ chối quyền'],
  ['user.', 'Tài khoản'],
  ['unit.', 'Đơn vị'],
  ['desk.', 'Quầy'],
  ['survey.', 'Phiếu khảo sát'],
  ['target.', 'Chỉ tiêu'],
  ['feedback.', 'Phản ánh, kiến nghị'],
  ['apikey.', 'Khóa API'],
  ['transaction_code.', 'Mã đánh giá một lần'],
  ['export.', 'Xuất dữ liệu'],
  ['suspect.', 'Phiếu nghi vấn'],
  ['webhook.', 'Webhook'],
];

const EXACT: Record<string, string> = {
  'sign_in.success': 'Đăng nhập',
  'sign_in.failure': 'Đăng nhập sai',
  'sign_in.throttled': 'Đăng nhập bị chặn tạm thời (sai quá nhiều lần)',
  'password.change': 'Đổi mật khẩu',
  'password.set_by_link': 'Đặt mật khẩu bằng liên kết một lần',
  'user.reset_password': 'Tài khoản: cấp lại mật khẩu (liên kết một lần)',
  'user.update': 'Tài khoản: đổi vai trò, đơn vị',
  'user.deactivate': 'Tài khoản: khóa',
  'user.reactivate': 'Tài khoản: mở khóa',
  'permission.denied': 'Bị từ chối quyền',
  'survey.publish': 'Phiếu khảo sát: phát hành phiên bản mới',
  'survey.assign': 'Phiếu khảo sát: phân công',
  'survey.unassign': 'Phiếu khảo sát: bỏ phân công',
  'transaction_code.issue': 'Cấp mã đánh giá một lần',
  'webhook.resend': 'Webhook: gửi lại',
  'webhook.resume': 'Webhook: tiếp tục gửi',
  'webhook.paused': 'Webhook: tạm dừng (không nhận được trong 24 giờ)',
};

const VERBS: Record<string, string> = {
  create: 'tạo mới',
  update: 'sửa',
  delete: 'xóa',
  rename: 'đổi tên',
  revoke: 'thu hồi',
  deactivate: 'ngừng hoạt động',
  reactivate: 'hoạt động lại',
  poster: 'áp phích',
  confirm: 'xác nhận loại',
  clear: 'gỡ nghi vấn',
};

/** An action code in Vietnamese words; an unknown one keeps its code after the group's name. */
export function actionVi(action: string): string {
  const exact = EXACT[action];
  if (exact) return exact;
  const group = ACTION_GROUPS.find(([prefix]) => action.startsWith(prefix));
  if (!group) return action;
  const rest = action.slice(group[0].length);
  const verb = VERBS[rest];
  return verb ? `${group[1]}: ${verb}` : rest ? `${group[1]} (${rest})` : group[1];
}

const Query = z.object({
  action: z
    .string()
    .max(40)
    .regex(/^[a-z_]+(\.[a-z_]*)?$/)
    .optional()
    .catch(undefined),
});

export default async function auditRoutes(app: FastifyInstance) {
  app.get('/staff/audit', { preHandler: requireUser('oversee') }, async (req, reply) => {
    const action = Query.parse(req.query ?? {}).action;
    // The scope comes from the session: '/' (an admin) reaches every event.
    const rows = await listAudit(app.db, req.user!.unitPath, LIMIT, action);
    const events = rows.map((r) => ({
      time: formatDateTimeVi(r.at),
      actor: r.actor ?? '—',
      unit: r.unitName ?? '—',
      action: actionVi(r.action),
      code: r.action,
      detail: detailText(r.detail),
    }));
    return staffPage(req, reply, 'audit/audit', {
      title: 'Nhật ký hoạt động',
      events,
      groups: ACTION_GROUPS,
      action: action ?? '',
      limit: LIMIT,
    });
  });
}
