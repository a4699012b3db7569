import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isoDateToVi, parseDateInput } from '../../../analysis/local-time.ts';
import { idParam, staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import {
  type CodeUsageReport,
  canReadCodeUsage,
  defaultUsagePeriod,
  loadCodeUsage,
  MAX_USAGE_DAYS,
  type UsageCounts,
} from './code-usage-service.ts';

// Reviewers' view of one-time codes issued but never used, per desk and per
// issuer, over a period (default: the last 30 days), for a unit of the
// user's subtree chosen in the query string and checked on the server (out
// of scope: 404). Officials and administrators review; the centre's managers
// may read it too: it decides nothing and shows only counts, and they are
// the first who can stop a counter that prints codes nobody uses. Counter
// staff, whose own printing it measures, are refused.

const Query = z.object({
  unitId: z.string().max(12).optional().catch(undefined),
  from: z.string().max(20).optional().catch(undefined),
  to: z.string().max(20).optional().catch(undefined),
});

const percent = (share: number | null) =>
  share === null ? '—' : `${(share * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 })}%`;

/** The numbers of a row as the table shows them. */
function cells(c: UsageCounts) {
  const n = (x: number) => x.toLocaleString('vi-VN');
  return {
    issued: n(c.issued),
    used: n(c.used),
    unused: n(c.unused),
    share: percent(c.unusedShare),
    pending: n(c.pending),
  };
}

function view(report: CodeUsageReport) {
  return {
    total: cells(report.total),
    desks: report.desks.map((d) => ({ deskName: d.deskName, unitName: d.unitName, ...cells(d) })),
    issuers: report.issuers.map((i) => ({ issuer: i.issuer, deskName: i.deskName, unitName: i.unitName, ...cells(i) })),
  };
}

async function refuseStaff(req: FastifyRequest, reply: FastifyReply) {
  if (canReadCodeUsage(req.user!)) return undefined;
  return staffRefused(req, reply, 'Tài khoản của Ông/Bà không có quyền xem tình hình sử dụng mã đánh giá một lần.');
}

export default async function codeUsageRoutes(app: FastifyInstance) {
  app.get('/staff/codes/usage', { preHandler: requireUser() }, async (req, reply) => {
    const refused = await refuseStaff(req, reply);
    if (refused) return refused;
    const q = Query.parse(req.query ?? {});
    const unitId = q.unitId ? idParam(q, 'unitId') : undefined;
    if (q.unitId && !unitId) return staffNotFound(req, reply);
    const fallback = defaultUsagePeriod(new Date());
    const from = q.from ? parseDateInput(q.from) : fallback.from;
    const to = q.to ? parseDateInput(q.to) : fallback.to;
    const errors: Record<string, string> = {};
    if (!from) errors.from = 'Vui lòng nhập ngày bắt đầu theo dạng dd/mm/yyyy.';
    if (!to) errors.to = 'Vui lòng nhập ngày kết thúc theo dạng dd/mm/yyyy.';
    if (from && to && from > to) errors.to = 'Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.';
    if (from && to && (Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_USAGE_DAYS) {
      errors.to = `Mỗi lần xem tối đa ${MAX_USAGE_DAYS} ngày.`;
    }
    const valid = !Object.keys(errors).length && from && to;
    const period = valid ? { from, to } : fallback;
    const report = await loadCodeUsage(app.db, req.user!, { unitId, ...period });
    if (!report) {
      if (unitId) return staffNotFound(req, reply);
      return staffPage(req, reply, 'platform/staff-message', {
        title: 'Chưa có đơn vị',
        text: 'Chưa có đơn vị nào trong phạm vi của Ông/Bà.',
      });
    }
    if (!valid) reply.code(422);
    return staffPage(req, reply, 'posters-codes/code-usage', {
      title: 'Mã đánh giá một lần: đã cấp và đã dùng',
      units: report.units,
      filter: { unitId: String(report.unit.id), from: q.from ?? period.from, to: q.to ?? period.to },
      errors,
      periodText: valid ? `${isoDateToVi(period.from)} – ${isoDateToVi(period.to)}` : undefined,
      unitName: report.unit.name,
      ...(valid ? view(report) : {}),
    });
  });
}
