import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { can } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { canPublish } from '../public/public-switch-service.ts';
import { SETTING_FIELDS, type StoredReportSettings } from './report-settings-rules.ts';
import {
  canSeeSettings,
  loadSettingsPage,
  updatePublication,
  updateReportSettings,
} from './report-settings-service.ts';

// The unit's report settings (Thiết lập báo cáo): what its PDF and Word
// reports print in the NĐ 30/2020 layout. Managers and administrators whose
// subtree holds the unit; another unit's id answers as a missing one. An
// empty field means the default shown beside it. The same page has the
// unit's public results switch (Công khai kết quả, issue 17): officials and
// administrators turn it on or off; managers see it and the settings form.

const CONTROL = /^[^\p{Cc}]*$/u;

/** The first message for each field. */
function formErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[String(issue.path[0] ?? 'form')] ??= issue.message;
  return out;
}

/** An optional text: NFC, trimmed, null when empty; lists keep their line breaks. */
function optional(max: number, multiline = false) {
  return z
    .unknown()
    .transform((v) => {
      if (typeof v !== 'string') return '';
      const text = v.normalize('NFC').replace(/\r\n?/g, '\n');
      return multiline
        ? text
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .join('\n')
        : text.trim();
    })
    .pipe(
      z
        .string()
        .max(max, `Tối đa ${max} ký tự.`)
        .refine((s) => s.split('\n').every((l) => CONTROL.test(l)), 'Có ký tự không hợp lệ.'),
    )
    .transform((s) => (s === '' ? null : s));
}

const SettingsBody = z.object({
  issuerName: optional(200),
  parentName: optional(200),
  placeName: optional(100),
  abbreviation: optional(40).refine(
    (s) => s === null || /^[\p{Lu}\p{N}Đ.&-]+$/u.test(s),
    'Chữ viết tắt gồm chữ in hoa, chữ số và dấu gạch ngang, không có khoảng trắng (vd: UBND, TTPVHCC).',
  ),
  recipients: optional(2000, true),
  signerCapacity: optional(300, true),
  signerName: optional(100),
  distribution: optional(2000, true),
}) satisfies z.ZodType<StoredReportSettings>;

async function refuse(req: FastifyRequest, reply: FastifyReply) {
  await recordAudit(req.server.db, {
    actorUserId: req.user!.userId,
    unitId: req.user!.unitId,
    action: 'permission.denied',
    detail: { route: req.routeOptions.url, method: req.method },
  });
  reply.code(403);
  return staffPage(req, reply, 'platform/staff-message', {
    title: 'Không có quyền',
    text: 'Tài khoản của Ông/Bà không có quyền thực hiện việc này.',
  });
}

export default async function reportSettingsRoutes(app: FastifyInstance) {
  const manage = { preHandler: requireUser('manage') };

  async function show(
    req: FastifyRequest,
    reply: FastifyReply,
    form?: { values: Record<string, unknown>; errors: Record<string, string> },
  ) {
    const unitId = idParam(req.params, 'unitId');
    const page = unitId ? await loadSettingsPage(app.db, req.user!, unitId) : undefined;
    if (!page) return staffNotFound(req, reply);
    if (form) reply.code(422);
    const saved = (req.query as { saved?: string } | undefined)?.saved;
    return staffPage(req, reply, 'reports/report-settings', {
      title: `Thiết lập báo cáo – ${page.unit.name}`,
      ...page,
      values: form?.values ?? page.stored,
      errors: form?.errors ?? {},
      saved: saved === '1',
      savedPublication: saved === 'public',
      canEdit: can(req.user!, 'manage'),
      canPublish: canPublish(req.user!),
    });
  }

  app.get('/staff/units/:unitId/report-settings', { preHandler: requireUser() }, (req, reply) =>
    canSeeSettings(req.user!) ? show(req, reply) : refuse(req, reply),
  );

  // The public results switch: a form of its own, a checkbox (absent: off).
  app.post('/staff/units/:unitId/public-results', { preHandler: requireUser() }, async (req, reply) => {
    const unitId = idParam(req.params, 'unitId');
    if (!unitId) return staffNotFound(req, reply);
    const published = (req.body as { published?: unknown } | undefined)?.published === '1';
    const result = await updatePublication(app.db, req.user!, unitId, published);
    if (result === 'not_found') return staffNotFound(req, reply);
    if (result === 'forbidden') return refuse(req, reply);
    return reply.redirect(`/staff/units/${unitId}/report-settings?saved=public`, 303);
  });

  app.post('/staff/units/:unitId/report-settings', manage, async (req, reply) => {
    const unitId = idParam(req.params, 'unitId');
    if (!unitId) return staffNotFound(req, reply);
    // A field left out of the post is an empty one (the default), as the form would send it.
    const blank = Object.fromEntries(SETTING_FIELDS.map((f) => [f, '']));
    const parsed = SettingsBody.safeParse({ ...blank, ...((req.body ?? {}) as object) });
    if (!parsed.success) {
      // Out of scope still answers 404 before anything about the form.
      if (!(await loadSettingsPage(app.db, req.user!, unitId))) return staffNotFound(req, reply);
      return show(req, reply, {
        values: (req.body ?? {}) as Record<string, unknown>,
        errors: formErrors(parsed.error),
      });
    }
    const result = await updateReportSettings(app.db, req.user!, unitId, parsed.data);
    if (result === 'not_found') return staffNotFound(req, reply);
    return reply.redirect(`/staff/units/${unitId}/report-settings?saved=1`, 303);
  });
}
