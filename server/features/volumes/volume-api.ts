import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../platform/auth/scope.ts';
import {
  type ApiErrorItem,
  apiError,
  errorResponses,
  FIELD_ERROR_CODES,
  type FieldErrorCode,
  LocalizedMessage,
} from '../../platform/http/api-errors.ts';
import { requireApiKey } from '../access/api-auth-plugin.ts';
import { MAX_ROWS, normaliseRow, VolumeBodySchema } from './volume-rules.ts';
import { importVolumes, type VolumeIssue } from './volume-service.ts';

// PUT /api/v1/dossier-volumes (issue 14): the one-stop software sends a
// unit's month as a whole, as often as it likes. A PUT because it is a
// replace: the same body again changes nothing, so a retry after a lost
// answer is harmless. Only a key: a staff session would need a CSRF token,
// and people use the upload page instead.

const Warning = z
  .object({
    path: z.string().meta({ description: 'The row, `rows.3`.' }),
    code: z.enum(['volume.unbalanced']),
    message: LocalizedMessage,
  })
  .meta({ id: 'DossierVolumeWarning' });

const Stored = z
  .object({
    unit: z.string().meta({ description: 'The unit code, as sent.' }),
    month: z.string().meta({ description: 'YYYY-MM, as sent.' }),
    changed: z.boolean().meta({
      description: 'false when the rows were already exactly these: nothing was written or logged.',
    }),
    rows: z.number().int().meta({ description: 'Rows now stored for this unit and month.' }),
    warnings: z.array(Warning).meta({
      description: 'Rows accepted but worth a look: received plus carried over differs from resolved plus pending.',
    }),
  })
  .meta({ id: 'DossierVolumesStored' });

/** The row refs given to the service: the body's own paths. */
const rowRef = (i: number) => `rows.${i}`;

/** A service issue at the path of the body it is about. */
function pathOf(i: VolumeIssue): string {
  if (i.ref === '') return i.field ?? '(body)';
  return i.field ? `${i.ref}.${i.field}` : i.ref;
}

function itemOf(i: VolumeIssue): ApiErrorItem {
  // Every code the service gives for one body is in the catalogue; another would be a 500 at serialisation.
  const code = (i.code in FIELD_ERROR_CODES ? i.code : 'validation.custom') as FieldErrorCode;
  return { path: pathOf(i), code, message: i.message };
}

const refuseRole = (reply: FastifyReply) =>
  reply.code(403).send(
    apiError('auth.role_not_allowed', {
      message: {
        en: 'Only a manager or official key puts dossier volumes',
        vi: 'Chỉ khóa quản lý (manager) hoặc theo dõi (official) được gửi số liệu hồ sơ',
      },
    }),
  );

/** requireApiKey, and a submit key refused before its body is read: it posts responses only. */
async function requireWorkKey(req: FastifyRequest, reply: FastifyReply) {
  await requireApiKey(req, reply);
  if (!reply.sent && req.principal?.role === 'submit') return refuseRole(reply);
}

const volumeApi: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/api/v1/dossier-volumes',
    {
      preValidation: requireWorkKey,
      // MAX_ROWS rows of eleven counts stay far below this.
      bodyLimit: 256 * 1024,
      schema: {
        tags: ['dossier-volumes'],
        summary: 'Replace the dossier volumes of a unit and month',
        description:
          'With a `manager` or `official` key, for a centre or commune in its units: the counts of Biểu ' +
          `II.06a/VPCP/KSTT by service area (at most ${MAX_ROWS} rows). Replaces every row of that unit and ` +
          'month (the previous ones are kept in the audit log); the same body again changes nothing. Every row ' +
          'is checked before anything is stored: one bad row and nothing is (422, each row and field named). ' +
          'A month already counted by a unit above or below is refused: a dossier would count twice. A row ' +
          'that does not add up is stored, with a warning.',
        security: [{ apiKey: [] }],
        body: VolumeBodySchema,
        response: { 200: Stored, ...errorResponses(400, 401, 403, 404, 413, 415, 422) },
      },
    },
    async (req, reply) => {
      const principal = req.principal!;
      if (principal.role === 'submit') return refuseRole(reply);
      const actor: Actor = {
        userId: null,
        keyId: principal.keyId,
        role: principal.role,
        unitId: principal.unitId,
        unitPath: principal.unitPath,
        label: `key ${principal.keyId}`,
      };
      const { unit, month, rows } = req.body;
      const batch = { unit, month, ref: '', rows: rows.map((r, i) => ({ ref: rowRef(i), row: normaliseRow(r) })) };
      const result = await importVolumes(app.db, actor, [batch], { source: 'api' });
      switch (result.status) {
        case 'forbidden':
          return refuseRole(reply);
        case 'invalid':
          // Outside the key's units a unit does not exist, whatever else is wrong with the body.
          if (result.errors.some((e) => e.code === 'unit.not_found')) {
            return reply.code(404).send(apiError('unit.not_found'));
          }
          return reply.code(422).send(apiError('volume.invalid', { errors: result.errors.map(itemOf) }));
        case 'ok': {
          const [change] = result.changes;
          return {
            unit,
            month,
            changed: change!.changed,
            rows: change!.rows.length,
            warnings: result.warnings.map((w) => ({
              path: pathOf(w),
              code: 'volume.unbalanced' as const,
              message: w.message,
            })),
          };
        }
      }
    },
  );
};

export default volumeApi;
