import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_REPORT_DAYS } from '../../../analysis/periods.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import { apiErrors } from '../../platform/http/api-errors.ts';
import { requireActor } from '../access/api-auth-plugin.ts';
import { findUnitId } from '../organisation/unit-repository.ts';
import { buildSatisfactionReport, buildTrendReport } from './report-service.ts';

// Satisfaction reports for machines and for the dashboard's own scripts:
// an API key or a staff session, scoped to the caller's subtree.

const Query = z
  .object({
    unit: CodeSchema,
    from: z.iso.date(),
    to: z.iso.date(),
    serviceArea: CodeSchema.optional(),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: 'to must not be before from' })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= MAX_REPORT_DAYS, {
    path: ['to'],
    message: 'at most five years at once',
  });

const TrendQuery = z.intersection(Query, z.object({ interval: z.enum(['month', 'quarter']).default('month') }));

export default async function reportApi(app: FastifyInstance) {
  const notFound = { error: 'not_found', message: 'No such unit in your scope / Không có đơn vị này trong phạm vi' };

  app.get('/api/v1/reports/satisfaction', { preHandler: requireActor }, async (req, reply) => {
    const parsed = Query.safeParse(req.query);
    if (!parsed.success) return reply.code(422).send({ errors: apiErrors(parsed.error) });
    const q = parsed.data;
    const unitId = await findUnitId(app.db, q.unit);
    const report =
      unitId &&
      (await buildSatisfactionReport(app.db, req.actor!, {
        unitId,
        from: q.from,
        to: q.to,
        serviceArea: q.serviceArea,
      }));
    return report ? report : reply.code(404).send(notFound);
  });

  app.get('/api/v1/reports/satisfaction/trend', { preHandler: requireActor }, async (req, reply) => {
    const parsed = TrendQuery.safeParse(req.query);
    if (!parsed.success) return reply.code(422).send({ errors: apiErrors(parsed.error) });
    const q = parsed.data;
    const unitId = await findUnitId(app.db, q.unit);
    const report =
      unitId &&
      (await buildTrendReport(app.db, req.actor!, {
        unitId,
        from: q.from,
        to: q.to,
        serviceArea: q.serviceArea,
        interval: q.interval,
      }));
    return report ? report : reply.code(404).send(notFound);
  });
}
