import type { FastifyInstance } from 'fastify';

// GET /kiosk/api/invitations/next (issue 15): to be written.
export default async function kioskWaitRoutes(_app: FastifyInstance) {}
