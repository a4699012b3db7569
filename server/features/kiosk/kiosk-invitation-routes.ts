import type { FastifyInstance } from 'fastify';

// Mời đánh giá for a clerk's desk (issue 15): to be written.
export default async function kioskInvitationRoutes(_app: FastifyInstance) {}
