import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

// POST /api/v1/kiosk-invitations (issue 15): to be written.
const kioskInvitationApi: FastifyPluginAsyncZod = async () => {};
export default kioskInvitationApi;
