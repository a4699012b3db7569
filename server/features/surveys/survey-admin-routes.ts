import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatDateVi } from '../../../analysis/local-time.ts';
import { QUESTION_TYPE_VI } from '../../../surveys/definition-text-vi.ts';
import { FACTOR_SHORT_NAMES } from '../../../surveys/factor-names.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import { can } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import {
  type AssignTarget,
  assignmentChoices,
  assignSurvey,
  listSurveys,
  type PublishError,
  publishVersion,
  surveyVersions,
} from './survey-admin-service.ts';

// Survey versions: everyone signed in may read the shared instruments and
// their versions; publishing and assigning need the 'manage' capability,
// and assignment targets (units, desks) must lie in the user's subtree.

const Params = z.object({ surveyCode: CodeSchema });
const surveyCodeOf = (params: unknown) => Params.safeParse(params).data?.surveyCode;
const VersionQuery = z.object({
  version: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/)
    .optional(),
});
const AreaField = z.union([z.literal(''), CodeSchema]).optional();

const base = (code: string) => `/staff/surveys/${encodeURIComponent(code)}`;

async function renderSurvey(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  code: string,
  version: number | undefined,
  extra: Record<string, unknown> = {},
) {
  const found = await surveyVersions(app.db, code, version);
  if (!found) return staffNotFound(req, reply);
  const manage = can(req.user!, 'manage');
  const publish = can(req.user!, 'publish');
  const changed = new Map(found.diff?.changed.map((c) => [c.key, c]));
  const added = new Set(found.diff?.added);
  const sections = found.chosen.definition.sections.map((s, i) => ({
    title: s.title?.vi ?? `Phần ${i + 1}`,
    questions: s.questions.map((q) => ({
      key: q.key,
      text: q.text.vi,
      type: QUESTION_TYPE_VI[q.type],
      factor: q.type === 'scale' && q.factor ? FACTOR_SHORT_NAMES[q.factor] : '',
      required: q.required,
      allowNa: q.type === 'scale' && q.allowNa,
      options: q.type === 'choice' ? q.options.map((o) => `${o.code}: ${o.text.vi}`) : [],
      change: changed.get(q.key),
      added: added.has(q.key),
    })),
  }));
  return staffPage(req, reply, 'surveys/survey', {
    title: `Phiếu ${code}`,
    code,
    base: base(code),
    def: found.chosen.definition,
    chosen: { ...found.chosen, date: formatDateVi(found.chosen.publishedAt) },
    latest: found.versions.at(-1)!.version,
    versions: found.versions.map((v) => v.version),
    diff: found.diff,
    sections,
    manage,
    publish,
    choices: manage ? await assignmentChoices(app.db, req.user!, code) : undefined,
    ...extra,
  });
}

/** The assignment target a form names: a desk, or a unit with an optional area. */
function targetOf(body: Record<string, unknown>): AssignTarget | 'invalid' | undefined {
  if (body.deskId !== undefined) {
    const deskId = idParam(body, 'deskId');
    return deskId ? { kind: 'desk', deskId } : undefined;
  }
  const unitId = idParam(body, 'unitId');
  if (!unitId) return undefined;
  const area = AreaField.safeParse(body.serviceArea);
  if (!area.success) return 'invalid';
  return { kind: 'unit', unitId, serviceArea: area.data || null };
}

export default async function surveyAdminRoutes(app: FastifyInstance) {
  app.get('/staff/surveys', { preHandler: requireUser() }, async (req, reply) => {
    const surveys = (await listSurveys(app.db)).map((s) => ({
      ...s,
      versions: s.versions.map((v) => ({ ...v, date: formatDateVi(v.publishedAt) })),
    }));
    return staffPage(req, reply, 'surveys/surveys', { title: 'Phiếu khảo sát', surveys });
  });

  app.get('/staff/surveys/:surveyCode', { preHandler: requireUser() }, async (req, reply) => {
    const code = surveyCodeOf(req.params);
    const query = VersionQuery.safeParse(req.query);
    if (!code || !query.success) return staffNotFound(req, reply);
    const version = query.data.version ? Number(query.data.version) : undefined;
    return renderSurvey(app, req, reply, code, version, { assigned: 'assigned' in (req.query as object) });
  });

  const publishPage = (req: FastifyRequest, reply: FastifyReply, code: string, text: string, errors: PublishError[]) =>
    staffPage(req, reply, 'surveys/survey-publish', { title: `Phát hành phiên bản mới: ${code}`, code, text, errors });

  app.get('/staff/surveys/:surveyCode/publish', { preHandler: requireUser('publish') }, async (req, reply) => {
    const code = surveyCodeOf(req.params);
    const found = code && (await surveyVersions(app.db, code));
    if (!code || !found) return staffNotFound(req, reply);
    return publishPage(req, reply, code, JSON.stringify(found.chosen.definition, null, 2), []);
  });

  app.post('/staff/surveys/:surveyCode/publish', { preHandler: requireUser('publish') }, async (req, reply) => {
    const code = surveyCodeOf(req.params);
    if (!code) return staffNotFound(req, reply);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = typeof body.definition === 'string' ? body.definition : '';
    const result = await publishVersion(app.db, req.user!, code, text);
    if (result.status === 'not_found') return staffNotFound(req, reply);
    if (result.status === 'invalid') {
      reply.code(422);
      return publishPage(req, reply, code, text, result.errors);
    }
    return reply.redirect(`${base(code)}?version=${result.version}`, 303);
  });

  for (const [path, remove] of [
    ['/staff/surveys/:surveyCode/assign', false],
    ['/staff/surveys/:surveyCode/unassign', true],
  ] as const) {
    app.post(path, { preHandler: requireUser('manage') }, async (req, reply) => {
      const code = surveyCodeOf(req.params);
      const target = targetOf((req.body ?? {}) as Record<string, unknown>);
      if (!code || !target) return staffNotFound(req, reply);
      const result =
        target === 'invalid'
          ? ({ status: 'invalid', message: 'Lĩnh vực đã chọn không hợp lệ.' } as const)
          : await assignSurvey(app.db, req.user!, code, target, remove);
      if (result.status === 'not_found') return staffNotFound(req, reply);
      if (result.status === 'invalid') {
        reply.code(422);
        return renderSurvey(app, req, reply, code, undefined, { assignError: result.message });
      }
      return reply.redirect(`${base(code)}?assigned#phan-cong`, 303);
    });
  }
}
