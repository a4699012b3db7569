import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseDateInput, todayIso } from '../../../analysis/local-time.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import { can } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { loadKioskSection } from '../kiosk/kiosk-device-service.ts';
import { canPublish } from '../public/public-switch-service.ts';
import { withSubtreeDesks } from './subtree-desks.ts';
import {
  type Change,
  createChildUnit,
  createDesk,
  createTopUnit,
  type FormErrors,
  listUnitTree,
  loadDeskPage,
  loadUnitPage,
  renameUnit,
  setUnitActive,
  UNIT_KINDS,
  updateDeskSettings,
} from './unit-admin-service.ts';
import { canReorganise, unitTreeAt } from './unit-lineage-service.ts';
import type { UnitKind } from './unit-repository.ts';

// Units and desks: everyone signed in may look at what is in their subtree;
// changes need 'manage'. A form that fails validation comes back with 422,
// what was typed and a message per field; a success redirects (PRG).

export const KIND_NAMES: Record<UnitKind, string> = {
  province: 'Tỉnh, thành phố',
  commune: 'Xã, phường, đặc khu',
  centre: 'Trung tâm Phục vụ hành chính công',
  other: 'Đơn vị khác',
};

/** A form's state when it is shown again: what was typed and what is wrong. */
export interface FormState {
  values: Record<string, unknown>;
  errors: FormErrors;
}

const CONTROL = /^[^\p{Cc}]*$/u;

/** A required one-line text field: NFC, trimmed, at most `max` characters. */
export function textField(required: string, max = 200) {
  return z
    .unknown()
    .transform((v) => (typeof v === 'string' ? v.normalize('NFC').trim() : ''))
    .pipe(z.string().min(1, required).max(max, `Tối đa ${max} ký tự.`).regex(CONTROL, 'Có ký tự không hợp lệ.'));
}

const codeField = z
  .unknown()
  .transform((v) => (typeof v === 'string' ? v.trim() : ''))
  .refine(
    (v) => CodeSchema.safeParse(v).success,
    'Mã gồm 2–64 ký tự: chữ thường không dấu, chữ số và dấu gạch ngang (-), bắt đầu bằng chữ hoặc số.',
  );

// Checkboxes arrive as nothing, one string or an array of strings.
const areasField = z
  .unknown()
  .transform((v) => [...new Set((Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String))])
  .refine((a) => a.length > 0, 'Vui lòng chọn ít nhất một lĩnh vực.')
  .refine((a) => a.every((c) => CodeSchema.safeParse(c).success), 'Lĩnh vực đã chọn không hợp lệ.');

const activeField = z.enum(['0', '1'], 'Giá trị không hợp lệ.').transform((v) => v === '1');

const NameBody = z.object({ name: textField('Vui lòng nhập tên.') });
const ActiveBody = z.object({ value: activeField });
const ChildBody = z.object({
  code: codeField,
  name: textField('Vui lòng nhập tên đơn vị.'),
  kind: z.enum(UNIT_KINDS as [UnitKind, ...UnitKind[]], 'Vui lòng chọn loại đơn vị.'),
});
const DeskBody = z.object({
  code: codeField,
  name: textField('Vui lòng nhập tên quầy.'),
  serviceAreas: areasField,
});
const AreasBody = z.object({ serviceAreas: areasField });

/** The first message for each field of a failed parse. */
export function formErrors(error: z.ZodError): FormErrors {
  const out: FormErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    out[field] ??= issue.message;
  }
  return out;
}

/** Validates a body, then runs the change; a failed parse is an 'invalid' change. */
export async function validated<S extends z.ZodType, R>(
  schema: S,
  body: unknown,
  run: (data: z.output<S>) => Promise<R>,
): Promise<R | { status: 'invalid'; errors: FormErrors }> {
  const parsed = schema.safeParse(body ?? {});
  return parsed.success ? run(parsed.data) : { status: 'invalid', errors: formErrors(parsed.error) };
}

const bodyOf = (req: FastifyRequest) => (req.body ?? {}) as Record<string, unknown>;

/**
 * The desk page, with a form's messages when one failed (422). Its kiosk
 * section (the desk's tablets) is the kiosk feature's, shown to managers.
 */
export async function showDesk(
  req: FastifyRequest,
  reply: FastifyReply,
  deskId?: number,
  forms: Record<string, FormState> = {},
) {
  const db = req.server.db;
  const page = deskId ? await loadDeskPage(db, req.user!, deskId) : undefined;
  if (!page) return staffNotFound(req, reply);
  if (Object.keys(forms).length) reply.code(422);
  return staffPage(req, reply, 'organisation/desk', {
    title: page.desk.name,
    ...page,
    kiosk: await loadKioskSection(db, req.user!, page.desk.id),
    forms,
    canManage: can(req.user!, 'manage'),
  });
}

export default async function unitsRoutes(app: FastifyInstance) {
  const anyone = { preHandler: requireUser() };
  const manage = { preHandler: requireUser('manage') };

  async function showUnit(
    req: FastifyRequest,
    reply: FastifyReply,
    unitId?: number,
    forms: Record<string, FormState> = {},
  ) {
    const page = unitId ? await loadUnitPage(app.db, req.user!, unitId) : undefined;
    if (!page) return staffNotFound(req, reply);
    if (Object.keys(forms).length) reply.code(422);
    const areaNames = Object.fromEntries(page.areas.map((a) => [a.code, a.nameVi]));
    return staffPage(req, reply, 'organisation/unit', {
      title: page.unit.name,
      ...page,
      forms,
      areaNames,
      kindNames: KIND_NAMES,
      canManage: can(req.user!, 'manage'),
      canPublish: canPublish(req.user!),
    });
  }

  /** A POST on a unit page: validate, change, then back to the page (303) or the form again (422). */
  function unitForm<S extends z.ZodType>(
    form: string,
    schema: S,
    run: (req: FastifyRequest, unitId: number, data: z.output<S>) => Promise<Change>,
  ) {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const unitId = idParam(req.params, 'unitId');
      if (!unitId) return staffNotFound(req, reply);
      const result = await validated(schema, req.body, (data) => run(req, unitId, data));
      if (result.status === 'not_found') return staffNotFound(req, reply);
      if (result.status === 'invalid') {
        return showUnit(req, reply, unitId, { [form]: { values: bodyOf(req), errors: result.errors } });
      }
      return reply.redirect(`/staff/units/${unitId}`, 303);
    };
  }

  function deskForm<S extends z.ZodType>(
    form: string,
    schema: S,
    change: (data: z.output<S>) => Parameters<typeof updateDeskSettings>[3],
  ) {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const deskId = idParam(req.params, 'deskId');
      if (!deskId) return staffNotFound(req, reply);
      const result = await validated(schema, req.body, (data) =>
        updateDeskSettings(app.db, req.user!, deskId, change(data)),
      );
      if (result.status === 'not_found') return staffNotFound(req, reply);
      if (result.status === 'invalid') {
        return showDesk(req, reply, deskId, { [form]: { values: bodyOf(req), errors: result.errors } });
      }
      return reply.redirect(`/staff/desks/${deskId}`, 303);
    };
  }

  const unitList = async (req: FastifyRequest, reply: FastifyReply, top?: { values: unknown; errors: unknown }) => {
    // ?at=dd/mm/yyyy: the tree as it stood that day (reorganisations after it undone), read-only.
    const asked = (req.query as { at?: unknown } | undefined)?.at;
    const at = typeof asked === 'string' ? parseDateInput(asked.trim()) : undefined;
    const past = at && at < todayIso(new Date()) ? at : undefined;
    return staffPage(req, reply, 'organisation/units', {
      title: 'Đơn vị và quầy',
      units: withSubtreeDesks(past ? await unitTreeAt(app.db, req.user!, past) : await listUnitTree(app.db, req.user!)),
      kindNames: KIND_NAMES,
      canAddTop: !past && req.user!.role === 'admin' && req.user!.unitPath === '/',
      canReorganise: !past && canReorganise(req.user!),
      at: past ?? '',
      atTyped: typeof asked === 'string' ? asked : '',
      atInvalid: typeof asked === 'string' && asked.trim() !== '' && !at,
      top,
    });
  };

  app.get('/staff/units', anyone, (req, reply) => unitList(req, reply));

  // An administrator adds the top of a hierarchy (a province) here.
  app.post('/staff/units', manage, async (req, reply) => {
    const result = await validated(ChildBody, req.body, (d) => createTopUnit(app.db, req.user!, d));
    if (result.status === 'not_found') return staffNotFound(req, reply);
    if (result.status === 'invalid') {
      reply.code(422);
      return unitList(req, reply, { values: bodyOf(req), errors: result.errors });
    }
    return reply.redirect(`/staff/units/${result.id}`, 303);
  });

  app.get('/staff/units/:unitId', anyone, (req, reply) => showUnit(req, reply, idParam(req.params, 'unitId')));

  app.post(
    '/staff/units/:unitId/rename',
    manage,
    unitForm('rename', NameBody, (req, id, d) => renameUnit(app.db, req.user!, id, d.name)),
  );
  app.post(
    '/staff/units/:unitId/active',
    manage,
    unitForm('active', ActiveBody, (req, id, d) => setUnitActive(app.db, req.user!, id, d.value)),
  );
  app.post(
    '/staff/units/:unitId/children',
    manage,
    unitForm('child', ChildBody, (req, id, d) => createChildUnit(app.db, req.user!, id, d)),
  );
  app.post(
    '/staff/units/:unitId/desks',
    manage,
    unitForm('desk', DeskBody, (req, id, d) => createDesk(app.db, req.user!, id, d)),
  );

  app.get('/staff/desks/:deskId', anyone, (req, reply) => showDesk(req, reply, idParam(req.params, 'deskId')));

  app.post(
    '/staff/desks/:deskId/rename',
    manage,
    deskForm('rename', NameBody, (d) => ({ name: d.name })),
  );
  app.post(
    '/staff/desks/:deskId/areas',
    manage,
    deskForm('areas', AreasBody, (d) => ({ serviceAreas: d.serviceAreas })),
  );
  app.post(
    '/staff/desks/:deskId/active',
    manage,
    deskForm('active', ActiveBody, (d) => ({ active: d.value })),
  );
}
