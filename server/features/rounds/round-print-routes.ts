import type { FastifyInstance, FastifyReply } from 'fastify';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { MAX_SERIAL } from './round-form-rules.ts';
import { blankRoundFormPdf, MAX_FORMS_PER_PDF, roundFormsPdf, roundPaper } from './round-print.ts';
import { roundInScope } from './round-routes.ts';

// Printed questionnaires of a round (issue 16): the numbered forms, by range
// of serials, and a blank form for photocopying. Whoever may open the round
// page may print its forms.

type Range = { ok: true; from: number; to: number } | { ok: false; text: string };

/** `from`/`to` of the query, each optional (1 and n by default). */
export function readSerialRange(query: unknown, n: number): Range {
  const q = (query ?? {}) as Record<string, unknown>;
  const read = (name: string, fallback: number) => {
    const raw = q[name];
    if (raw === undefined || raw === '') return fallback;
    return typeof raw === 'string' && /^\d{1,7}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  };
  const from = read('from', 1);
  const to = read('to', Math.max(n, from, 1));
  if (![from, to].every((s) => Number.isInteger(s) && s >= 1 && s <= MAX_SERIAL)) {
    return {
      ok: false,
      text: `Số phiếu "từ" và "đến" phải là số nguyên từ 1 đến ${MAX_SERIAL.toLocaleString('vi-VN')}.`,
    };
  }
  if (from > to) return { ok: false, text: 'Số phiếu "từ" phải nhỏ hơn hoặc bằng số phiếu "đến".' };
  if (to - from + 1 > MAX_FORMS_PER_PDF) {
    return {
      ok: false,
      text: `Mỗi lần in tối đa ${MAX_FORMS_PER_PDF.toLocaleString('vi-VN')} phiếu: vui lòng chia thành nhiều lần (ví dụ từ ${from} đến ${from + MAX_FORMS_PER_PDF - 1}).`,
    };
  }
  return { ok: true, from, to };
}

function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string) {
  return reply
    .type('application/pdf')
    .header('Cache-Control', 'no-store')
    .header('Content-Disposition', `attachment; filename="${filename}"`)
    .send(pdf);
}

export default async function roundPrintRoutes(app: FastifyInstance) {
  app.get('/staff/rounds/:roundId/forms.pdf', { preHandler: requireUser() }, async (req, reply) => {
    const round = await roundInScope(req);
    if (!round) return staffNotFound(req, reply);
    const paper = await roundPaper(app.db, round);
    const range = readSerialRange(req.query, paper.n);
    if (!range.ok) {
      reply.code(422);
      return staffPage(req, reply, 'platform/staff-message', { title: 'Không in được phiếu', text: range.text });
    }
    const pdf = await roundFormsPdf({ round, ...paper, baseUrl: app.config.publicUrl, from: range.from, to: range.to });
    await recordAudit(app.db, {
      actorUserId: req.user!.userId,
      unitId: round.unitId,
      action: 'export.round_forms',
      detail: { roundId: round.id, code: round.code, from: range.from, to: range.to },
    });
    return sendPdf(reply, pdf, `${round.code}-phieu.pdf`);
  });

  app.get('/staff/rounds/:roundId/blank.pdf', { preHandler: requireUser() }, async (req, reply) => {
    const round = await roundInScope(req);
    if (!round) return staffNotFound(req, reply);
    const paper = await roundPaper(app.db, round);
    const pdf = await blankRoundFormPdf({ round, ...paper, baseUrl: app.config.publicUrl });
    return sendPdf(reply, pdf, `${round.code}-phieu-mau.pdf`);
  });
}
