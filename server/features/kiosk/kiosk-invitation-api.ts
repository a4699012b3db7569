import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CodeSchema } from '../../../surveys/schema.ts';
import { apiError, areaNotServedError, errorResponses } from '../../platform/http/api-errors.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import { INVITATION_MINUTES, inviteFromApi } from './kiosk-invitation-service.ts';

// POST /api/v1/kiosk-invitations: the one-stop software's "Mời đánh giá",
// when the clerk closes a transaction there rather than on our staff page.

const Body = z.object({ desk: CodeSchema, serviceArea: CodeSchema }).strict();

const Invitation = z.object({
  id: z.number().int().meta({ description: 'The invitation the tablet binds the rating to.' }),
  desk: z.string(),
  serviceArea: z.string(),
  expiresAt: z.iso.datetime(),
});

const kioskInvitationApi: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/kiosk-invitations',
    {
      preValidation: requireApiKey,
      bodyLimit: 8 * 1024,
      schema: {
        tags: ['kiosk'],
        summary: 'Invite the citizen at a desk to rate the transaction on its tablet',
        description:
          `With a \`manager\` key: the desk's paired tablet shows the survey for the service area within ` +
          `2 seconds, and the rating is bound to this invitation (a verified response; one per invitation). ` +
          `The invitation lasts ${INVITATION_MINUTES} minutes; a newer one for the desk ends the older ones. ` +
          'A desk without a paired tablet that is not revoked is a 409 `kiosk.no_device`.',
        security: [{ apiKey: [] }],
        body: Body,
        response: {
          201: Invitation,
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422),
        },
      },
    },
    async (req, reply) => {
      const result = await inviteFromApi(app.db, req.principal!, req.body);
      switch (result.status) {
        case 'not_found':
          return reply.code(404).send(apiError('desk.unknown'));
        case 'forbidden':
          return reply.code(403).send(
            apiError('auth.role_not_allowed', {
              message: { en: 'Only a manager key invites ratings', vi: 'Chỉ khóa quản lý được mời đánh giá' },
            }),
          );
        case 'area_not_served':
          return reply.code(422).send(areaNotServedError());
        case 'no_device':
          return reply.code(409).send(apiError('kiosk.no_device'));
        case 'created':
          return reply.code(201).send({
            id: result.invitation.id,
            desk: result.desk.code,
            serviceArea: result.invitation.serviceArea,
            expiresAt: result.invitation.expiresAt.toISOString(),
          });
      }
    },
  );
};

export default kioskInvitationApi;
