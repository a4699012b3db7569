import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeQuestions } from '../../../surveys/describe.ts';
import {
  ChoiceQuestionSchema,
  CodeSchema,
  LocalTextSchema,
  ScaleQuestionSchema,
  TextQuestionSchema,
} from '../../../surveys/schema.ts';
import { apiError, errorResponses } from '../../platform/http/api-errors.ts';
import { latestVersion } from './survey-version-repository.ts';

// What a kiosk app renders a survey from: public, like the survey itself.

// Each question as the survey definition has it (surveys/schema.ts), with
// what describeQuestions adds: its section and the values it accepts.
const described = {
  section: z.number().int().meta({ description: 'Index into sections.' }),
  values: z.array(z.union([z.number(), z.string()])).optional(),
  labels: z.record(z.string(), LocalTextSchema).optional(),
};
const DescribedQuestion = z
  .discriminatedUnion('type', [
    ScaleQuestionSchema.extend(described),
    ChoiceQuestionSchema.extend(described),
    TextQuestionSchema.extend(described),
  ])
  .meta({ id: 'DescribedQuestion' });

const SurveyDescription = z
  .object({
    code: z.string(),
    version: z.number().int(),
    publishedAt: z.iso.datetime(),
    title: LocalTextSchema,
    intro: LocalTextSchema.nullable(),
    sections: z.array(z.object({ title: LocalTextSchema.nullable() })),
    questions: z.array(DescribedQuestion),
  })
  .meta({ id: 'SurveyDescription' });

const surveyApi: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/v1/surveys/:code',
    {
      // A code of the wrong form names no survey: 404, as for any unknown code.
      attachValidation: true,
      schema: {
        tags: ['surveys'],
        summary: 'The current published version of a survey',
        description: 'Each question with its key, type, factor and the values it accepts. No credential needed.',
        security: [],
        params: z.object({ code: CodeSchema.meta({ description: 'sipas-quick, sipas-full, …' }) }),
        response: { 200: SurveyDescription, ...errorResponses(404) },
      },
    },
    async (req, reply) => {
      const version = req.validationError ? undefined : await latestVersion(app.db, req.params.code);
      if (!version) return reply.code(404).send(apiError('survey.not_found'));
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
    },
  );
};

export default surveyApi;
