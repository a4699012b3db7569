import type { FastifyInstance } from 'fastify';

// POST /kiosk/api/pair (issue 15): to be written.
export default async function kioskPairRoutes(_app: FastifyInstance) {}
