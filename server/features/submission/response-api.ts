import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { canReach } from '../../platform/auth/scope.ts';
import { apiErrors } from '../../platform/http/api-errors.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import { apiEvidence, stuffingSettings } from './stuffing-evidence.ts';
import { loadDeskSurvey, submitResponse } from './submission-service.ts';

// Responses from machine clients (kiosk apps, paper data entry, one-stop
// software). Every channel has an owner: a `submit` key of the desk's unit
// or a unit above it, granted the channel it posts on. Anonymous citizens
// answer through the form (/q/..., /t/...), never here. A retry with the same
// submissionId is a harmless replay; the same id with other answers is a 409.

const Body = z
  .object({
    desk: CodeSchema,
    serviceArea: CodeSchema.optional(),
    answers: z.record(z.string().max(64), z.union([z.number(), z.string().max(10_000), z.null()])),
    submissionId: z.uuid(),
    channel: z.enum(['kiosk', 'paper', 'link', 'api']).default('api'),
    locale: z.enum(['vi', 'en']).default('vi'),
  })
  .strict();

const UNKNOWN_DESK = {
  errors: [
    { path: 'desk', message: 'No active desk with this code', messageVi: 'Không có quầy đang hoạt động với mã này' },
  ],
};

export default async function responseApi(app: FastifyInstance) {
  app.post('/api/v1/responses', { preHandler: requireApiKey, bodyLimit: 64 * 1024 }, async (req, reply) => {
    const principal = req.principal!;
    if (principal.role !== 'submit') {
      return reply.code(403).send({
        error: 'forbidden',
        message: 'Only a submit key posts responses / Chỉ khóa gửi phiếu được gửi phiếu',
      });
    }
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(422).send({ errors: apiErrors(parsed.error) });
    }
    const b = parsed.data;
    if (!principal.channels.includes(b.channel)) {
      return reply.code(403).send({
        error: 'channel_not_allowed',
        message: `This key may not post on the ${b.channel} channel / Khóa này không được gửi phiếu qua kênh ${b.channel}`,
      });
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
        return reply.code(409).send({
          error: 'conflict',
          message:
            'This submissionId was already used with other answers / submissionId này đã được dùng với câu trả lời khác',
        });
      case 'unknown_desk':
        return reply.code(422).send(UNKNOWN_DESK);
      case 'invalid':
        return reply.code(422).send({
          errors: result.errors.map((e) => ({ path: e.path, message: e.message.en, messageVi: e.message.vi })),
        });
    }
  });
}
