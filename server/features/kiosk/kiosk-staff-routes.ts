import type { FastifyInstance } from 'fastify';

// pairing and revoking on the desk page (issue 15): to be written.
export default async function kioskStaffRoutes(_app: FastifyInstance) {}
