import type { FastifyInstance } from 'fastify';

// the tablet's pages, its survey and its answers (/kiosk) (issue 15): to be written.
export default async function kioskRoutes(_app: FastifyInstance) {}
