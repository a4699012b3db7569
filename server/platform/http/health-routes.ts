import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../db/health-repository.ts';

export default async function health(app: FastifyInstance) {
  app.get('/healthz', async (req, reply) => {
    try {
      await pingDatabase(app.db);
      return { status: 'ok' };
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'health check: database does not answer');
      return reply.code(503).header('Retry-After', '5').send({ status: 'unavailable', database: 'down' });
    }
  });
}
