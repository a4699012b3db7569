import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import accountRoutes from './features/access/account-routes.ts';
import { forgetApiKeys } from './features/access/api-auth-plugin.ts';
import apiKeyRoutes from './features/access/api-key-routes.ts';
import authRoutes from './features/access/auth-routes.ts';
import passwordLinkRoutes from './features/access/password-link-routes.ts';
import auditRoutes from './features/audit/audit-routes.ts';
import feedbackRoutes from './features/feedback/feedback-routes.ts';
import kioskInvitationRoutes from './features/kiosk/kiosk-invitation-routes.ts';
import kioskStaffRoutes from './features/kiosk/kiosk-staff-routes.ts';
import notificationRoutes from './features/notifications/notification-routes.ts';
import unitLineageRoutes from './features/organisation/unit-lineage-routes.ts';
import unitsRoutes from './features/organisation/units-routes.ts';
import codeUsageRoutes from './features/posters-codes/code-usage-routes.ts';
import posterRoutes from './features/posters-codes/poster-routes.ts';
import staffCodeRoutes from './features/posters-codes/staff-code-routes.ts';
import reportRoutes from './features/reports/report-routes.ts';
import reportSettingsRoutes from './features/reports/report-settings-routes.ts';
import roundFormRoutes from './features/rounds/round-form-routes.ts';
import roundImportRoutes from './features/rounds/round-import-routes.ts';
import roundPrintRoutes from './features/rounds/round-print-routes.ts';
import roundRoutes from './features/rounds/round-routes.ts';
import { forgetDeskSurveys } from './features/submission/submission-service.ts';
import surveyAdminRoutes from './features/surveys/survey-admin-routes.ts';
import suspectRoutes from './features/suspects/suspect-routes.ts';
import targetRoutes from './features/targets/target-routes.ts';
import volumeRoutes from './features/volumes/volume-routes.ts';
import webhookRoutes from './features/webhooks/webhook-routes.ts';
import { trackStaffMenu } from './staff-menu.ts';

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
  // Before the routes: the menu learns what each page's requireUser demands.
  trackStaffMenu(app);
  await app.register(authRoutes);
  await app.register(unitsRoutes);
  await app.register(unitLineageRoutes);
  await app.register(kioskStaffRoutes);
  await app.register(kioskInvitationRoutes);
  await app.register(posterRoutes);
  await app.register(staffCodeRoutes);
  await app.register(codeUsageRoutes);
  await app.register(targetRoutes);
  await app.register(volumeRoutes);
  await app.register(roundFormRoutes);
  await app.register(roundImportRoutes);
  await app.register(roundRoutes);
  await app.register(roundPrintRoutes);
  await app.register(feedbackRoutes);
  await app.register(surveyAdminRoutes);
  await app.register(apiKeyRoutes);
  await app.register(accountRoutes);
  await app.register(passwordLinkRoutes);
  await app.register(auditRoutes);
  await app.register(reportRoutes);
  await app.register(reportSettingsRoutes);
  await app.register(suspectRoutes);
  await app.register(webhookRoutes);
  await app.register(notificationRoutes);
}
