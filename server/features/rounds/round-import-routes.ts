import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { acceptFileUploads, isFilePart, MAX_FILE_MIB } from '../../platform/http/file-upload.ts';
import { staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import type { RowProblem } from './round-file-rows.ts';
import { formTemplateCsv, formTemplateName, formTemplateXlsx } from './round-file-template.ts';
import { canImportForms, formFileLayout, importedText, importRoundForms } from './round-import-service.ts';
import type { RoundRecord } from './round-repository.ts';
import { roundInScope } from './round-routes.ts';

// A round's forms from a CSV or XLSX file (issue 16): the template, the
// upload, and the page that says what was stored or which rows to fix.

const REFUSED = 'Chỉ lãnh đạo, công chức theo dõi và quản lý Trung tâm/Bộ phận Một cửa được nhập phiếu từ tệp.';
/** A page lists this many problems; a file with thousands wrong needs fixing as a whole anyway. */
const SHOWN_PROBLEMS = 200;
const Format = z.object({ format: z.enum(['xlsx', 'csv']).optional().catch(undefined) });

function renderImport(
  req: FastifyRequest,
  reply: FastifyReply,
  round: RoundRecord,
  extra: { problems?: RowProblem[]; done?: string; fileName?: string } = {},
) {
  const problems = extra.problems ?? [];
  return staffPage(req, reply, 'rounds/round-import', {
    title: `Nhập phiếu từ tệp – đợt ${round.code}`,
    round,
    maxMib: MAX_FILE_MIB,
    problems: problems.slice(0, SHOWN_PROBLEMS).map((p) => p.text),
    problemCount: problems.length,
    fileName: extra.fileName,
    done: extra.done,
  });
}

/** The round in scope for someone who may import, or the reply already sent. */
async function importableRound(req: FastifyRequest, reply: FastifyReply) {
  if (!canImportForms(req.user!)) return { reply: await staffRefused(req, reply, REFUSED, { why: 'role' }) };
  const round = await roundInScope(req);
  if (!round) return { reply: await staffNotFound(req, reply) };
  return { round };
}

export default async function roundImportRoutes(app: FastifyInstance) {
  await acceptFileUploads(app);

  app.get('/staff/rounds/:roundId/forms-import', { preHandler: requireUser() }, async (req, reply) => {
    const r = await importableRound(req, reply);
    return r.round ? renderImport(req, reply, r.round) : r.reply;
  });

  app.get('/staff/rounds/:roundId/forms-template', { preHandler: requireUser() }, async (req, reply) => {
    const r = await importableRound(req, reply);
    if (!r.round) return r.reply;
    const layout = await formFileLayout(app.db, r.round);
    const t = { roundCode: r.round.code, unitName: r.round.unitName, ...layout };
    const csv = Format.parse(req.query ?? {}).format === 'csv';
    return reply
      .type(csv ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="${formTemplateName(r.round.code, csv ? 'csv' : 'xlsx')}"`)
      .send(csv ? formTemplateCsv(t) : await formTemplateXlsx(t));
  });

  app.post('/staff/rounds/:roundId/forms-import', { preHandler: requireUser() }, async (req, reply) => {
    const r = await importableRound(req, reply);
    if (!r.round) return r.reply;
    const round = r.round;
    const file = (req.body as { file?: unknown } | undefined)?.file;
    const again = (text: string) => {
      reply.code(422);
      return renderImport(req, reply, round, { problems: [{ line: null, text }] });
    };
    if (!isFilePart(file) || file.data.length === 0)
      return again('Vui lòng chọn tệp CSV hoặc Excel (.xlsx) để tải lên.');
    if (file.truncated) return again(`Tệp lớn hơn ${MAX_FILE_MIB} MB: vui lòng chia thành nhiều tệp.`);
    const name = file.filename.slice(0, 200) || 'tep-tai-len';
    const result = await importRoundForms(app.db, req.user!, round, { name, data: file.data });
    if (result.status === 'invalid') {
      reply.code(422);
      return renderImport(req, reply, round, { problems: result.problems, fileName: name });
    }
    return renderImport(req, reply, round, { done: importedText(result.count) });
  });
}
