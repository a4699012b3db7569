import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { EVENTS } from '../../platform/events/outbox.ts';
import { apiError, errorResponses } from '../../platform/http/api-errors.ts';
import { idParam } from '../../platform/http/staff-view.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import type { ApiPrincipal } from '../access/api-key-repository.ts';
import type { EndpointRow } from './webhook-repository.ts';
import {
  deleteWebhook,
  listWebhooks,
  MAX_ENDPOINTS_PER_UNIT,
  registerWebhook,
  type WebhookActor,
} from './webhook-service.ts';

// Webhooks (issue 18): a manager or official key registers an https address
// that is sent the events of its unit and the units below it, signed with a
// secret of its choosing. README.md "Webhooks" tells a receiver what to do.

const Endpoint = z
  .object({
    id: z.number().int(),
    unit: z.string().meta({ description: 'The code of the unit whose events (and its subtree’s) it is sent.' }),
    url: z.string(),
    events: z.array(z.enum(EVENTS)),
    createdAt: z.iso.datetime(),
    pausedAt: z.iso.datetime().nullable().meta({ description: 'Set after 24 hours of failed deliveries.' }),
    failingSince: z.iso.datetime().nullable().meta({ description: 'The first failure since the last success.' }),
  })
  .meta({ id: 'Webhook' });

const view = (e: EndpointRow): z.infer<typeof Endpoint> => ({
  id: e.id,
  unit: e.unitCode,
  url: e.url,
  events: e.events as z.infer<typeof Endpoint>['events'],
  createdAt: e.createdAt.toISOString(),
  pausedAt: e.pausedAt?.toISOString() ?? null,
  failingSince: e.failingSince?.toISOString() ?? null,
});

/** The key as the actor of the service the staff page shares. */
const keyActor = (p: ApiPrincipal): WebhookActor => ({
  userId: null,
  keyId: p.keyId,
  unitId: p.unitId,
  unitPath: p.unitPath,
});

/** requireApiKey, and a submit key refused before its body is read. */
async function requireWorkKey(req: FastifyRequest, reply: FastifyReply) {
  await requireApiKey(req, reply);
  if (!reply.sent && req.principal?.role === 'submit') {
    return reply.code(403).send(
      apiError('auth.role_not_allowed', {
        message: {
          en: 'Only a manager or official key manages webhooks',
          vi: 'Chỉ khóa quản lý (manager) hoặc theo dõi (official) được quản lý webhook',
        },
      }),
    );
  }
}

const webhookApi: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/webhooks',
    {
      preValidation: requireWorkKey,
      bodyLimit: 8 * 1024,
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook',
        description:
          'With a `manager` or `official` key: the events of the unit (the key’s own unless `unit` names one ' +
          'below it) and of every unit below it are POSTed to `url`, signed with `secret` ' +
          '(`X-Hai-Long-Signature`, see README "Webhooks"). https only (http only to 127.0.0.1 or ::1); private ' +
          `addresses are refused unless the server allows them. At most ${MAX_ENDPOINTS_PER_UNIT} per unit.`,
        security: [{ apiKey: [] }],
        body: z
          .object({
            unit: CodeSchema.optional(),
            url: z.string().max(2000),
            events: z.array(z.enum(EVENTS)).min(1).max(20),
            secret: z.string().min(16).max(200).meta({ description: 'Kept to sign; never shown again.' }),
          })
          .strict(),
        response: { 201: Endpoint, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const made = await registerWebhook(app.db, keyActor(req.principal!), req.body, {
        allowPrivate: app.config.webhooks.allowPrivate,
      });
      switch (made.status) {
        case 'unit_not_found':
          return reply.code(404).send(apiError('unit.not_found'));
        case 'too_many':
          return reply.code(409).send(apiError('webhook.too_many'));
        case 'url_refused':
          return reply.code(422).send(
            apiError('validation.failed', {
              errors: [{ path: 'url', code: 'webhook.url_not_allowed', message: made.reason }],
            }),
          );
        case 'created':
          return reply.code(201).send(view(made.endpoint));
      }
    },
  );

  app.get(
    '/api/v1/webhooks',
    {
      preValidation: requireWorkKey,
      schema: {
        tags: ['webhooks'],
        summary: 'The webhooks of the key’s units',
        description: 'Oldest first, without their secrets; `unit` keeps those of one unit.',
        security: [{ apiKey: [] }],
        querystring: z.object({ unit: CodeSchema.optional() }),
        response: { 200: z.array(Endpoint), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (req, reply) => {
      const listed = await listWebhooks(app.db, keyActor(req.principal!), req.query.unit);
      if (!listed) return reply.code(404).send(apiError('unit.not_found'));
      return listed.map(view);
    },
  );

  app.delete(
    '/api/v1/webhooks/:webhookId',
    {
      preValidation: requireWorkKey,
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook',
        description: 'Nothing more is sent to it, retries included.',
        security: [{ apiKey: [] }],
        params: z.object({ webhookId: z.string().meta({ description: 'The id from GET /api/v1/webhooks.' }) }),
        response: { 204: z.null().meta({ description: 'Deleted.' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      // A malformed id is an id that does not exist: nothing tells them apart.
      const id = idParam(req.params, 'webhookId');
      const deleted = id ? await deleteWebhook(app.db, keyActor(req.principal!), id) : false;
      if (!deleted) return reply.code(404).send(apiError('webhook.not_found'));
      return reply.code(204).send(null);
    },
  );
};

export default webhookApi;
