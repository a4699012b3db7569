import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { apiErrors } from '../../platform/http/api-errors.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import { stuffingSettings } from '../submission/stuffing-evidence.ts';
import { issueTransactionCode, MAX_DOSSIER_REF_LENGTH, startOfLocalDay } from './transaction-code-service.ts';

const Body = z
  .object({
    desk: CodeSchema,
    serviceArea: CodeSchema,
    // Required: a code is issued for one dossier, and a dossier gets one
    // code. The reference is hashed (HMAC with the server's secret, by unit)
    // and never stored, logged or audited, so a response cannot be traced
    // back to a dossier.
    dossierRef: z
      .string()
      .max(MAX_DOSSIER_REF_LENGTH)
      .refine((s) => s.trim().length > 0, 'a dossier reference is required'),
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
    const result = await issueTransactionCode(app.db, principal, parsed.data, {
      secret: stuffingSettings(app.config).secret,
      dailyCap: app.config.codeDailyCap,
      publicUrl: app.config.publicUrl,
    });
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
      case 'dossier_has_code':
        return reply.code(409).send({
          error: 'dossier_has_code',
          message:
            'This dossier already has a one-time code: one dossier, one code / ' +
            'Hồ sơ này đã được cấp mã đánh giá: mỗi hồ sơ chỉ được cấp một mã',
        });
      case 'daily_cap': {
        const now = new Date();
        const midnight = startOfLocalDay(now).getTime() + 86_400_000;
        return reply
          .code(429)
          .header('Retry-After', String(Math.ceil((midnight - now.getTime()) / 1000)))
          .send({
            error: 'daily_cap',
            message:
              `This key has issued its ${result.cap} codes for this desk today (Vietnam time); try again tomorrow / ` +
              `Khóa này đã cấp đủ ${result.cap} mã cho quầy này trong hôm nay (giờ Việt Nam); vui lòng cấp tiếp vào ngày mai`,
          });
      }
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
