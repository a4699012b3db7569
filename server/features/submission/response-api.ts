import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import {
  type ApiErrorItem,
  apiError,
  errorResponses,
  FIELD_ERROR_CODES,
  type FieldErrorCode,
} from '../../platform/http/api-errors.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import type { DeskContext } from '../organisation/desk-repository.ts';
import { postRoundForm, type RoundPostResult } from '../rounds/round-api-service.ts';
import { MAX_SERIAL } from '../rounds/round-form-rules.ts';
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
    round: CodeSchema.optional().meta({
      description:
        'Only with "channel": "paper", `surveyedOn` and `serial`: the code of the survey round the form belongs ' +
        "to (a round of the desk's unit or a unit above it). The form then counts in the round's report, not " +
        "in the continuous figures, under the round's rules: dated inside its fieldwork, an area of its plan, " +
        'unanswered questions left out.',
    }),
    serial: z
      .number()
      .int()
      .min(1)
      .max(MAX_SERIAL)
      .optional()
      .meta({ description: 'With `round`: the number printed on the form; each is taken once per round (409).' }),
  })
  .strict();

/** Why a round's fields are refused together, by field; empty when they fit. */
function roundFieldProblems(b: z.infer<typeof Body>): ApiErrorItem[] {
  if (b.round === undefined && b.serial === undefined) return [];
  const say = (path: string, en: string, vi: string): ApiErrorItem => ({
    path,
    code: 'validation.custom',
    message: { en, vi },
  });
  const problems: ApiErrorItem[] = [];
  if (b.channel !== 'paper') {
    problems.push(
      say('channel', 'A survey round takes paper forms only', 'Đợt khảo sát chỉ nhận phiếu giấy ("paper")'),
    );
  }
  if (b.surveyedOn === undefined) {
    problems.push(
      say('surveyedOn', 'A round form needs the day it was answered', 'Phiếu của đợt khảo sát cần ngày khảo sát'),
    );
  }
  if (b.round === undefined) problems.push(say('round', 'serial needs round', 'Có số phiếu thì cần mã đợt khảo sát'));
  if (b.serial === undefined) problems.push(say('serial', 'round needs serial', 'Có mã đợt khảo sát thì cần số phiếu'));
  return problems;
}

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

function postRoundFormOf(db: Db, b: z.infer<typeof Body>, desk: DeskContext, keyId: number | null) {
  return postRoundForm(db, {
    roundCode: b.round!,
    serial: b.serial!,
    surveyedOn: b.surveyedOn!,
    desk,
    serviceArea: b.serviceArea,
    answers: b.answers,
    submissionId: b.submissionId,
    keyId,
  });
}

function sendRoundForm(reply: FastifyReply, r: RoundPostResult) {
  switch (r.status) {
    case 'created':
      return reply.code(201).send({ id: r.id, status: 'created' });
    case 'replayed':
      return reply.code(200).send({ id: r.id, status: 'replayed' });
    case 'conflict':
      return reply.code(409).send(apiError('submission.conflict'));
    case 'serial_taken':
      return reply.code(409).send(apiError('round.serial_taken'));
    case 'unknown_round':
      return reply.code(422).send(
        apiError('round.unknown', {
          errors: [{ path: 'round', code: 'round.unknown', message: apiError('round.unknown').message }],
        }),
      );
    case 'invalid':
      return reply.code(422).send(
        apiError('submission.invalid', {
          errors: r.problems.map((p) => ({ path: p.path, code: 'validation.custom' as const, message: p.message })),
        }),
      );
  }
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
          'flagged by the rate or burst checks: clerks type them in bulk, and identical forms are normal. ' +
          'A paper form of a survey round names its `round` and `serial`: it counts in the round at once, and a ' +
          'serial entered before is a 409 round.serial_taken.',
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
      const fieldProblems: ApiErrorItem[] = [
        ...(dated ? [{ path: 'surveyedOn', code: 'validation.custom' as const, message: dated }] : []),
        ...roundFieldProblems(b),
      ];
      if (fieldProblems.length) return reply.code(422).send(apiError('validation.failed', { errors: fieldProblems }));
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
      if (b.round !== undefined)
        return sendRoundForm(reply, await postRoundFormOf(app.db, b, context.desk, principal.keyId));
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
