import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { pickLocale } from '../../platform/i18n.ts';
import { deskSurveyUrl, qrPng, qrSvg } from '../organisation/desk-links.ts';
import { findActiveDesk } from '../organisation/desk-repository.ts';
import { findReplacementDesk } from '../organisation/unit-lineage-repository.ts';
import codeRoutes from './code-routes.ts';
import { loadDeskSurvey } from './submission-service.ts';
import { handleSurveyPost, notFound, renderFreshSurvey } from './survey-form.ts';

// The citizen's path: the survey page of a desk, its plain form post (no
// JavaScript needed) and the desk's QR code.

// A code outside the pattern (NUL bytes included) is simply not a desk: 404.
const Params = z.object({ deskCode: CodeSchema });
const deskCodeOf = (params: unknown) => Params.safeParse(params).data?.deskCode;
const PageQuery = z.object({ lang: z.string().optional(), area: z.string().max(64).optional() });
const deskPath = (code: string) => `/q/${encodeURIComponent(code)}`;

export default async function surveyRoutes(app: FastifyInstance) {
  // Form posts are parsed only in this scope; the JSON API refuses them (415).
  await app.register(formbody, { bodyLimit: 32 * 1024 });
  await app.register(codeRoutes);

  app.get('/q/:deskCode', async (req, reply) => {
    const query = PageQuery.safeParse(req.query);
    const lang = pickLocale(query.data?.lang);
    const deskCode = deskCodeOf(req.params);
    // Desk codes are lower case, but people copy them from print in capitals
    // (/q/TAN-HOI-Q1): send them to the desk's own address, query kept.
    const lower = (req.params as { deskCode?: string }).deskCode?.toLowerCase();
    if (!deskCode && lower && deskCodeOf({ deskCode: lower })) {
      const query = req.url.indexOf('?');
      return reply.redirect(`${deskPath(lower)}${query < 0 ? '' : req.url.slice(query)}`, 301);
    }
    const ctx = deskCode ? await loadDeskSurvey(app.db, deskCode) : undefined;
    if (!ctx) {
      // A desk retired in a merger: its posters lead to the successor's desk (no dead end).
      const next = deskCode ? await findReplacementDesk(app.db, deskCode) : undefined;
      const query = req.url.indexOf('?');
      if (next) return reply.redirect(`${deskPath(next)}${query < 0 ? '' : req.url.slice(query)}`, 302);
      return notFound(reply, lang);
    }
    const area = query.data?.area;
    const serviceArea = ctx.desk.serviceAreas.some((a) => a.code === area) ? area : undefined;
    return renderFreshSurvey(reply, ctx, { lang, serviceArea }, deskPath(ctx.desk.code));
  });

  app.post('/q/:deskCode', { bodyLimit: 32 * 1024 }, async (req, reply) => {
    const deskCode = deskCodeOf(req.params);
    if (!deskCode) return notFound(reply, pickLocale((req.body as { lang?: unknown } | undefined)?.lang));
    return handleSurveyPost(app.db, reply, req.body, { deskCode, path: deskPath(deskCode) });
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
