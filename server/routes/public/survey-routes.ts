import { randomUUID } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { NA, NA_LABEL, SCALE_LABELS, SCALE_VALUES } from '../../../surveys/scale.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import { type Locale, pickLocale, UI } from '../../i18n.ts';
import { findActiveDesk } from '../../repositories/desk-repository.ts';
import { deskSurveyUrl, qrPng, qrSvg } from '../../services/desk-links.ts';
import { type DeskSurvey, type FieldError, loadDeskSurvey, submitResponse } from '../../services/response-service.ts';

// The citizen's path: the survey page of a desk, its plain form post (no
// JavaScript needed) and the desk's QR code.

// A code outside the pattern (NUL bytes included) is simply not a desk: 404.
const Params = z.object({ deskCode: CodeSchema });
const deskCodeOf = (params: unknown) => Params.safeParse(params).data?.deskCode;
const PageQuery = z.object({ lang: z.string().optional(), area: z.string().max(64).optional() });
const FORM_FIELDS = new Set(['serviceArea', 'submissionId', 'lang']);

interface FormState {
  lang: Locale;
  serviceArea?: string;
  submissionId: string;
  values: Record<string, string>;
  errors: FieldError[];
}

function renderSurvey(reply: FastifyReply, ctx: DeskSurvey, state: FormState) {
  const t = UI[state.lang];
  const errorByPath = Object.fromEntries(state.errors.map((e) => [e.path, e.message[state.lang]]));
  return reply
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .viewAsync('pages/survey.eta', {
      t,
      lang: state.lang,
      title: ctx.version.definition.title[state.lang],
      desk: ctx.desk,
      def: ctx.version.definition,
      action: `/q/${encodeURIComponent(ctx.desk.code)}`,
      switchUrl: `/q/${encodeURIComponent(ctx.desk.code)}?lang=${t.switchHref}${state.serviceArea ? `&area=${encodeURIComponent(state.serviceArea)}` : ''}`,
      state,
      errorByPath,
      scale: SCALE_VALUES.map((v) => ({ value: String(v), ...SCALE_LABELS[v] })),
      NA,
      naLabel: NA_LABEL[state.lang],
    });
}

function notFound(reply: FastifyReply, lang: Locale) {
  const t = UI[lang];
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .viewAsync('pages/message.eta', { t, lang, title: t.notFoundTitle, text: t.notFoundDesk });
}

export default async function surveyRoutes(app: FastifyInstance) {
  // Form posts are parsed only in this scope; the JSON API refuses them (415).
  await app.register(formbody, { bodyLimit: 32 * 1024 });

  app.get('/q/:deskCode', async (req, reply) => {
    const query = PageQuery.safeParse(req.query);
    const lang = pickLocale(query.data?.lang);
    const deskCode = deskCodeOf(req.params);
    const ctx = deskCode ? await loadDeskSurvey(app.db, deskCode) : undefined;
    if (!ctx) return notFound(reply, lang);
    const area = query.data?.area;
    return renderSurvey(reply, ctx, {
      lang,
      serviceArea: ctx.desk.serviceAreas.some((a) => a.code === area) ? area : undefined,
      submissionId: randomUUID(),
      values: {},
      errors: [],
    });
  });

  app.post('/q/:deskCode', { bodyLimit: 32 * 1024 }, async (req, reply) => {
    const body = formFields(req.body);
    const lang = pickLocale(body.lang);
    const deskCode = deskCodeOf(req.params);
    if (!deskCode) return notFound(reply, lang);
    const answers = Object.fromEntries(Object.entries(body).filter(([k]) => !FORM_FIELDS.has(k)));
    const submissionId = z.uuid().safeParse(body.submissionId);
    const serviceArea = body.serviceArea || undefined;
    if (!submissionId.success) {
      // Only a tampered or truncated form lacks it: show the form again with a fresh id.
      const ctx = await loadDeskSurvey(app.db, deskCode);
      if (!ctx) return notFound(reply, lang);
      reply.code(422);
      return renderSurvey(reply, ctx, { lang, serviceArea, submissionId: randomUUID(), values: answers, errors: [] });
    }
    const result = await submitResponse(app.db, {
      deskCode,
      serviceArea,
      answers,
      submissionId: submissionId.data,
      channel: 'qr',
      locale: lang,
      source: 'form',
    });
    const t = UI[lang];
    switch (result.status) {
      case 'unknown_desk':
        return notFound(reply, lang);
      case 'invalid':
        reply.code(422);
        return renderSurvey(reply, result.context, {
          lang,
          serviceArea,
          submissionId: submissionId.data,
          values: answers,
          errors: result.errors,
        });
      case 'conflict':
        reply.code(409);
        return reply
          .type('text/html; charset=utf-8')
          .viewAsync('pages/message.eta', { t, lang, title: t.alreadySentTitle, text: t.alreadySent });
      case 'created':
      case 'replayed':
        return reply
          .type('text/html; charset=utf-8')
          .header('Cache-Control', 'no-store')
          .viewAsync('pages/thanks.eta', { t, lang, title: t.thanksTitle, desk: result.context.desk });
    }
  });

  app.get('/q/:deskCode/qr.svg', async (req, reply) => {
    const url = await deskUrlOr404(app, req.params);
    if (!url) return notFound(reply, 'vi');
    return reply
      .type('image/svg+xml')
      .header('Cache-Control', 'public, max-age=3600')
      .send(await qrSvg(url));
  });

  app.get('/q/:deskCode/qr.png', async (req, reply) => {
    const url = await deskUrlOr404(app, req.params);
    if (!url) return notFound(reply, 'vi');
    return reply
      .type('image/png')
      .header('Cache-Control', 'public, max-age=3600')
      .send(await qrPng(url));
  });
}

async function deskUrlOr404(app: FastifyInstance, params: unknown): Promise<string | undefined> {
  const deskCode = deskCodeOf(params);
  const desk = deskCode ? await findActiveDesk(app.db, deskCode) : undefined;
  return desk && deskSurveyUrl(app.config.publicUrl, desk.code);
}

/** Form fields as strings; a repeated field keeps its first value. */
function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}
