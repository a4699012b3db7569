import type { FastifyInstance } from 'fastify';

// The staff pages for dossier volumes (issue 14): to be written.
export default async function volumeRoutes(_app: FastifyInstance) {}
