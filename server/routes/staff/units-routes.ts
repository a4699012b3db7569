import type { FastifyInstance } from 'fastify';

// Placeholder registered by staff/index.ts; its feature lands in this file.
export default async function routes(_app: FastifyInstance) {}
