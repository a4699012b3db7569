import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { requireApiKey } from '../../plugins/api-auth.ts';
import { issueTransactionCode } from '../../services/transaction-code-service.ts';
import { apiErrors } from './validation-errors.ts';

const Body = z
  .object({
    desk: CodeSchema,
    serviceArea: CodeSchema,
    // Accepted so that one-stop software can send what it has, and dropped:
    // storing it would let a response be traced back to a dossier.
    dossierRef: z.string().max(200).optional(),
    expiresInDays: z.number().int().min(1).max(90).optional(),
  })
  .strict();

export default async function transactionCodeApi(app: FastifyInstance) {
  app.post('/api/v1/transaction-codes', { preHandler: requireApiKey, bodyLimit: 8 * 1024 }, async (req, reply) => {
    const parsed = Body.safeParse(req.body);
    if (!parsed.success) {
      return reply.code(422).send({ errors: apiErrors(parsed.error) });
    }
    const principal = req.principal!;
    const result = await issueTransactionCode(app.db, principal, parsed.data, app.config.publicUrl);
    switch (result.status) {
      case 'not_found':
        return reply.code(404).send({ error: 'not_found', message: 'No such desk / Không có quầy này' });
      case 'forbidden':
        return reply
          .code(403)
          .send({ error: 'forbidden', message: 'Only a manager key issues codes / Chỉ khóa quản lý được cấp mã' });
      case 'area_not_served':
        return reply.code(422).send({
          errors: [
            {
              path: 'serviceArea',
              message: 'This desk does not serve that service area',
              messageVi: 'Quầy này không phục vụ lĩnh vực đã chọn',
            },
          ],
        });
      case 'created':
        return reply.code(201).send({
          url: result.url,
          expiresAt: result.expiresAt.toISOString(),
          qrSvg: result.qrSvg,
          qrPng: result.qrPng,
        });
    }
  });
}
