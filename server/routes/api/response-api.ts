import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { submitResponse } from '../../services/response-service.ts';
import { apiEvidence, stuffingSettings } from '../../services/stuffing-service.ts';
import { apiErrors } from './validation-errors.ts';

// Responses from machine clients (kiosk apps, paper data entry, integrations).
// A retry with the same submissionId is a harmless replay; the same id with
// other answers is a 409.

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

export default async function responseApi(app: FastifyInstance) {
  app.post('/api/v1/responses', { bodyLimit: 64 * 1024 }, async (req, reply) => {
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(422).send({ errors: apiErrors(parsed.error) });
    }
    const b = parsed.data;
    const result = await submitResponse(app.db, {
      deskCode: b.desk,
      serviceArea: b.serviceArea,
      answers: b.answers,
      submissionId: b.submissionId,
      channel: b.channel,
      locale: b.locale,
      source: 'json',
      // Per-desk and burst checks; no form, so no honeypot or timing.
      stuffing: apiEvidence(stuffingSettings(app.config)),
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
        return reply.code(422).send({
          errors: [
            {
              path: 'desk',
              message: 'No active desk with this code',
              messageVi: 'Không có quầy đang hoạt động với mã này',
            },
          ],
        });
      case 'invalid':
        return reply.code(422).send({
          errors: result.errors.map((e) => ({ path: e.path, message: e.message.en, messageVi: e.message.vi })),
        });
    }
  });
}
