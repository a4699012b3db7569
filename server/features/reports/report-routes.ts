import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseDateInput } from '../../../analysis/local-time.ts';
import { MAX_REPORT_DAYS } from '../../../analysis/periods.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { canReadFeedback, refuseFeedbackRead } from '../feedback/feedback-service.ts';
import { lineageNotes } from '../organisation/unit-lineage-service.ts';
import { CHILD_SORTS, dashboardView } from './report-dashboard.ts';
import {
  type ExportFile,
  type ExportFormat,
  exportReport,
  exportResponses,
  loadReportBundle,
  pickUnit,
  type ReportOptions,
  type ReportSelection,
  reportOptions,
} from './report-page-service.ts';
import { PERIOD_PRESETS, type PeriodPreset, PRESET_NAMES, presetRange, trendWindow } from './report-periods.ts';
import { type DashboardRounds, dashboardRounds } from './report-rounds.ts';

// The officials' dashboard (Kết quả) and its exports. Anyone signed in reads
// the results of their own subtree; the unit comes from the query string and
// is checked against the subtree on the server (out of scope: 404). The
// filter is a plain GET form; htmx swaps only the report when it asks.
// The figures are read from app.reportDb (the replica when there is a
// healthy one); the filter's unit list and scope, the audit entries and the
// refusals stay on the primary (app.db), current and writable.

/** Raw-response downloads streaming at once, per process. */
const MAX_RAW_EXPORTS = 2;

const Query = z.object({
  unitId: z.string().max(12).optional().catch(undefined),
  /** The unit by its code, as the report API takes it (`?unit=xa-tan-hoi`). */
  unit: z.string().max(64).optional().catch(undefined),
  period: z.enum(PERIOD_PRESETS).default('quarter').catch('quarter'),
  from: z.string().max(20).optional().catch(undefined),
  to: z.string().max(20).optional().catch(undefined),
  serviceArea: z.string().max(40).optional().catch(undefined),
  sort: z.enum(CHILD_SORTS).default('name').catch('name'),
});

interface Filter {
  unitId: string;
  period: PeriodPreset;
  from: string;
  to: string;
  serviceArea: string;
}

type Resolved =
  | { status: 'ok'; selection: ReportSelection; filter: Filter; options: ReportOptions }
  | { status: 'not_found' }
  | { status: 'unknown_unit'; code: string }
  | { status: 'no_units' }
  | { status: 'invalid'; errors: Record<string, string>; filter: Filter; options: ReportOptions };

/** Reads the filter: the unit in scope, the period's days, the service area. */
async function resolve(req: FastifyRequest, now = new Date()): Promise<Resolved> {
  const q = Query.parse(req.query ?? {});
  const unitId = q.unitId ? idParam(q, 'unitId') : undefined;
  if (q.unitId && !unitId) return { status: 'not_found' };
  const options = await reportOptions(req.server.db, req.user!);
  // A code is looked up among the units in scope only: one elsewhere reads as unknown.
  const code = q.unit?.trim().toLowerCase();
  const byCode = code ? options.units.find((u) => u.code === code) : undefined;
  if (code && (!byCode || (unitId !== undefined && byCode.id !== unitId))) return { status: 'unknown_unit', code };
  const unit = pickUnit(options, req.user!, unitId ?? byCode?.id);
  if (!unit) return unitId ? { status: 'not_found' } : { status: 'no_units' };
  const area = options.serviceAreas.find((a) => a.code === q.serviceArea) ?? null;
  const filter: Filter = {
    unitId: String(unit.id),
    period: q.period,
    from: q.from ?? '',
    to: q.to ?? '',
    serviceArea: area?.code ?? '',
  };
  let range: { from: string; to: string };
  if (q.period === 'custom') {
    const errors: Record<string, string> = {};
    const from = parseDateInput(q.from ?? '');
    const to = parseDateInput(q.to ?? '');
    if (!from) errors.from = 'Vui lòng nhập ngày bắt đầu theo dạng dd/mm/yyyy.';
    if (!to) errors.to = 'Vui lòng nhập ngày kết thúc theo dạng dd/mm/yyyy.';
    if (from && to && from > to) errors.to = 'Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.';
    if (from && to && (Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_REPORT_DAYS) {
      errors.to = 'Mỗi lần xem tối đa 5 năm.';
    }
    if (!from || !to || Object.keys(errors).length) return { status: 'invalid', errors, filter, options };
    range = { from, to };
  } else {
    range = presetRange(q.period, now);
  }
  filter.from = range.from;
  filter.to = range.to;
  return {
    status: 'ok',
    selection: { unit, ...range, serviceArea: area, trend: trendWindow(q.period, range.from, range.to) },
    filter,
    options,
  };
}

function exportQuery(f: Filter): string {
  const params = new URLSearchParams({ unitId: f.unitId, period: f.period });
  if (f.period === 'custom') {
    params.set('from', f.from);
    params.set('to', f.to);
  }
  if (f.serviceArea) params.set('serviceArea', f.serviceArea);
  return params.toString();
}

/** htmx's own requests get the report alone; boosted links and history restores need the whole page. */
function wantsPartial(req: FastifyRequest): boolean {
  const h = req.headers;
  return h['hx-request'] === 'true' && h['hx-boosted'] !== 'true' && h['hx-history-restore-request'] !== 'true';
}

/** `?unit=CODE` naming no unit of the user's scope: said plainly, never another unit's report instead. */
function unknownUnit(req: FastifyRequest, reply: FastifyReply, code: string) {
  reply.code(404);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Không tìm thấy đơn vị',
    text: `Không có đơn vị mã “${code}” trong phạm vi của Ông/Bà. Vui lòng kiểm tra lại mã đơn vị, hoặc chọn đơn vị trong trang Kết quả.`,
  });
}

function noUnits(req: FastifyRequest, reply: FastifyReply) {
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Chưa có đơn vị',
    text: 'Chưa có đơn vị nào trong phạm vi của Ông/Bà để xem kết quả.',
  });
}

function invalidPeriod(req: FastifyRequest, reply: FastifyReply, errors: Record<string, string>) {
  reply.code(422);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Khoảng thời gian không hợp lệ',
    text: Object.values(errors).join(' '),
  });
}

function sendFile(reply: FastifyReply, file: ExportFile) {
  return reply
    .type(file.contentType)
    .header('Cache-Control', 'no-store')
    .header('Content-Disposition', `attachment; filename="${file.filename}"`)
    .send(file.body);
}

export default async function reportRoutes(app: FastifyInstance) {
  app.get('/staff/reports', { preHandler: requireUser() }, async (req, reply) => {
    const resolved = await resolve(req);
    if (resolved.status === 'not_found') return staffNotFound(req, reply);
    if (resolved.status === 'unknown_unit') return unknownUnit(req, reply, resolved.code);
    if (resolved.status === 'no_units') return noUnits(req, reply);
    const partial = wantsPartial(req);
    const page = {
      title: 'Kết quả khảo sát sự hài lòng',
      filter: resolved.filter,
      options: resolved.options,
      presets: PERIOD_PRESETS.map((code) => ({ code, name: PRESET_NAMES[code] })),
      errors: {} as Record<string, string>,
      view: null as ReturnType<typeof dashboardView> | null,
      rounds: null as DashboardRounds | null,
      exportQuery: '',
      canExportResponses: canReadFeedback(req.user!),
      lineage:
        resolved.status === 'ok'
          ? await app.readReports((reads) => lineageNotes(reads, resolved.selection.unit.id))
          : [],
    };
    if (resolved.status === 'invalid') {
      reply.code(422);
      page.errors = resolved.errors;
    } else {
      const bundle = await app.readReports((reads) => loadReportBundle(reads, req.user!, resolved.selection));
      if (!bundle) return staffNotFound(req, reply);
      page.view = dashboardView(bundle, Query.parse(req.query ?? {}).sort);
      page.rounds = await app.readReports((reads) => dashboardRounds(reads, resolved.selection));
      page.exportQuery = exportQuery(resolved.filter);
    }
    return staffPage(req, reply, partial ? 'reports/report-body' : 'reports/dashboard', page);
  });

  const reportFile = (format: ExportFormat) => async (req: FastifyRequest, reply: FastifyReply) => {
    const resolved = await resolve(req);
    if (resolved.status === 'not_found') return staffNotFound(req, reply);
    if (resolved.status === 'unknown_unit') return unknownUnit(req, reply, resolved.code);
    if (resolved.status === 'no_units') return noUnits(req, reply);
    if (resolved.status === 'invalid') return invalidPeriod(req, reply, resolved.errors);
    const file = await exportReport(app.db, app.reportDb, req.user!, resolved.selection, format);
    return file ? sendFile(reply, file) : staffNotFound(req, reply);
  };
  let rawExports = 0;
  const responsesFile = (format: 'csv' | 'xlsx') => async (req: FastifyRequest, reply: FastifyReply) => {
    // Raw responses carry citizens' comments: only those who read feedback
    // (managers, officials, admins) take them away; counter staff do not.
    if (!canReadFeedback(req.user!)) {
      await refuseFeedbackRead(app.db, req.user!, req.routeOptions.url ?? '');
      reply.code(403);
      return staffPage(req, reply, 'platform/staff-message', {
        title: 'Không có quyền',
        text: 'Tài khoản của Ông/Bà không có quyền tải về các phiếu khảo sát.',
      });
    }
    const resolved = await resolve(req);
    if (resolved.status === 'not_found') return staffNotFound(req, reply);
    if (resolved.status === 'unknown_unit') return unknownUnit(req, reply, resolved.code);
    if (resolved.status === 'no_units') return noUnits(req, reply);
    if (resolved.status === 'invalid') return invalidPeriod(req, reply, resolved.errors);
    // Each download holds a chunk of rows and a share of a CPU until the
    // client has it all; a few at a time keeps memory bounded for the process.
    if (rawExports >= MAX_RAW_EXPORTS) {
      reply.code(503).header('Retry-After', '30');
      return staffPage(req, reply, 'platform/staff-message', {
        title: 'Hệ thống đang bận',
        text: 'Đang có nhiều lượt tải phiếu khảo sát cùng lúc. Vui lòng thử lại sau ít phút.',
      });
    }
    rawExports += 1;
    reply.raw.once('close', () => (rawExports -= 1));
    const file = await exportResponses(app.db, app.reportDb, req.user!, resolved.selection, format);
    return file ? sendFile(reply, file) : staffNotFound(req, reply);
  };

  app.get('/staff/reports/export.csv', { preHandler: requireUser() }, reportFile('csv'));
  app.get('/staff/reports/export.xlsx', { preHandler: requireUser() }, reportFile('xlsx'));
  app.get('/staff/reports/report.pdf', { preHandler: requireUser() }, reportFile('pdf'));
  app.get('/staff/reports/report.docx', { preHandler: requireUser() }, reportFile('docx'));
  // No HEAD twins: Fastify would run the whole export for a HEAD and throw the body away.
  const raw = { preHandler: requireUser(), exposeHeadRoute: false };
  app.get('/staff/reports/responses.csv', raw, responsesFile('csv'));
  app.get('/staff/reports/responses.xlsx', raw, responsesFile('xlsx'));
}
