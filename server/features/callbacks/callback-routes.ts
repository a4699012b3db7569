import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { canReach } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { type Locale, pickLocale, UI } from '../../platform/i18n.ts';
import { requireUser } from '../access/session-plugin.ts';
import { loadFeedback } from '../feedback/feedback-item-service.ts';
import { formFields, message, notFound } from '../submission/survey-form.ts';
import { type CallbackInput, markCallback, saveCallback } from './callback-service.ts';
import { CALLBACK_TEXT, callbackForm } from './callback-text.ts';
import { mailFollowUpLink } from './follow-up-mail.ts';
import { followUpOf, rateHandling } from './follow-up-service.ts';

// Citizen-facing: a contact for a callback after a low score, and the second
// rating of the handling (issue 18). Plain form posts: no JavaScript needed.
// And the staff's «Đã liên hệ lại» on the item page.

/** A contact or a yes/no: a few hundred bytes. Staff forms take the staff pages' limit. */
const CITIZEN_LIMIT = 8 * 1024;
const STAFF_LIMIT = 64 * 1024;

function page(reply: FastifyReply, view: string, data: Record<string, unknown>) {
  return reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').viewAsync(view, data);
}

export default async function callbackRoutes(app: FastifyInstance) {
  // Form posts are parsed in this scope only; each route sets its limit.
  await app.register(formbody);

  app.post('/lien-he-lai', { bodyLimit: CITIZEN_LIMIT }, async (req, reply) => {
    const body = formFields(req.body);
    const lang = pickLocale(body.lang);
    const tx = CALLBACK_TEXT[lang];
    const input: CallbackInput = {
      token: body.offer,
      contact: (body.contact ?? '').slice(0, 300),
      consent: body.consent === '1',
    };
    const result = await saveCallback(app.db, app.config, input);
    switch (result.status) {
      case 'bad_token':
        return message(reply.code(400), lang, UI[lang].errorTitle, UI[lang].badRequest);
      case 'expired':
        return message(reply.code(410), lang, tx.expiredTitle, tx.expired);
      case 'exists':
        return message(reply.code(409), lang, tx.existsTitle, tx.exists);
      case 'invalid': {
        // Shown again with what was typed: nothing is lost.
        const errors = {
          ...(result.contact ? { contact: tx.errors[result.contact] } : {}),
          ...(result.consent ? { consent: tx.errors.consent } : {}),
        };
        const form = callbackForm(lang, input.token ?? '', { contact: input.contact, consent: input.consent }, errors);
        return page(reply.code(422), 'callbacks/callback-form.eta', { lang, title: tx.offerTitle, callback: form });
      }
      case 'saved': {
        const mailed =
          result.email && result.followUrl && app.mailer
            ? await mailFollowUpLink(app.mailer, result.email, { url: result.followUrl, dueText: result.dueText, lang })
            : undefined;
        return page(reply, 'callbacks/callback-saved.eta', {
          lang,
          tx,
          title: tx.savedTitle,
          dueText: result.dueText,
          followUrl: result.followUrl,
          mailed,
        });
      }
    }
  });

  const keyOf = (params: unknown) => String((params as { key?: unknown }).key ?? '');

  app.get('/theo-doi/:key', async (req, reply) => {
    const lang = pickLocale((req.query as { lang?: string } | undefined)?.lang);
    const key = keyOf(req.params);
    const followUp = await followUpOf(app.db, key);
    if (!followUp) return notFound(reply, lang, CALLBACK_TEXT[lang].notFound);
    return followUpPage(reply, lang, key, followUp);
  });

  app.post('/theo-doi/:key', { bodyLimit: CITIZEN_LIMIT }, async (req, reply) => {
    const body = formFields(req.body);
    const lang = pickLocale(body.lang);
    const tx = CALLBACK_TEXT[lang];
    const key = keyOf(req.params);
    const choice = body.satisfied === 'yes' ? true : body.satisfied === 'no' ? false : undefined;
    if (choice === undefined) {
      const followUp = await followUpOf(app.db, key);
      if (!followUp) return notFound(reply, lang, tx.notFound);
      return followUpPage(reply.code(422), lang, key, followUp, tx.rateMissing);
    }
    switch (await rateHandling(app.db, key, choice)) {
      case 'not_found':
        return notFound(reply, lang, tx.notFound);
      case 'already':
        return message(reply.code(409), lang, tx.alreadyRatedTitle, tx.alreadyRated);
      case 'not_answered':
        return message(reply.code(409), lang, tx.followTitle, tx.notAnswered);
      case 'rated':
        return message(reply.header('Cache-Control', 'no-store'), lang, tx.ratedTitle, tx.rated);
    }
  });

  function followUpPage(
    reply: FastifyReply,
    lang: Locale,
    key: string,
    followUp: NonNullable<Awaited<ReturnType<typeof followUpOf>>>,
    error?: string,
  ) {
    const tx = CALLBACK_TEXT[lang];
    return page(reply.header('Referrer-Policy', 'no-referrer'), 'callbacks/follow-up.eta', {
      lang,
      tx,
      title: tx.followTitle,
      action: `/theo-doi/${key}`,
      switchUrl: `/theo-doi/${key}?lang=${lang === 'vi' ? 'en' : 'vi'}`,
      followUp,
      error,
    });
  }

  app.post(
    '/staff/feedback/:feedbackId/callback',
    { preHandler: requireUser('manage'), bodyLimit: STAFF_LIMIT },
    async (req, reply) => {
      const id = idParam(req.params, 'feedbackId');
      const item = id ? await loadFeedback(app.db, id) : undefined;
      if (!item || !canReach(req.user!, item.unitPath)) return staffNotFound(req, reply);
      const result = await markCallback(app.db, req.user!, item);
      if (result === 'marked') return reply.redirect(`/staff/feedback/${item.id}?saved=1`, 303);
      if (result === 'forbidden') {
        return staffRefused(req, reply, 'Chỉ người được giao xử lý mục này mới ghi nhận việc liên hệ lại.', {
          unitId: item.unitId,
          why: 'callback_not_handler',
        });
      }
      reply.code(409);
      return staffPage(req, reply, 'platform/staff-message', {
        title: 'Không có gì để ghi nhận',
        text: 'Mục này không có yêu cầu liên hệ lại, hoặc việc liên hệ lại đã được ghi nhận.',
      });
    },
  );
}
