import type { FastifyInstance } from 'fastify';

// Staff pages for webhooks (issue 18): endpoints of the user's subtree, their deliveries, resend, resume.
export default async function webhookRoutes(_app: FastifyInstance) {}
