import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { canReach } from '../../platform/auth/scope.ts';
import {
  type ApiErrorItem,
  apiError,
  errorResponses,
  FIELD_ERROR_CODES,
  type FieldErrorCode,
} from '../../platform/http/api-errors.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import { apiEvidence, stuffingSettings } from './stuffing-evidence.ts';
import { type FieldError, loadDeskSurvey, submitResponse, surveyedOnProblem } from './submission-service.ts';

// Responses from machine clients (kiosk apps, paper data entry, one-stop
// software). Every channel has an owner: a `submit` key of the desk's unit
// or a unit above it, granted the channel it posts on. Anonymous citizens
// answer through the form (/q/..., /t/...), never here. A retry with the same
// submissionId is a harmless replay; the same id with other answers is a 409.
// Paper forms are typed in later by clerks, with the day they were answered.

const Body = z
  .object({
    desk: CodeSchema,
    serviceArea: CodeSchema.optional().meta({ description: 'May be left out at a desk with one service area.' }),
    answers: z
      .record(z.string().max(64), z.union([z.number(), z.string().max(10_000), z.null()]))
      .meta({ description: 'By question key: scale items 1–5 or "na", choices by option code, text as strings.' }),
    submissionId: z.uuid().meta({ description: 'Chosen by the client; sending it again is a harmless replay.' }),
    channel: z.enum(['kiosk', 'paper', 'link', 'api']).default('api'),
    locale: z.enum(['vi', 'en']).default('vi'),
    surveyedOn: z.iso
      .date()
      .optional()
      .meta({
        description:
          'Only with "channel": "paper": the day the paper form was answered (YYYY-MM-DD, Vietnam time, not in ' +
          'the future, not before 2000); the response counts on that day. Part of the payload: the same ' +
          'submissionId with another day is a 409. Left out: the form is dated now.',
      }),
  })
  .strict();

const Stored = (status: 'created' | 'replayed') =>
  z.object({
    id: z.string().meta({ description: 'The stored response (a decimal string).' }),
    status: z.literal(status),
  });

const UNKNOWN_DESK = apiError('desk.unknown', {
  errors: [{ path: 'desk', code: 'desk.unknown', message: apiError('desk.unknown').message }],
});

/** The survey's verdict on a field, under its stable code (README lists them). */
function fieldItem(e: FieldError): ApiErrorItem {
  const code =
    e.path === 'serviceArea'
      ? e.code === 'required'
        ? 'service_area.required'
        : 'service_area.not_served'
      : `answer.${e.code}`;
  // A code the catalogue does not know yet would fail the response schema: say "invalid" rather than 500.
  return {
    path: e.path,
    code: code in FIELD_ERROR_CODES ? (code as FieldErrorCode) : 'validation.custom',
    message: e.message,
  };
}

// Before the body is checked, as before it was parsed in the handler: a key
// of another role learns nothing about what a valid body looks like.
async function requireSubmitKey(req: FastifyRequest, reply: FastifyReply) {
  if (req.principal?.role === 'submit') return;
  return reply.code(403).send(
    apiError('auth.role_not_allowed', {
      message: { en: 'Only a submit key posts responses', vi: 'Chỉ khóa gửi phiếu được gửi phiếu' },
    }),
  );
}

const responseApi: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/responses',
    {
      preValidation: [requireApiKey, requireSubmitKey],
      bodyLimit: 64 * 1024,
      schema: {
        tags: ['responses'],
        summary: 'Post a response',
        description:
          'A citizen’s answers at a desk, with a `submit` key granted the channel. 201 when stored, 200 for a ' +
          'replay of the same submissionId and answers, 409 for the same submissionId with other answers. ' +
          'Paper forms (`paper` channel) may carry the day they were answered (`surveyedOn`) and are never ' +
          'flagged by the rate or burst checks: clerks type them in bulk, and identical forms are normal.',
        security: [{ apiKey: [] }],
        body: Body,
        response: {
          200: Stored('replayed'),
          201: Stored('created'),
          ...errorResponses(400, 401, 403, 409, 413, 415, 422),
        },
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const b = req.body;
      const dated = b.surveyedOn === undefined ? undefined : surveyedOnProblem(b.channel, b.surveyedOn);
      if (dated) {
        return reply.code(422).send(
          apiError('validation.failed', {
            errors: [{ path: 'surveyedOn', code: 'validation.custom', message: dated }],
          }),
        );
      }
      if (!principal.channels.includes(b.channel)) {
        return reply.code(403).send(
          apiError('auth.channel_not_allowed', {
            message: {
              en: `This key may not post on the ${b.channel} channel`,
              vi: `Khóa này không được gửi phiếu qua kênh ${b.channel}`,
            },
          }),
        );
      }
      // A desk outside the key's subtree does not exist for it (as for every API route).
      const context = await loadDeskSurvey(app.db, b.desk);
      if (!context || !canReach(principal, context.desk.unitPath)) return reply.code(422).send(UNKNOWN_DESK);
      const result = await submitResponse(app.db, {
        deskCode: b.desk,
        serviceArea: b.serviceArea,
        answers: b.answers,
        submissionId: b.submissionId,
        channel: b.channel,
        locale: b.locale,
        source: 'json',
        surveyedOn: b.surveyedOn,
        // The key is the source the rate checks count; no form, so no honeypot or timing.
        stuffing: apiEvidence(stuffingSettings(app.config), { keyId: principal.keyId, channel: b.channel }),
      });
      switch (result.status) {
        case 'code_used':
          // Only the citizen's code path passes a code; the API never does.
          throw new Error('unexpected code_used from the API path');
        case 'created':
          return reply.code(201).send({ id: result.id, status: 'created' });
        case 'replayed':
          return reply.code(200).send({ id: result.id, status: 'replayed' });
        case 'conflict':
          return reply.code(409).send(apiError('submission.conflict'));
        case 'unknown_desk':
          return reply.code(422).send(UNKNOWN_DESK);
        case 'invalid':
          return reply.code(422).send(apiError('submission.invalid', { errors: result.errors.map(fieldItem) }));
      }
    },
  );
};

export default responseApi;
