import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

// POST /api/v1/kiosk-pairings, GET /api/v1/kiosk-devices, DELETE /api/v1/kiosk-devices/:id (issue 15): to be written.
const kioskApi: FastifyPluginAsyncZod = async () => {};
export default kioskApi;
