import { randomUUID } from 'node:crypto';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { FORM_FIELD, FORM_FIELD_NAMES } from '../../../surveys/form-fields.ts';
import { NA, NA_LABEL, SCALE_LABELS, SCALE_VALUES } from '../../../surveys/scale.ts';
import type { Db } from '../../platform/db/connect.ts';
import { type Locale, pickLocale, UI } from '../../platform/i18n.ts';
import { callbackOffer } from '../callbacks/callback-service.ts';
import { callbackForm } from '../callbacks/callback-text.ts';
import { FilledPage } from './filled-page.ts';
import { formEvidence, keepRenderToken, renderTokenFor, stuffingSettings } from './stuffing-evidence.ts';
import { type DeskSurvey, type FieldError, loadDeskSurvey, submitResponse } from './submission-service.ts';

// The survey form shared by the desk survey (/q/...) and the one-time code
// survey (/t/...): how it is rendered and how its post is handled; it always
// posts back to the page it came from.

/** A field people never see and leave empty; bots that fill every field fill it (stuffing-service.ts). */
export const HONEYPOT_FIELD = FORM_FIELD.honeypot;
/** The signed time the form was rendered, for the minimum completion time. */
export const RENDER_TOKEN_FIELD = FORM_FIELD.renderToken;

/** The form's own fields; everything else is an answer. */
export const FORM_FIELDS = new Set(FORM_FIELD_NAMES);

export interface FormState {
  lang: Locale;
  serviceArea?: string;
  submissionId: string;
  values: Record<string, string>;
  errors: FieldError[];
  /** A form shown again keeps its first render time; otherwise the time of this render is signed. */
  renderToken?: string;
}

/** `path`: where the form posts and the language switch points, e.g. /q/tan-hoi-q1. */
export function renderSurvey(reply: FastifyReply, ctx: DeskSurvey, state: FormState, path: string) {
  return reply
    .type('text/html; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .viewAsync('submission/survey.eta', surveyData(reply, ctx, state, path));
}

// The page a citizen gets from the QR code is the same for everyone at a
// desk but for four values made per request. It is rendered once with
// placeholders (letters only, which escaping leaves alone) and compressed
// once (filled-page.ts), for as long as the desk's cached survey lives
// (response-service.ts): the busiest page costs filling in four values, not a
// render and a compression.
const FILL = {
  nonceScript: 'HLFILLNONCESCRIPT',
  nonceStyle: 'HLFILLNONCESTYLE',
  submissionId: 'HLFILLSUBMISSION',
  renderToken: 'HLFILLTOKEN',
};
const FILL_PATTERN = new RegExp(Object.values(FILL).join('|'), 'g');
const freshPages = new WeakMap<DeskSurvey, Map<string, Promise<FilledPage>>>();

/** A new, empty form of the desk's survey (the GET of /q/...). */
export async function renderFreshSurvey(
  reply: FastifyReply,
  ctx: DeskSurvey,
  state: { lang: Locale; serviceArea?: string },
  path: string,
) {
  let pages = freshPages.get(ctx);
  if (!pages) {
    pages = new Map();
    freshPages.set(ctx, pages);
  }
  // Only the page everyone gets (no area chosen in the link) is kept: a link
  // per area is rare, and keeping every variant would let a crawler walking
  // desks × languages × areas fill the memory.
  const key = state.serviceArea ? undefined : `${state.lang}|${path}`;
  let page = key ? pages.get(key) : undefined;
  if (!page) {
    const blank: FormState = {
      ...state,
      submissionId: FILL.submissionId,
      renderToken: FILL.renderToken,
      values: {},
      errors: [],
    };
    const html = reply.server.view('submission/survey.eta', {
      ...surveyData(reply, ctx, blank, path),
      cspNonce: { script: FILL.nonceScript, style: FILL.nonceStyle },
    }) as Promise<string>;
    const filled = html.then((h) => new FilledPage(h, FILL_PATTERN));
    if (key) {
      pages.set(key, filled);
      filled.catch(() => pages.delete(key));
    }
    page = filled;
  }
  const nonce = reply.cspNonce;
  const gzip = negotiate(reply.request.headers['accept-encoding'] ?? '', ['gzip']) === 'gzip';
  const body = (await page).fill(
    {
      [FILL.nonceScript]: nonce.script,
      [FILL.nonceStyle]: nonce.style,
      [FILL.submissionId]: randomUUID(),
      [FILL.renderToken]: renderTokenFor(stuffingSettings(reply.server.config), ctx.desk.code),
    },
    gzip,
  );
  reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').header('Vary', 'Accept-Encoding');
  // Already encoded: @fastify/compress leaves a body with a Content-Encoding alone.
  if (gzip) reply.header('Content-Encoding', 'gzip');
  return reply.send(body);
}

function surveyData(reply: FastifyReply, ctx: DeskSurvey, state: FormState, path: string) {
  const t = UI[state.lang];
  const errorByPath = Object.fromEntries(state.errors.map((e) => [e.path, e.message[state.lang]]));
  return {
    t,
    lang: state.lang,
    title: ctx.version.definition.title[state.lang],
    desk: ctx.desk,
    def: ctx.version.definition,
    action: path,
    switchUrl: `${path}?lang=${t.switchHref}${state.serviceArea ? `&area=${encodeURIComponent(state.serviceArea)}` : ''}`,
    state,
    errorByPath,
    scale: SCALE_VALUES.map((v) => ({ value: String(v), ...SCALE_LABELS[v] })),
    NA,
    naLabel: NA_LABEL[state.lang],
    renderToken: state.renderToken ?? renderTokenFor(stuffingSettings(reply.server.config), ctx.desk.code),
    honeypotField: HONEYPOT_FIELD,
  };
}

export function notFound(reply: FastifyReply, lang: Locale, text = UI[lang].notFoundDesk) {
  const t = UI[lang];
  return reply
    .code(404)
    .type('text/html; charset=utf-8')
    .viewAsync('platform/message.eta', { t, lang, title: t.notFoundTitle, text });
}

/** Form fields as strings; a repeated field keeps its first value. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

export interface PostTarget {
  deskCode: string;
  /** Where the form posts back to. */
  path: string;
  /** Set when the area is fixed (a one-time code); otherwise the form's field. */
  serviceArea?: string;
  codeHash?: string;
  replyKey?: string;
}

/** Handles a posted survey form: thanks, the form again with messages, or why not. */
export async function handleSurveyPost(db: Db, reply: FastifyReply, rawBody: unknown, target: PostTarget) {
  const body = formFields(rawBody);
  const lang = pickLocale(body.lang);
  const t = UI[lang];
  const answers = Object.fromEntries(Object.entries(body).filter(([k]) => !FORM_FIELDS.has(k)));
  const submissionId = z.uuid().safeParse(body.submissionId);
  const serviceArea = target.serviceArea ?? (body.serviceArea || undefined);
  const stuffing = stuffingSettings(reply.server.config);
  const renderToken = keepRenderToken(stuffing, target.deskCode, body[RENDER_TOKEN_FIELD]);
  if (!submissionId.success) {
    // Only a tampered or truncated form lacks it: show the form again with a fresh id.
    const ctx = await loadDeskSurvey(db, target.deskCode);
    if (!ctx) return notFound(reply, lang);
    reply.code(422);
    const state = { lang, serviceArea, submissionId: randomUUID(), values: answers, errors: [], renderToken };
    return renderSurvey(reply, restrictAreas(ctx, target.serviceArea), state, target.path);
  }
  const result = await submitResponse(db, {
    deskCode: target.deskCode,
    serviceArea,
    answers,
    submissionId: submissionId.data,
    // A one-time code is its own channel: officials see how many came from receipts.
    channel: target.codeHash ? 'code' : 'qr',
    locale: lang,
    source: 'form',
    codeHash: target.codeHash,
    replyKey: target.replyKey,
    // Flags suspects (stored, never dropped); the address is only hashed.
    stuffing: formEvidence(stuffing, {
      address: reply.request.ip,
      honeypot: body[HONEYPOT_FIELD],
      renderToken: body[RENDER_TOKEN_FIELD],
      deskCode: target.deskCode,
      verified: Boolean(target.codeHash),
    }),
  });
  switch (result.status) {
    case 'unknown_desk':
      return notFound(reply, lang);
    case 'invalid': {
      reply.code(422);
      const state = {
        lang,
        serviceArea,
        submissionId: submissionId.data,
        values: answers,
        errors: result.errors,
        renderToken,
      };
      return renderSurvey(reply, restrictAreas(result.context, target.serviceArea), state, target.path);
    }
    case 'conflict':
      return message(reply.code(409), lang, t.alreadySentTitle, t.alreadySent);
    case 'code_used':
      return message(reply.code(410), lang, t.codeUsedTitle, t.codeUsed);
    case 'created':
    case 'replayed': {
      // After a score of 1–2 the citizen may choose to be called back (callbacks/).
      const offer = await callbackOffer(db, reply.server.config, result.id);
      return reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .viewAsync('submission/thanks.eta', {
          t,
          lang,
          title: t.thanksTitle,
          desk: result.context.desk,
          callback: offer ? callbackForm(lang, offer) : null,
        });
    }
  }
}

export function message(reply: FastifyReply, lang: Locale, title: string, text: string) {
  return reply.type('text/html; charset=utf-8').viewAsync('platform/message.eta', { t: UI[lang], lang, title, text });
}

/** With a one-time code the area is fixed: the form shows no other. */
export function restrictAreas(ctx: DeskSurvey, area: string | undefined): DeskSurvey {
  if (!area) return ctx;
  return { ...ctx, desk: { ...ctx.desk, serviceAreas: ctx.desk.serviceAreas.filter((a) => a.code === area) } };
}
