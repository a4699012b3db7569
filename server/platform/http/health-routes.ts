import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../db/health-repository.ts';

// The load balancer's check. Its status is the primary's alone: without the
// primary nothing can be stored, whereas a replica that is down or behind
// only sends the reports back to the primary, which `replica` says.
export default async function health(app: FastifyInstance) {
  app.get('/healthz', async (req, reply) => {
    const replica = app.replica?.state();
    try {
      await pingDatabase(app.db);
      return replica ? { status: 'ok', replica } : { status: 'ok' };
    } catch (err) {
      req.log.warn({ err: (err as Error).message }, 'health check: database does not answer');
      return reply
        .code(503)
        .header('Retry-After', '5')
        .send({ status: 'unavailable', database: 'down', ...(replica ? { replica } : {}) });
    }
  });
}
