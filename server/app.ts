import compress from '@fastify/compress';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import apiAuth, { forgetApiKeys } from './features/access/api-auth-plugin.ts';
import session from './features/access/session-plugin.ts';
import callbackRoutes from './features/callbacks/callback-routes.ts';
import kioskApi from './features/kiosk/kiosk-api.ts';
import kioskInvitationApi from './features/kiosk/kiosk-invitation-api.ts';
import kioskPairRoutes from './features/kiosk/kiosk-pair-routes.ts';
import kioskRoutes from './features/kiosk/kiosk-routes.ts';
import kioskWaitRoutes from './features/kiosk/kiosk-wait-routes.ts';
import homeRoutes from './features/organisation/home-routes.ts';
import transactionCodeApi from './features/posters-codes/transaction-code-api.ts';
import publicRoutes from './features/public/public-routes.ts';
import reportApi from './features/reports/report-api.ts';
import clientKeySweep from './features/submission/client-key-sweep.ts';
import responseApi from './features/submission/response-api.ts';
import { forgetDeskSurveys } from './features/submission/submission-service.ts';
import surveyRoutes from './features/submission/survey-routes.ts';
import surveyApi from './features/surveys/survey-api.ts';
import volumeApi from './features/volumes/volume-api.ts';
import type { Config } from './platform/config.ts';
import { listenForChanges } from './platform/db/change-listener.ts';
import type { Db } from './platform/db/connect.ts';
import { watchReplica } from './platform/db/replica.ts';
import { storedSecret } from './platform/db/secret-repository.ts';
import { validatorCompiler } from './platform/http/api-validation.ts';
import health from './platform/http/health-routes.ts';
import openapi from './platform/http/openapi.ts';
import staticRoutes from './platform/http/static-routes.ts';
import context from './platform/plugins/context.ts';
import errors, { frameworkErrors, MAX_PARAM_LENGTH, overlongToNotFound } from './platform/plugins/errors.ts';
import security from './platform/plugins/security.ts';
import views from './platform/plugins/views.ts';
import staffRoutes from './staff-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the app serves, for tests that must cover them all. */
    routeTable: { method: string; url: string }[];
  }
}

export interface AppOptions {
  config: Config;
  db: Db;
  logger?: FastifyServerOptions['logger'];
  /**
   * The database's address for a LISTEN connection of its own: changes to
   * desks, surveys and keys made elsewhere (another node, the CLI) are then
   * seen at once rather than when this process's copies expire. server.ts
   * sets it; tests that build several apps on one database may.
   */
  changesFrom?: string;
}

/**
 * A one-time code is the key from a receipt to its answers, and a log line
 * has the time its response was stored: `/t/<code>` (also percent-encoded,
 * and whatever follows it) is written as `/t/…`.
 */
const CODE_PATH = /(?:\/|%2f)(?:t|%74)(?:\/|%2f)[^?#\s"\\]*/gi;
/** A one-time set-password link (features/access/password-link-routes.ts) is a credential too. */
const LINK_PATH = /set(?:-|%2d)password(?:\/|%2f)[^?#\s"\\]*/gi;
/** A citizen's follow-up page (features/callbacks) is reached by their one-time code or personal key. */
const FOLLOW_PATH = /theo(?:-|%2d)doi(?:\/|%2f)[^?#\s"\\]*/gi;
export const hideCodes = (text: string) =>
  text.replace(CODE_PATH, '/t/…').replace(LINK_PATH, 'set-password/…').replace(FOLLOW_PATH, 'theo-doi/…');

/**
 * Logs carry what operations need and nothing that identifies a citizen: no
 * client address, no bodies (Fastify never logs them), no credentials, no
 * one-time codes. The request serializer hides codes in request lines; the
 * stream hook hides them in every other line that may quote a URL (Fastify's
 * "Route … not found", error messages and stacks), whoever wrote it.
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req: (req) => ({ method: req.method, url: hideCodes(req.url.split('?')[0] ?? ''), id: req.id }),
    },
    hooks: { streamWrite: hideCodes },
  };
}

/** Builds the application without listening: server.ts starts it, tests inject. */
export async function buildApp({
  config: given,
  db,
  logger = false,
  changesFrom,
}: AppOptions): Promise<FastifyInstance> {
  // Render tokens and daily client keys must verify after a restart and on
  // every server process: without FORM_SECRET the secret is the database's.
  const config: Config = given.formSecret
    ? given
    : { ...given, formSecret: (await storedSecret(db, 'form')).toString('base64url') };
  const app = Fastify({
    logger,
    // A citizen's IP address is never stored. Behind a reverse proxy, only
    // the configured proxies' X-Forwarded-For is believed (TRUST_PROXY);
    // never `true`, which would let any client pick its own address.
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    bodyLimit: 64 * 1024,
    // Slow clients must not hold the server (issue 11: 20,000 trickling
    // connections made /healthz unreachable). A request must arrive whole
    // within requestTimeout, a silent connection goes after the idle timeout,
    // and past maxConnections new sockets are dropped before they use up
    // the process's open files (set on app.server below).
    requestTimeout: config.http.requestTimeout,
    connectionTimeout: config.http.idleTimeout,
    keepAliveTimeout: config.http.keepAliveTimeout,
    http: {
      requestTimeout: config.http.requestTimeout,
      headersTimeout: config.http.headersTimeout,
      // Node enforces both timeouts on this tick (30 s by default, letting a
      // trickling body live up to twice its timeout). A short tick also
      // spreads the cutting of many slow clients over several ticks.
      connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(config.http.requestTimeout / 10))),
    },
    return503OnClosing: true,
    // An address Fastify cannot route still gets the API's error body on /api/.
    frameworkErrors,
    rewriteUrl: overlongToNotFound,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
  });
  // Citizens are often on slow mobile links: compress pages and SVGs.
  app.server.maxConnections = config.http.maxConnections;
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });
  if (changesFrom) {
    const forget = () => {
      forgetDeskSurveys(db);
      forgetApiKeys(db);
    };
    const listener = await listenForChanges(changesFrom, forget, (msg) => app.log.warn(msg));
    app.addHook('onClose', () => listener.stop());
  }
  const replica =
    config.databaseReplica &&
    (await watchReplica({
      ...config.databaseReplica,
      primary: db,
      poolMax: config.dbPoolMax,
      log: (level, msg, detail) => app.log[level](detail, msg),
    }));
  await app.register(compress, { threshold: 1024 });
  await app.register(context, { config, db, replica: replica || undefined });
  await app.register(clientKeySweep);
  await app.register(session);
  await app.register(apiAuth);
  await app.register(views);
  await app.register(security);
  await app.register(errors);
  // Before every route: the document is collected from the routes as they are added.
  await app.register(openapi);
  await app.register(health);
  await app.register(staticRoutes);
  await app.register(homeRoutes);
  await app.register(publicRoutes);
  await app.register(staffRoutes);
  await app.register(surveyRoutes);
  await app.register(callbackRoutes);
  await app.register(kioskRoutes);
  await app.register(kioskPairRoutes);
  await app.register(kioskWaitRoutes);
  await app.register(async (api) => {
    // The API speaks JSON only: any other body type is a 415.
    api.removeContentTypeParser('text/plain');
    // Zod checks requests and responses here only; the staff pages keep their JSON schemas.
    api.setValidatorCompiler(validatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    await api.register(surveyApi);
    await api.register(responseApi);
    await api.register(transactionCodeApi);
    await api.register(reportApi);
    await api.register(volumeApi);
    await api.register(kioskApi);
    await api.register(kioskInvitationApi);
    await api.register((await import('./features/webhooks/webhook-api.ts')).default);
  });
  return app;
}
