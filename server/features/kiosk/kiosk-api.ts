import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { type Actor, can } from '../../platform/auth/scope.ts';
import { apiError, errorResponses } from '../../platform/http/api-errors.ts';
import { idParam } from '../../platform/http/staff-view.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import type { ApiPrincipal } from '../access/api-key-repository.ts';
import { listKioskDevices, revokeKioskDevice } from './kiosk-device-service.ts';
import { PAIRING_MINUTES } from './kiosk-pairing-code.ts';
import { createPairing } from './kiosk-pairing-service.ts';

// Counter tablets for the one-stop software, with a manager key: a pairing
// code for a desk, the desk's tablets, revoking one. A desk or tablet outside
// the key's units is a 404, as if it did not exist; other roles get a 403.

/** A key as the services' actor; a submit key counts as a clerk: it may manage nothing. */
const keyActor = (p: ApiPrincipal): Actor => ({
  userId: null,
  keyId: p.keyId,
  role: p.role === 'submit' ? 'staff' : p.role,
  unitId: p.unitId,
  unitPath: p.unitPath,
  label: `key ${p.keyId}`,
});

const onlyManagers = (reply: FastifyReply) =>
  reply.code(403).send(
    apiError('auth.role_not_allowed', {
      message: { en: 'Only a manager key manages counter tablets', vi: 'Chỉ khóa quản lý được quản lý máy tính bảng' },
    }),
  );

const Device = z
  .object({
    id: z.number().int(),
    desk: z.string().meta({ description: 'The code of the desk the tablet is paired with.' }),
    pairedAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime().nullable().meta({ description: 'Its last request; null if none yet.' }),
    queued: z.number().int().meta({ description: 'Answers waiting on the tablet, as it said at its last contact.' }),
    revoked: z.boolean(),
  })
  .meta({ id: 'KioskDevice' });

const kioskApi: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/kiosk-pairings',
    {
      preValidation: requireApiKey,
      bodyLimit: 8 * 1024,
      schema: {
        tags: ['kiosk'],
        summary: 'A pairing code for a counter tablet',
        description:
          `With a \`manager\` key: an 8-character code (no 0, O, 1, I or L) that pairs one tablet with the desk ` +
          `within ${PAIRING_MINUTES} minutes, once. The tablet opens /kiosk and enters it (spaces, dashes and ` +
          'lower case are ignored), or scans PUBLIC_URL/kiosk?code=CODE. A desk has at most 20 unused codes (429).',
        security: [{ apiKey: [] }],
        body: z.object({ desk: CodeSchema }).strict(),
        response: {
          201: z.object({ pairingCode: z.string().length(8), expiresAt: z.iso.datetime() }),
          ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429),
        },
      },
    },
    async (req, reply) => {
      const made = await createPairing(app.db, keyActor(req.principal!), { code: req.body.desk }, app.config.publicUrl);
      switch (made.status) {
        case 'forbidden':
          return onlyManagers(reply);
        case 'not_found':
        case 'inactive':
          return reply.code(404).send(apiError('desk.unknown'));
        case 'too_many':
          return reply
            .code(429)
            .header('Retry-After', String(PAIRING_MINUTES * 60))
            .send(apiError('kiosk.too_many_pairings'));
        case 'created':
          return reply.code(201).send({ pairingCode: made.code, expiresAt: made.expiresAt.toISOString() });
      }
    },
  );

  app.get(
    '/api/v1/kiosk-devices',
    {
      preValidation: requireApiKey,
      schema: {
        tags: ['kiosk'],
        summary: "A desk's counter tablets",
        description: 'With a `manager` key: every tablet paired with the desk, revoked ones too, oldest first.',
        security: [{ apiKey: [] }],
        querystring: z.object({ desk: CodeSchema }).strict(),
        response: { 200: z.array(Device), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (req, reply) => {
      const listed = await listKioskDevices(app.db, keyActor(req.principal!), { code: req.query.desk });
      if (listed.status === 'forbidden') return onlyManagers(reply);
      if (listed.status === 'not_found') return reply.code(404).send(apiError('desk.unknown'));
      return listed.devices
        .sort((a, b) => a.id - b.id)
        .map((d) => ({
          id: d.id,
          desk: d.deskCode,
          pairedAt: d.pairedAt.toISOString(),
          lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
          queued: d.queued,
          revoked: d.revokedAt !== null,
        }));
    },
  );

  app.delete(
    '/api/v1/kiosk-devices/:deviceId',
    {
      preValidation: requireApiKey,
      schema: {
        tags: ['kiosk'],
        summary: 'Revoke a counter tablet',
        description:
          'With a `manager` key: the tablet is refused from its next request on (`401 kiosk.revoked`) and ' +
          'stores nothing more. Revoking it again changes nothing (204 again).',
        security: [{ apiKey: [] }],
        params: z.object({ deviceId: z.string().meta({ description: 'The id from GET /api/v1/kiosk-devices.' }) }),
        response: { 204: z.null().meta({ description: 'Revoked.' }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const actor = keyActor(req.principal!);
      if (!can(actor, 'manage')) return onlyManagers(reply);
      // A malformed id is an id that does not exist: nothing tells them apart.
      const id = idParam(req.params, 'deviceId');
      const done = id ? await revokeKioskDevice(app.db, actor, id) : { status: 'not_found' };
      if (done.status === 'forbidden') return onlyManagers(reply);
      if (done.status === 'not_found') return reply.code(404).send(apiError('kiosk_device.not_found'));
      return reply.code(204).send(null);
    },
  );
};

export default kioskApi;
