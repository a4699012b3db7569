import type { FastifyInstance } from 'fastify';

// The staff member's own choice of e-mail notices (issue 18).
export default async function notificationRoutes(_app: FastifyInstance) {}
