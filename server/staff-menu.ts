import type { FastifyInstance } from 'fastify';
import { routeGate } from './features/access/session-plugin.ts';
import { canReadFeedback } from './features/feedback/feedback-service.ts';
import { canReadCodeUsage } from './features/posters-codes/code-usage-service.ts';
import { canReviewSuspects } from './features/suspects/suspect-review-service.ts';
import { canImportVolumes } from './features/volumes/volume-service.ts';
import { canManageWebhooks } from './features/webhooks/webhook-service.ts';
import { type Actor, can } from './platform/auth/scope.ts';
import type { StaffLink } from './platform/http/staff-view.ts';

// The staff menu and the staff home's links. A link shows only to a user its
// page lets in, and that is read from the page's own route, never copied:
// the capability its requireUser(...) demands (collected as the routes are
// added), plus, for a page that refuses some roles inside its handler, the
// very predicate that handler calls, exported by its feature.
// To add a page: one entry below (tests/staff-menus.test.ts opens every
// link as every role and expects each shown link to open, each hidden one
// to be refused).

interface MenuEntry extends StaffLink {
  /** The check the page's handler makes beyond its requireUser, when it makes one. */
  alsoRequires?: (actor: Actor) => boolean;
}

export const STAFF_MENU: readonly MenuEntry[] = [
  {
    href: '/staff/reports',
    label: 'Kết quả',
    description: 'Kết quả khảo sát sự hài lòng, so với chỉ tiêu; tải báo cáo PDF, Excel',
  },
  {
    href: '/staff/units',
    label: 'Đơn vị và quầy',
    description: 'Đơn vị, quầy, áp phích mã QR và mã đánh giá một lần',
  },
  {
    href: '/staff/feedback',
    label: 'Phản ánh, kiến nghị',
    description: 'Phản ánh, kiến nghị của người dân',
    alsoRequires: canReadFeedback,
  },
  {
    href: '/staff/suspects',
    label: 'Phiếu nghi vấn',
    description: 'Phiếu nghi vấn cần xem xét',
    alsoRequires: canReviewSuspects,
  },
  {
    href: '/staff/codes/usage',
    label: 'Mã một lần',
    description: 'Tình hình cấp và sử dụng mã đánh giá một lần',
    alsoRequires: canReadCodeUsage,
  },
  { href: '/staff/targets', label: 'Chỉ tiêu', description: 'Chỉ tiêu kế hoạch' },
  {
    href: '/staff/volumes',
    label: 'Số liệu hồ sơ',
    description: 'Số hồ sơ tiếp nhận, giải quyết từng tháng (Biểu II.06a): tải mẫu, nhập từ tệp Excel hoặc CSV',
    alsoRequires: canImportVolumes,
  },
  {
    href: '/staff/rounds',
    label: 'Đợt khảo sát',
    description: 'Đợt khảo sát theo mẫu: cỡ mẫu, in phiếu, nhập phiếu hai lần, tiến độ và kết quả',
  },
  { href: '/staff/surveys', label: 'Phiếu khảo sát', description: 'Phiếu khảo sát và phiên bản' },
  {
    href: '/staff/webhooks',
    label: 'Webhook',
    description: 'Gửi sự kiện (phản ánh mới, đánh giá thấp…) sang phần mềm khác: đăng ký địa chỉ, nhật ký gửi, gửi lại',
    alsoRequires: canManageWebhooks,
  },
  {
    href: '/staff/accounts',
    label: 'Tài khoản',
    description: 'Tài khoản cán bộ: tạo, khóa, cấp lại mật khẩu, đổi vai trò',
  },
  { href: '/staff/audit', label: 'Nhật ký', description: 'Nhật ký hoạt động' },
];

/**
 * Call before the staff routes are registered: notes what each GET route's
 * requireUser demands and gives the layout its menu (app.staffMenu).
 * A menu entry whose page is not a guarded staff route fails at start.
 */
export function trackStaffMenu(app: FastifyInstance, entries: readonly MenuEntry[] = STAFF_MENU) {
  const gates = new Map<string, ReturnType<typeof routeGate>>();
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().includes('GET')) gates.set(route.url, routeGate(route.preHandler));
  });
  app.addHook('onReady', async () => {
    const unguarded = entries.filter((e) => gates.get(e.href) === undefined).map((e) => e.href);
    if (unguarded.length) throw new Error(`staff menu links without a guarded GET route: ${unguarded.join(', ')}`);
  });
  app.decorate('staffMenu', (actor: Actor): StaffLink[] =>
    entries
      .filter((e) => {
        const gate = gates.get(e.href);
        if (gate === undefined) return false;
        return (gate === null || can(actor, gate)) && (e.alsoRequires?.(actor) ?? true);
      })
      .map(({ href, label, description }) => ({ href, label, description })),
  );
}
