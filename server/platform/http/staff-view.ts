import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { recordAudit } from '../auth/audit-repository.ts';
import type { Actor } from '../auth/scope.ts';
import type { Role } from '../db/schema.ts';

/** A page of the staff menu (and of the staff home), shown only to those it opens for. */
export interface StaffLink {
  href: string;
  label: string;
  /** The longer wording of the staff home page. */
  description: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The menu a user may open; set by server/staff-menu.ts for the staff pages. */
    staffMenu?: (actor: Actor) => StaffLink[];
  }
}

/** What the staff layout's menu lists for this user (nothing before sign-in). */
export function staffMenuOf(app: FastifyInstance, user: Actor | undefined): StaffLink[] {
  return user && app.staffMenu ? app.staffMenu(user) : [];
}

// Helpers every staff page uses: the layout needs the user (for the menu
// and the CSRF token), and htmx needs to know responses vary by HX-Request.

export const ROLE_NAMES: Record<Role, string> = {
  admin: 'Quản trị hệ thống',
  official: 'Lãnh đạo, công chức theo dõi',
  manager: 'Quản lý Trung tâm/Bộ phận Một cửa',
  staff: 'Công chức Bộ phận Một cửa',
};

/** `page` is the view under views/, without `.eta` (e.g. `feedback/feedback-list`). */
export function staffPage(req: FastifyRequest, reply: FastifyReply, page: string, data: Record<string, unknown>) {
  return reply
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .header('Vary', 'HX-Request')
    .viewAsync(`${page}.eta`, {
      user: req.user,
      menu: staffMenuOf(req.server, req.user),
      viDate: dateFieldVi,
      ...data,
    });
}

/**
 * A date field's value as staff type it, dd/mm/yyyy: date fields are text
 * (Chromium draws <input type=date> in the browser's locale, not the
 * page's). What is not an ISO day (a value typed wrong) stays as typed.
 */
export function dateFieldVi(s: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}` : s;
}

/** Out of scope or missing look the same: a unit never learns of another's ids. */
export function staffNotFound(req: FastifyRequest, reply: FastifyReply) {
  reply.code(404);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Không tìm thấy',
    text: 'Không có mục này, hoặc mục này không thuộc phạm vi của Ông/Bà.',
  });
}

/**
 * A signed-in user refused a page their role may not see: audited as
 * permission.denied (with `why` when the role alone does not say it), 403.
 */
export async function staffRefused(
  req: FastifyRequest,
  reply: FastifyReply,
  text: string,
  audit: { unitId?: number | null; why?: string } = {},
) {
  const user = req.user!;
  await recordAudit(req.server.db, {
    actorUserId: user.userId,
    unitId: audit.unitId === undefined ? user.unitId : audit.unitId,
    action: 'permission.denied',
    detail: { route: req.routeOptions.url, method: req.method, ...(audit.why ? { why: audit.why } : {}) },
  });
  reply.code(403);
  return staffPage(req, reply, 'platform/staff-message', { title: 'Không có quyền', text });
}

/** Parses a numeric route id; anything else is treated as not found. */
export function idParam(params: unknown, name: string): number | undefined {
  const raw = (params as Record<string, string | undefined>)[name];
  // Ids are PostgreSQL integers: a larger number would make the query fail (a 500).
  const id = raw && /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : undefined;
  return id !== undefined && id <= 2_147_483_647 ? id : undefined;
}
