import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireUser } from '../../plugins/session.ts';
import type { DeskContext } from '../../repositories/desk-repository.ts';
import { formatDateVi } from '../../services/local-time.ts';
import { loadPrintableDesk, type PrintableDesk } from '../../services/poster-service.ts';
import {
  DEFAULT_CODE_DAYS,
  issueCounterCodes,
  MAX_COUNTER_CODE_DAYS,
  MAX_COUNTER_CODES,
} from '../../services/transaction-code-service.ts';
import { idParam, staffNotFound, staffPage } from './staff-view.ts';

// One-time codes for the counter printer: a form, and on POST a print page
// of receipt slips. The codes exist only in that response (only their hashes
// are stored), so the page is rendered straight from the POST, not redirected.

const Count = z.coerce.number().int().min(1).max(MAX_COUNTER_CODES);
const Days = z.coerce.number().int().min(1).max(MAX_COUNTER_CODE_DAYS);

interface FormValues {
  serviceArea: string;
  count: string;
  days: string;
}

type FormErrors = Partial<Record<keyof FormValues, string>>;

function readForm(body: unknown): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === 'string' ? v.trim().slice(0, 64) : fallback);
  return { serviceArea: str(b.serviceArea, ''), count: str(b.count, ''), days: str(b.days, '') };
}

function checkForm(desk: DeskContext, v: FormValues) {
  const errors: FormErrors = {};
  if (!desk.serviceAreas.some((a) => a.code === v.serviceArea)) {
    errors.serviceArea = 'Vui lòng chọn một lĩnh vực mà quầy này phục vụ.';
  }
  const count = Count.safeParse(v.count);
  if (!count.success) errors.count = `Số mã cần là số nguyên từ 1 đến ${MAX_COUNTER_CODES}.`;
  const days = v.days === '' ? { success: true as const, data: DEFAULT_CODE_DAYS } : Days.safeParse(v.days);
  if (!days.success) errors.days = `Thời hạn cần là số ngày nguyên từ 1 đến ${MAX_COUNTER_CODE_DAYS}.`;
  return { errors, count: count.data ?? 0, days: days.data ?? DEFAULT_CODE_DAYS };
}

function codesForm(req: FastifyRequest, reply: FastifyReply, desk: DeskContext, values: FormValues, errors = {}) {
  return staffPage(req, reply, 'codes', {
    title: `Mã đánh giá một lần – ${desk.name}`,
    desk,
    values,
    errors,
    maxCount: MAX_COUNTER_CODES,
    maxDays: MAX_COUNTER_CODE_DAYS,
  });
}

function refuse(req: FastifyRequest, reply: FastifyReply, status: 'not_found' | 'inactive') {
  if (status === 'not_found') return staffNotFound(req, reply);
  reply.code(404);
  return staffPage(req, reply, 'message', {
    title: 'Quầy đã ngừng hoạt động',
    text: 'Quầy này (hoặc đơn vị của quầy) đã ngừng hoạt động nên không cấp mã đánh giá được.',
  });
}

export default async function staffCodeRoutes(app: FastifyInstance) {
  /** The desk of the route, if the user may print for it. */
  async function deskOf(req: FastifyRequest): Promise<PrintableDesk> {
    const deskId = idParam(req.params, 'deskId');
    return deskId ? loadPrintableDesk(app.db, req.user!, deskId) : { status: 'not_found' };
  }

  app.get('/staff/desks/:deskId/codes', { preHandler: requireUser('serve') }, async (req, reply) => {
    const found = await deskOf(req);
    if (found.status !== 'ok') return refuse(req, reply, found.status);
    const desk = found.desk;
    const only = desk.serviceAreas.length === 1 ? (desk.serviceAreas[0]?.code ?? '') : '';
    return codesForm(req, reply, desk, { serviceArea: only, count: '1', days: String(DEFAULT_CODE_DAYS) });
  });

  app.post('/staff/desks/:deskId/codes', { preHandler: requireUser('serve') }, async (req, reply) => {
    const found = await deskOf(req);
    if (found.status !== 'ok') return refuse(req, reply, found.status);
    const desk = found.desk;
    const values = readForm(req.body);
    const { errors, count, days } = checkForm(desk, values);
    if (Object.keys(errors).length) {
      reply.code(422);
      return codesForm(req, reply, desk, values, errors);
    }
    const result = await issueCounterCodes(
      app.db,
      req.user!,
      { deskId: desk.id, serviceArea: values.serviceArea, count, expiresInDays: days },
      app.config.publicUrl,
    );
    // Deactivated or moved out of scope between the two reads.
    if (result.status === 'not_found') return staffNotFound(req, reply);
    if (result.status === 'area_not_served') {
      reply.code(422);
      return codesForm(req, reply, desk, values, { serviceArea: 'Quầy này không phục vụ lĩnh vực đã chọn.' });
    }
    const area = desk.serviceAreas.find((a) => a.code === values.serviceArea);
    return staffPage(req, reply, 'code-slip', {
      title: `Đã tạo ${count.toLocaleString('vi-VN')} mã đánh giá – ${desk.name}`,
      desk,
      areaName: area?.nameVi ?? values.serviceArea,
      codes: result.codes.map((c) => ({ url: c.url, qrSvg: c.qrSvg, expires: formatDateVi(c.expiresAt) })),
    });
  });
}
