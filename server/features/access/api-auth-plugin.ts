import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { apiError } from '../../platform/http/api-errors.ts';
import { secretHash } from '../../platform/secrets.ts';
import { type ApiPrincipal, findActiveKey } from './api-key-repository.ts';
import { resolveSession } from './auth-service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by requireApiKey: whose key this is and which subtree it reaches. */
    principal?: ApiPrincipal;
    /** Set by requireActor: the key's or the signed-in user's scope. */
    actor?: Actor;
  }
}

export default fp(
  async (app) => {
    app.decorateRequest('principal', undefined);
  },
  { name: 'api-auth', dependencies: ['context', 'session'] },
);

function refuseSubmitKey(reply: FastifyReply) {
  return reply.code(403).send(
    apiError('auth.role_not_allowed', {
      message: { en: 'A submit key only posts responses', vi: 'Khóa gửi phiếu chỉ dùng để gửi phiếu' },
    }),
  );
}

/**
 * Keys are looked up on every machine request, submissions included, so each
 * process keeps what it found for a few seconds. A change made through the
 * staff pages (a revoked key, a deactivated unit) is forgotten at once in the
 * process that made it (forgetApiKeys, from the staff routes' hook), in
 * the others when the database announces it (app.ts, LISTEN hl_cache) and
 * within KEY_CACHE_MS at the latest. The map is bounded: forged keys cannot
 * fill the memory.
 */
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_MAX = 10_000;
const keyCache = new WeakMap<Db, Map<string, { until: number; value: Promise<ApiPrincipal | undefined> }>>();

function lookUpKey(db: Db, token: string): Promise<ApiPrincipal | undefined> {
  let cache = keyCache.get(db);
  if (!cache) {
    cache = new Map();
    keyCache.set(db, cache);
  }
  const hash = secretHash(token);
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.until > now) return hit.value;
  const value = findActiveKey(db, hash);
  cache.set(hash, { until: now + KEY_CACHE_MS, value });
  value.catch(() => cache.delete(hash));
  if (cache.size > KEY_CACHE_MAX) cache.delete(cache.keys().next().value ?? '');
  return value;
}

export function forgetApiKeys(db: Db): void {
  keyCache.get(db)?.clear();
}

/** preValidation hook for machine routes (before the body is checked): `Authorization: Bearer <key>`, or 401. */
export async function requireApiKey(req: FastifyRequest, reply: FastifyReply) {
  const token = /^Bearer\s+(\S{16,200})$/i.exec(req.headers.authorization ?? '')?.[1];
  const principal = token ? await lookUpKey(req.server.db, token) : undefined;
  if (!principal) {
    return reply.code(401).header('WWW-Authenticate', 'Bearer').send(apiError('auth.key_required'));
  }
  req.principal = principal;
}

/**
 * preValidation hook for read-only API routes that people use too: an API key, or
 * else the signed-in staff session (GET only, so no CSRF token is needed).
 */
export async function requireActor(req: FastifyRequest, reply: FastifyReply) {
  const token = /^Bearer\s+(\S{16,200})$/i.exec(req.headers.authorization ?? '')?.[1];
  if (token) {
    const principal = await lookUpKey(req.server.db, token);
    // A submit key posts responses and reads nothing.
    if (principal?.role === 'submit') return refuseSubmitKey(reply);
    if (principal) {
      req.actor = {
        userId: null,
        keyId: principal.keyId,
        role: principal.role,
        unitId: principal.unitId,
        unitPath: principal.unitPath,
        label: `key ${principal.keyId}`,
      };
      return;
    }
  } else {
    const cookie = req.cookies[req.server.sessionCookie.name];
    const user = cookie ? await resolveSession(req.server.db, cookie) : undefined;
    if (user) {
      req.actor = user;
      return;
    }
  }
  return reply.code(401).header('WWW-Authenticate', 'Bearer').send(apiError('auth.key_or_session_required'));
}
