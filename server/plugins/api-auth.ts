import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type ApiPrincipal, findActiveKey } from '../repositories/api-key-repository.ts';
import { secretHash } from '../services/secrets.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireApiKey: whose key this is and which subtree it reaches. */
    principal?: ApiPrincipal;
  }
}

export default fp(
  async (app) => {
    app.decorateRequest('principal', undefined);
  },
  { name: 'api-auth', dependencies: ['context'] },
);

/** preHandler for machine routes: `Authorization: Bearer <key>`, or 401. */
export async function requireApiKey(req: FastifyRequest, reply: FastifyReply) {
  const token = /^Bearer\s+(\S{16,200})$/i.exec(req.headers.authorization ?? '')?.[1];
  const principal = token ? await findActiveKey(req.server.db, secretHash(token)) : undefined;
  if (!principal) {
    return reply
      .code(401)
      .header('WWW-Authenticate', 'Bearer')
      .send({ error: 'unauthorized', message: 'A valid API key is required / Cần khóa API hợp lệ' });
  }
  req.principal = principal;
}
