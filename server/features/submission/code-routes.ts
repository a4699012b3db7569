import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pickLocale, UI } from '../../platform/i18n.ts';
import { replyKeyOf } from '../feedback/feedback-rules.ts';
import { publicReplyForCode } from '../feedback/feedback-service.ts';
import { loadCodeSurvey } from '../posters-codes/transaction-code-service.ts';
import { handleSurveyPost, message, notFound, renderSurvey, restrictAreas } from './survey-form.ts';

// The survey reached through a one-time code printed on a receipt: the desk
// and service area come from the code, and the code admits one response.
// A citizen who comes back to it reads the unit's public reply, once given.

const Params = z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });
const codeOf = (params: unknown) => Params.safeParse(params).data?.code;

export default async function codeRoutes(app: FastifyInstance) {
  app.get('/t/:code', async (req, reply) => {
    const lang = pickLocale((req.query as { lang?: string }).lang);
    const t = UI[lang];
    const code = codeOf(req.params);
    const found = code ? await loadCodeSurvey(app.db, code) : { status: 'not_found' as const };
    if (found.status !== 'usable') {
      // The reply outlives the code's row and its expiry: looked up by the code itself.
      const answered = code ? await publicReplyForCode(app.db, code) : undefined;
      if (answered) {
        return reply
          .type('text/html; charset=utf-8')
          .header('Cache-Control', 'no-store')
          .viewAsync('feedback/public-reply.eta', {
            lang,
            title: lang === 'en' ? 'Reply to your feedback' : 'Trả lời ý kiến của Ông/Bà',
            reply: answered,
            // The one rating of how it was handled (callbacks/follow-up-service.ts), found by the code too.
            rateUrl: `/theo-doi/${code}${lang === 'en' ? '?lang=en' : ''}`,
          });
      }
    }
    if (found.status === 'not_found') return notFound(reply, lang, t.codeNotFound);
    if (found.status === 'used') return message(reply.code(410), lang, t.codeUsedTitle, t.codeUsed);
    const state = { lang, serviceArea: found.serviceArea, submissionId: randomUUID(), values: {}, errors: [] };
    return renderSurvey(reply, restrictAreas(found.context, found.serviceArea), state, `/t/${code}`);
  });

  app.post('/t/:code', { bodyLimit: 32 * 1024 }, async (req, reply) => {
    const lang = pickLocale((req.body as { lang?: unknown } | undefined)?.lang);
    const code = codeOf(req.params);
    const found = code ? await loadCodeSurvey(app.db, code) : { status: 'not_found' as const };
    if (found.status === 'not_found') return notFound(reply, lang, UI[lang].codeNotFound);
    // A used code still goes through: a replay of the response it admitted is thanked again.
    return handleSurveyPost(app.db, reply, req.body, {
      deskCode: found.context.desk.code,
      path: `/t/${code}`,
      serviceArea: found.serviceArea,
      codeHash: found.codeHash,
      replyKey: replyKeyOf(code!),
    });
  });
}
