import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_REPORT_DAYS } from '../../../analysis/periods.ts';
import { SatisfactionReportSchema, TrendReportSchema } from '../../../analysis/report-types.ts';
import { CodeSchema } from '../../../surveys/schema.ts';
import { apiError, errorResponses } from '../../platform/http/api-errors.ts';
import { requireActor } from '../access/api-auth-plugin.ts';
import { findUnitId } from '../organisation/unit-repository.ts';
import { buildSatisfactionReport, buildTrendReport } from './report-service.ts';

// Satisfaction reports for machines and for the dashboard's own scripts:
// an API key or a staff session, scoped to the caller's subtree. The unit's
// code is looked up on the primary, the figures read from app.reportDb (the
// replica when there is a healthy one).

const QueryFields = z.object({
  unit: CodeSchema,
  from: z.iso.date().meta({ description: 'First day, YYYY-MM-DD (Vietnam time), inclusive.' }),
  to: z.iso.date().meta({ description: 'Last day, YYYY-MM-DD, inclusive; at most five years after from.' }),
  serviceArea: CodeSchema.optional(),
});

// The period is judged once its dates are dates: a malformed one is reported once, not three times.
const datesValid = (payload: z.core.ParsePayload) => payload.issues.length === 0;
const periodChecks = <T extends z.ZodType<{ from: string; to: string }>>(schema: T) =>
  schema
    .refine((q) => q.from <= q.to, { path: ['to'], message: 'to must not be before from', when: datesValid })
    .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= MAX_REPORT_DAYS, {
      path: ['to'],
      message: 'at most five years at once',
      when: datesValid,
    });

const Query = periodChecks(QueryFields);
const TrendQuery = periodChecks(QueryFields.extend({ interval: z.enum(['month', 'quarter']).default('month') }));

const reportApi: FastifyPluginAsyncZod = async (app) => {
  const notFound = apiError('unit.not_found');
  const common = { tags: ['reports'], security: [{ apiKey: [] }, { staffSession: [] }] as Record<string, string[]>[] };

  app.get(
    '/api/v1/reports/satisfaction',
    {
      preValidation: requireActor,
      schema: {
        ...common,
        summary: 'The satisfaction report of a unit and period',
        description: 'With an `official` or `manager` key, or a signed-in staff session; scoped to its units.',
        querystring: Query,
        response: { 200: SatisfactionReportSchema, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const unitId = await findUnitId(app.db, q.unit);
      const report =
        unitId &&
        (await app.readReports((reads) =>
          buildSatisfactionReport(reads, req.actor!, { unitId, from: q.from, to: q.to, serviceArea: q.serviceArea }),
        ));
      return report ? report : reply.code(404).send(notFound);
    },
  );

  app.get(
    '/api/v1/reports/satisfaction/trend',
    {
      preValidation: requireActor,
      schema: {
        ...common,
        summary: 'The overall satisfaction rate by month or quarter',
        querystring: TrendQuery,
        response: { 200: TrendReportSchema, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const unitId = await findUnitId(app.db, q.unit);
      const report =
        unitId &&
        (await app.readReports((reads) =>
          buildTrendReport(reads, req.actor!, {
            unitId,
            from: q.from,
            to: q.to,
            serviceArea: q.serviceArea,
            interval: q.interval,
          }),
        ));
      return report ? report : reply.code(404).send(notFound);
    },
  );
};

export default reportApi;
