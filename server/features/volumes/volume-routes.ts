import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { acceptFileUploads, isFilePart, MAX_FILE_MIB as MAX_MIB } from '../../platform/http/file-upload.ts';
import { idParam, staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import type { FileProblem } from './volume-file-rows.ts';
import { changeCounts } from './volume-preview.ts';
import { canImportVolumes } from './volume-service.ts';
import { monthVi, templateCsv, templateFileName, templateXlsx } from './volume-template.ts';
import {
  confirmUpload,
  discardUpload,
  lastMonth,
  monthInput,
  type PendingResult,
  previewUpload,
  templateFor,
  uploadVolumeFile,
  volumeUnits,
} from './volume-upload-service.ts';

// The staff pages for dossier volumes (issue 14): download the template for
// a unit and month, upload it filled (CSV or XLSX), see what would change,
// confirm. Managers and officials (canImportVolumes); nothing is stored
// before the confirmation, and a file with any faulty row stores nothing.

const REFUSED = 'Chỉ quản lý Trung tâm/Bộ phận Một cửa và lãnh đạo, công chức theo dõi được nhập số liệu hồ sơ.';
/** A page lists this many problems; a sheet with thousands wrong needs fixing as a whole anyway. */
const SHOWN_PROBLEMS = 200;

const problemList = (problems: FileProblem[] = []) => ({
  problems: problems.slice(0, SHOWN_PROBLEMS).map((p) => p.text),
  problemCount: problems.length,
});

const PageQuery = z.object({
  unitId: z.string().max(12).optional().catch(undefined),
  month: z.string().max(20).optional().catch(undefined),
  format: z.enum(['xlsx', 'csv']).optional().catch(undefined),
  done: z.enum(['discarded']).optional().catch(undefined),
});

function refuse(req: FastifyRequest, reply: FastifyReply) {
  return staffRefused(req, reply, REFUSED, { why: 'role' });
}

async function renderHome(
  req: FastifyRequest,
  reply: FastifyReply,
  data: { unitId?: number; month: string; problems?: FileProblem[]; fileName?: string; done?: string },
) {
  return staffPage(req, reply, 'volumes/volumes', {
    title: 'Số liệu hồ sơ',
    units: await volumeUnits(req.server.db, req.user!),
    unitId: data.unitId,
    month: monthVi(data.month),
    maxMib: MAX_MIB,
    ...problemList(data.problems),
    fileName: data.fileName,
    done: data.done,
  });
}

function renderPending(req: FastifyRequest, reply: FastifyReply, id: string, r: PendingResult, confirmed: boolean) {
  if (r.status === 'forbidden') return refuse(req, reply);
  if (r.status === 'not_found') {
    reply.code(404);
    return staffPage(req, reply, 'platform/staff-message', {
      title: 'Không tìm thấy tệp đã tải lên',
      text: 'Tệp này đã được lưu, đã hủy, đã quá một giờ chờ xác nhận, hoặc không phải của Ông/Bà. Vui lòng tải tệp lên lại tại trang Số liệu hồ sơ.',
    });
  }
  if (r.status === 'invalid') reply.code(422);
  return staffPage(req, reply, 'volumes/volume-preview', {
    title: confirmed && r.status === 'ok' ? 'Đã lưu số liệu hồ sơ' : 'Xem trước số liệu hồ sơ',
    id,
    confirmed,
    fileName: r.fileName,
    ...problemList(r.status === 'invalid' ? r.problems : []),
    changes: r.status === 'ok' ? r.changes : [],
    counts: r.status === 'ok' ? changeCounts(r.changes) : '',
    own: r.own,
    warnings: r.status === 'ok' ? r.warnings : [],
  });
}

export default async function volumeRoutes(app: FastifyInstance) {
  // Multipart for these routes alone (file-upload.ts).
  await acceptFileUploads(app);

  app.get('/staff/volumes', { preHandler: requireUser() }, async (req, reply) => {
    if (!canImportVolumes(req.user!)) return refuse(req, reply);
    const q = PageQuery.parse(req.query ?? {});
    const unitId = q.unitId ? idParam(q, 'unitId') : undefined;
    const units = await volumeUnits(app.db, req.user!);
    // A unit outside the scope is answered as one that does not exist.
    if (q.unitId && !units.some((u) => u.id === unitId)) return staffNotFound(req, reply);
    const month = (q.month && monthInput(q.month)) || lastMonth(new Date());
    return renderHome(req, reply, {
      unitId: unitId ?? units.find((u) => u.id === req.user!.unitId)?.id,
      month,
      done: q.done ? 'Đã hủy tệp đã tải lên; chưa lưu gì.' : undefined,
    });
  });

  app.get('/staff/volumes/template', { preHandler: requireUser() }, async (req, reply) => {
    if (!canImportVolumes(req.user!)) return refuse(req, reply);
    const q = PageQuery.parse(req.query ?? {});
    const unitId = q.unitId ? idParam(q, 'unitId') : undefined;
    if (q.unitId && !unitId) return staffNotFound(req, reply);
    const month = q.month ? monthInput(q.month) : lastMonth(new Date());
    if (!month) {
      reply.code(422);
      return renderHome(req, reply, {
        unitId,
        month: lastMonth(new Date()),
        problems: [
          { line: null, column: null, text: `Tháng "${q.month}" không hợp lệ: ghi dạng mm/yyyy, ví dụ 05/2026.` },
        ],
      });
    }
    const t = await templateFor(app.db, req.user!, { unitId, month });
    if (t.status === 'not_found') return staffNotFound(req, reply);
    if (t.status === 'future') {
      reply.code(422);
      return renderHome(req, reply, {
        unitId,
        month,
        problems: [
          { line: null, column: null, text: `Tháng ${monthVi(month)} chưa bắt đầu: chưa có số liệu để nhập.` },
        ],
      });
    }
    const csv = q.format === 'csv';
    return reply
      .type(csv ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${templateFileName(t.data, csv ? 'csv' : 'xlsx')}"`)
      .send(csv ? templateCsv(t.data) : await templateXlsx(t.data));
  });

  app.post('/staff/volumes/uploads', { preHandler: requireUser() }, async (req, reply) => {
    if (!canImportVolumes(req.user!)) return refuse(req, reply);
    const file = (req.body as { file?: unknown } | undefined)?.file;
    const again = (text: string) => {
      reply.code(422);
      return renderHome(req, reply, { month: lastMonth(new Date()), problems: [{ line: null, column: null, text }] });
    };
    if (!isFilePart(file) || file.data.length === 0)
      return again('Vui lòng chọn tệp CSV hoặc Excel (.xlsx) để tải lên.');
    if (file.truncated) {
      return again(`Tệp lớn hơn ${MAX_MIB} MB: vui lòng chia thành nhiều tệp, mỗi tệp vài đơn vị hoặc vài tháng.`);
    }
    const name = file.filename.slice(0, 200) || 'tep-tai-len';
    const result = await uploadVolumeFile(app.db, req.user!, { name, data: file.data });
    if (result.status === 'forbidden') return refuse(req, reply);
    if (result.status === 'invalid') {
      reply.code(422);
      return renderHome(req, reply, { month: lastMonth(new Date()), problems: result.problems, fileName: name });
    }
    return reply.redirect(`/staff/volumes/uploads/${result.id}`, 303);
  });

  app.get('/staff/volumes/uploads/:uploadId', { preHandler: requireUser() }, async (req, reply) => {
    const { uploadId } = req.params as { uploadId: string };
    return renderPending(req, reply, uploadId, await previewUpload(app.db, req.user!, uploadId), false);
  });

  app.post('/staff/volumes/uploads/:uploadId/confirm', { preHandler: requireUser() }, async (req, reply) => {
    const { uploadId } = req.params as { uploadId: string };
    return renderPending(req, reply, uploadId, await confirmUpload(app.db, req.user!, uploadId), true);
  });

  app.post('/staff/volumes/uploads/:uploadId/delete', { preHandler: requireUser() }, async (req, reply) => {
    if (!canImportVolumes(req.user!)) return refuse(req, reply);
    const { uploadId } = req.params as { uploadId: string };
    if (!(await discardUpload(app.db, req.user!, uploadId)))
      return renderPending(req, reply, uploadId, { status: 'not_found' }, false);
    return reply.redirect('/staff/volumes?done=discarded', 303);
  });
}
