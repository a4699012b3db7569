import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

// PUT /api/v1/dossier-volumes (issue 14): to be written.
const volumeApi: FastifyPluginAsyncZod = async () => {};
export default volumeApi;
