import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeQuestions } from '../../../surveys/describe.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import { sendError } from '../../platform/plugins/errors.ts';
import { latestVersion } from './survey-version-repository.ts';

const Params = z.object({ code: CodeSchema });

export default async function surveyApi(app: FastifyInstance) {
  app.get('/api/v1/surveys/:code', async (req, reply) => {
    const code = Params.safeParse(req.params).data?.code;
    const version = code ? await latestVersion(app.db, code) : undefined;
    if (!version) return sendError(req, reply, 404, 'not_found', 'No such survey / Không có phiếu khảo sát này');
    const def = version.definition;
    return {
      code: version.surveyCode,
      version: version.version,
      publishedAt: version.publishedAt.toISOString(),
      title: def.title,
      intro: def.intro ?? null,
      sections: def.sections.map((s) => ({ title: s.title ?? null })),
      questions: describeQuestions(def),
    };
  });
}
