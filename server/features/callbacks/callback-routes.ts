import type { FastifyInstance } from 'fastify';

// Citizen-facing: a contact for a callback after a low score, and the second rating of the handling (issue 18).
export default async function callbackRoutes(_app: FastifyInstance) {}
