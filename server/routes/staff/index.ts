import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { forgetApiKeys } from '../../plugins/api-auth.ts';
import { forgetDeskSurveys } from '../../services/response-service.ts';
import apiKeyRoutes from './api-key-routes.ts';
import auditRoutes from './audit-routes.ts';
import authRoutes from './auth-routes.ts';
import codeUsageRoutes from './code-usage-routes.ts';
import feedbackRoutes from './feedback-routes.ts';
import posterRoutes from './poster-routes.ts';
import reportRoutes from './report-routes.ts';
import staffCodeRoutes from './staff-code-routes.ts';
import surveyAdminRoutes from './survey-admin-routes.ts';
import suspectRoutes from './suspect-routes.ts';
import targetRoutes from './target-routes.ts';
import unitsRoutes from './units-routes.ts';

// Every page for staff and officials lives under /staff. Each route takes
// requireUser(...) as its preHandler and checks the unit scope itself, on
// the server, from the session (tests/cross-unit.test.ts walks them all).
export default async function staffRoutes(app: FastifyInstance) {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  // Any staff change may touch a desk, its areas or its survey: this process
  // reads them afresh from the next request on (response-service.ts).
  app.addHook('onSend', async (req) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      forgetDeskSurveys(app.db);
      forgetApiKeys(app.db);
    }
  });
  await app.register(authRoutes);
  await app.register(unitsRoutes);
  await app.register(posterRoutes);
  await app.register(staffCodeRoutes);
  await app.register(codeUsageRoutes);
  await app.register(targetRoutes);
  await app.register(feedbackRoutes);
  await app.register(surveyAdminRoutes);
  await app.register(apiKeyRoutes);
  await app.register(auditRoutes);
  await app.register(reportRoutes);
  await app.register(suspectRoutes);
}
