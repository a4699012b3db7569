import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatDateVi } from '../../../analysis/local-time.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { deskHasTablet } from '../kiosk/kiosk-invitation-service.ts';
import type { DeskContext } from '../organisation/desk-repository.ts';
import { stuffingSettings } from '../submission/stuffing-evidence.ts';
import { trialMarkFor } from './poster-content.ts';
import { loadPrintableDesk, type PrintableDesk } from './poster-service.ts';
import {
  codesLeftToday,
  DEFAULT_CODE_DAYS,
  issueCounterCodes,
  MAX_COUNTER_CODE_DAYS,
  MAX_COUNTER_CODES,
  MAX_DOSSIER_REF_LENGTH,
  normaliseDossierRef,
} from './transaction-code-service.ts';

// One-time codes for the counter printer: a form that takes the references
// of the dossiers just received, one per line, and on POST a print page with
// one receipt slip per dossier. The codes exist only in that response (only
// their hashes are stored), so the page is rendered straight from the POST,
// not redirected. The references are hashed, never stored, and not printed.

const Days = z.coerce.number().int().min(1).max(MAX_COUNTER_CODE_DAYS);

interface FormValues {
  serviceArea: string;
  dossierRefs: string;
  days: string;
}

type FormErrors = Partial<Record<keyof FormValues, string>>;

const quote = (refs: string[]) => refs.map((r) => `“${r}”`).join(', ');

function readForm(body: unknown): FormValues {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => (typeof v === 'string' ? v.trim().slice(0, max) : '');
  return {
    serviceArea: str(b.serviceArea, 64),
    // Enough for a full batch of the longest references, and a little more to say it is too many.
    dossierRefs: str(b.dossierRefs, 2 * MAX_COUNTER_CODES * (MAX_DOSSIER_REF_LENGTH + 2)),
    days: str(b.days, 64),
  };
}

function checkForm(desk: DeskContext, v: FormValues) {
  const errors: FormErrors = {};
  if (!desk.serviceAreas.some((a) => a.code === v.serviceArea)) {
    errors.serviceArea = 'Vui lòng chọn một lĩnh vực mà quầy này phục vụ.';
  }
  const refs = v.dossierRefs
    .split(/\r?\n/)
    .map((r) => r.trim())
    .filter(Boolean);
  // The same dossier typed twice (in any case or spacing) would get one code refused: say which.
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const r of refs) {
    const n = normaliseDossierRef(r);
    if (seen.has(n)) twice.push(r);
    seen.add(n);
  }
  if (!refs.length) {
    errors.dossierRefs = 'Vui lòng nhập số hồ sơ, mỗi dòng một hồ sơ.';
  } else if (refs.length > MAX_COUNTER_CODES) {
    errors.dossierRefs = `Mỗi lần in tối đa ${MAX_COUNTER_CODES} phiếu; Ông/Bà đã nhập ${refs.length} số hồ sơ.`;
  } else if (refs.some((r) => r.length > MAX_DOSSIER_REF_LENGTH)) {
    errors.dossierRefs = `Mỗi số hồ sơ dài tối đa ${MAX_DOSSIER_REF_LENGTH} ký tự.`;
  } else if (twice.length) {
    errors.dossierRefs = `Số hồ sơ được nhập hai lần: ${quote(twice)}. Mỗi hồ sơ chỉ được cấp một mã.`;
  }
  const days = v.days === '' ? { success: true as const, data: DEFAULT_CODE_DAYS } : Days.safeParse(v.days);
  if (!days.success) errors.days = `Thời hạn cần là số ngày nguyên từ 1 đến ${MAX_COUNTER_CODE_DAYS}.`;
  return { errors, refs, days: days.data ?? DEFAULT_CODE_DAYS };
}

function refuse(req: FastifyRequest, reply: FastifyReply, status: 'not_found' | 'inactive') {
  if (status === 'not_found') return staffNotFound(req, reply);
  reply.code(404);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Quầy đã ngừng hoạt động',
    text: 'Quầy này (hoặc đơn vị của quầy) đã ngừng hoạt động nên không cấp mã đánh giá được.',
  });
}

/** What the user may still issue today, said on the form and in a refusal. */
function capText(left: number, cap: number): string {
  return left > 0
    ? `Hôm nay Ông/Bà còn được cấp ${left.toLocaleString('vi-VN')} mã cho quầy này (tối đa ${cap.toLocaleString('vi-VN')} mã mỗi ngày).`
    : `Hôm nay Ông/Bà đã cấp đủ ${cap.toLocaleString('vi-VN')} mã cho quầy này, mức tối đa mỗi ngày. Vui lòng cấp tiếp vào ngày mai.`;
}

export default async function staffCodeRoutes(app: FastifyInstance) {
  const cap = app.config.codeDailyCap;

  /** The desk of the route, if the user may print for it. */
  async function deskOf(req: FastifyRequest): Promise<PrintableDesk> {
    const deskId = idParam(req.params, 'deskId');
    return deskId ? loadPrintableDesk(app.db, req.user!, deskId) : { status: 'not_found' };
  }

  async function codesForm(
    req: FastifyRequest,
    reply: FastifyReply,
    desk: DeskContext,
    values: FormValues,
    errors: FormErrors = {},
    invited = false,
  ) {
    const left = await codesLeftToday(app.db, req.user!, desk.id, cap);
    // "Mời đánh giá" only where a tablet would see it.
    const tablet = await deskHasTablet(app.db, desk.id);
    return staffPage(req, reply, 'posters-codes/codes', {
      title: `Mã đánh giá một lần – ${desk.name}`,
      desk,
      values,
      errors,
      maxCount: MAX_COUNTER_CODES,
      maxDays: MAX_COUNTER_CODE_DAYS,
      capText: capText(left, cap),
      kiosk: { tablet, invited },
    });
  }

  app.get('/staff/desks/:deskId/codes', { preHandler: requireUser('serve') }, async (req, reply) => {
    const found = await deskOf(req);
    if (found.status !== 'ok') return refuse(req, reply, found.status);
    const desk = found.desk;
    const only = desk.serviceAreas.length === 1 ? (desk.serviceAreas[0]?.code ?? '') : '';
    const invited = (req.query as Record<string, unknown> | undefined)?.invited === '1';
    const values = { serviceArea: only, dossierRefs: '', days: String(DEFAULT_CODE_DAYS) };
    return codesForm(req, reply, desk, values, {}, invited);
  });

  app.post('/staff/desks/:deskId/codes', { preHandler: requireUser('serve') }, async (req, reply) => {
    const found = await deskOf(req);
    if (found.status !== 'ok') return refuse(req, reply, found.status);
    const desk = found.desk;
    const values = readForm(req.body);
    const { errors, refs, days } = checkForm(desk, values);
    if (Object.keys(errors).length) {
      reply.code(422);
      return codesForm(req, reply, desk, values, errors);
    }
    const result = await issueCounterCodes(
      app.db,
      req.user!,
      { deskId: desk.id, serviceArea: values.serviceArea, dossierRefs: refs, expiresInDays: days },
      { secret: stuffingSettings(app.config).secret, dailyCap: cap, publicUrl: app.config.publicUrl },
    );
    switch (result.status) {
      // Deactivated or moved out of scope between the two reads.
      case 'not_found':
        return staffNotFound(req, reply);
      case 'area_not_served':
        reply.code(422);
        return codesForm(req, reply, desk, values, { serviceArea: 'Quầy này không phục vụ lĩnh vực đã chọn.' });
      case 'dossier_has_code':
        reply.code(409);
        return codesForm(req, reply, desk, values, {
          dossierRefs: `Hồ sơ đã được cấp mã đánh giá: ${quote(result.refs)}. Mỗi hồ sơ chỉ được cấp một mã; chưa có mã nào được tạo, vui lòng bỏ các hồ sơ này rồi tạo lại.`,
        });
      case 'daily_cap':
        reply.code(429);
        return codesForm(req, reply, desk, values, {
          dossierRefs: `${capText(result.left, result.cap)} Ông/Bà đã nhập ${refs.length} số hồ sơ; chưa có mã nào được tạo.`,
        });
    }
    const area = desk.serviceAreas.find((a) => a.code === values.serviceArea);
    return staffPage(req, reply, 'posters-codes/code-slip', {
      title: `Đã tạo ${result.codes.length.toLocaleString('vi-VN')} mã đánh giá – ${desk.name}`,
      desk,
      areaName: area?.nameVi ?? values.serviceArea,
      codes: result.codes.map((c) => ({ url: c.url, qrSvg: c.qrSvg, expires: formatDateVi(c.expiresAt) })),
      trialMark: trialMarkFor(app.config.publicUrl),
    });
  });
}
