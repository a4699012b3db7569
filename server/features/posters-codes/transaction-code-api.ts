import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { apiError, areaNotServedError, errorResponses } from '../../platform/http/api-errors.ts';
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

const Issued = z.object({
  url: z.string().meta({ description: 'The one-time address /t/{code} for the receipt slip.' }),
  expiresAt: z.iso.datetime(),
  qrSvg: z.string().meta({ description: 'The address as a QR code, an SVG document.' }),
  qrPng: z.string().meta({ description: 'The same QR code as a data: URL of a PNG image.' }),
});

const transactionCodeApi: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/transaction-codes',
    {
      preValidation: requireApiKey,
      bodyLimit: 8 * 1024,
      schema: {
        tags: ['transaction-codes'],
        summary: 'Issue a one-time code for a dossier',
        description:
          'With a `manager` key: a code that admits exactly one response at /t/{code}. One dossier gets one ' +
          'code (409); a key issues at most CODE_DAILY_CAP codes a day for a desk (429 with Retry-After).',
        security: [{ apiKey: [] }],
        body: Body,
        response: {
          201: Issued,
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
        },
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      const result = await issueTransactionCode(app.db, principal, req.body, {
        secret: stuffingSettings(app.config).secret,
        dailyCap: app.config.codeDailyCap,
        publicUrl: app.config.publicUrl,
      });
      switch (result.status) {
        case 'not_found':
          return reply.code(404).send(apiError('desk.unknown'));
        case 'forbidden':
          return reply.code(403).send(
            apiError('auth.role_not_allowed', {
              message: { en: 'Only a manager key issues codes', vi: 'Chỉ khóa quản lý được cấp mã' },
            }),
          );
        case 'area_not_served':
          return reply.code(422).send(areaNotServedError());
        case 'dossier_has_code':
          return reply.code(409).send(apiError('dossier.has_code'));
        case 'daily_cap': {
          const now = new Date();
          const midnight = startOfLocalDay(now).getTime() + 86_400_000;
          return reply
            .code(429)
            .header('Retry-After', String(Math.ceil((midnight - now.getTime()) / 1000)))
            .send(
              apiError('transaction_code.daily_cap', {
                message: {
                  en: `This key has issued its ${result.cap} codes for this desk today (Vietnam time); try again tomorrow`,
                  vi: `Khóa này đã cấp đủ ${result.cap} mã cho quầy này trong hôm nay (giờ Việt Nam); vui lòng cấp tiếp vào ngày mai`,
                },
              }),
            );
        }
        case 'created':
          return reply.code(201).send({
            url: result.url,
            expiresAt: result.expiresAt.toISOString(),
            qrSvg: result.qrSvg,
            qrPng: result.qrPng,
          });
      }
    },
  );
};

export default transactionCodeApi;
