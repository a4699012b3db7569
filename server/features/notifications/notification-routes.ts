import type { FastifyInstance } from 'fastify';
import { requireUser } from '../access/session-plugin.ts';
import { saveMailPreferences } from './notification-service.ts';

// The staff member's own choice of e-mail notices (issue 18). The form sits
// on the account page (GET /staff/password), which shows the result after
// the redirect. Only the signed-in user's own choices: no id is taken.

/** The account page, open at the notices, saying they were saved. */
export const SAVED_URL = '/staff/password?saved=mail#thu-thong-bao';

export default async function notificationRoutes(app: FastifyInstance) {
  app.post('/staff/notifications', { preHandler: requireUser() }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const ticked = [body.topic].flat().filter((v): v is string => typeof v === 'string');
    await saveMailPreferences(app.db, req.user!, ticked);
    return reply.redirect(SAVED_URL, 303);
  });
}
