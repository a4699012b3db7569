import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { apiError, FIELD_ERROR_CODES, type FieldErrorCode } from '../../platform/http/api-errors.ts';
import { secretHash } from '../../platform/secrets.ts';
import kioskAppAssets from './kiosk-app-assets.ts';
import { KIOSK_COOKIE, requireDevice, UNPAIRED_BODY } from './kiosk-device-auth.ts';
import { findDeviceByTokenHash, noteContact } from './kiosk-device-repository.ts';
import { type KioskSubmitResult, kioskSurvey, submitKioskAnswer } from './kiosk-submission-service.ts';

// The tablet's pages, its survey and its answers (issue 15):
//   GET  /kiosk              the pairing page, the revoked page or the kiosk shell;
//   GET  /kiosk/api/config   the desk, its areas and the counter survey (the worker keeps it);
//   POST /kiosk/api/answers  a batch from the tablet's queue, each answer stored once.
// The shell carries no data of its own: the service worker replays it offline.

/** Answers per request: a tablet back online sends its queue in batches of this size at most. */
export const MAX_BATCH = 50;
/** A full batch of answers with long comments stays under this. */
export const ANSWERS_BODY_LIMIT = 128 * 1024;

export type KioskPage = 'pair' | 'revoked' | 'shell';

const PageQuery = z.object({
  code: z
    .string()
    .regex(/^[A-Za-z0-9 -]{1,16}$/)
    .optional(),
});

const Batch = z.object({ items: z.array(z.unknown()).min(1).max(MAX_BATCH) });

// The service checks the answers themselves; here only each item's shape,
// so that one malformed item is refused alone and the rest are stored.
const Item = z.object({
  submissionId: z.string().max(64),
  serviceArea: z.string().max(64).optional(),
  answers: z.record(z.string().max(64), z.union([z.number(), z.string().max(10_000), z.null()])),
  answeredAt: z.string().max(64),
  locale: z.enum(['vi', 'en']),
  invitationId: z
    .union([z.string().max(20), z.number().int().nonnegative()])
    .optional()
    .transform((v) => (v === undefined ? undefined : String(v))),
});

type ItemResult = { submissionId: string; status: KioskSubmitResult['status']; errors?: unknown[] };

function shapeErrors(error: z.ZodError) {
  return error.issues.map((issue) => {
    const code = `validation.${issue.code}`;
    const known = (code in FIELD_ERROR_CODES ? code : 'validation.custom') as FieldErrorCode;
    return { path: issue.path.join('.'), code: known, message: FIELD_ERROR_CODES[known] };
  });
}

/** Which page the cookie earns: nothing is noted (the page is not a contact; its API calls are). */
async function pageFor(req: FastifyRequest): Promise<KioskPage> {
  const token = req.cookies[KIOSK_COOKIE];
  if (!token || token.length > 200) return 'pair';
  const device = await findDeviceByTokenHash(req.server.db, secretHash(token));
  if (!device) return 'pair';
  return device.revoked ? 'revoked' : 'shell';
}

export default async function kioskRoutes(app: FastifyInstance) {
  await app.register(kioskAppAssets);

  app.get('/kiosk', async (req, reply) => {
    const mode = await pageFor(req);
    const code = PageQuery.safeParse(req.query).data?.code ?? '';
    const title = mode === 'shell' ? 'Đánh giá mức độ hài lòng' : 'Ghép máy tính bảng tại quầy';
    return (
      reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        // The worker keeps only a paired tablet's page (kiosk-sw.js).
        .header('X-Kiosk-Page', mode)
        .viewAsync(mode === 'shell' ? 'kiosk/shell.eta' : 'kiosk/pair.eta', { lang: 'vi', title, mode, code })
    );
  });

  app.get('/kiosk/api/config', { preHandler: requireDevice }, async (req, reply) => {
    const survey = await kioskSurvey(app.db, req.kioskDevice!);
    reply.header('Cache-Control', 'no-store');
    // The desk is the device's by a foreign key: only a row removed by hand lacks it.
    if (!survey) return reply.code(401).send(UNPAIRED_BODY);
    return survey;
  });

  app.post('/kiosk/api/answers', { bodyLimit: ANSWERS_BODY_LIMIT, preHandler: requireDevice }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store');
    const device = req.kioskDevice!;
    const batch = Batch.safeParse(req.body);
    if (!batch.success)
      return reply.code(422).send(apiError('validation.failed', { errors: shapeErrors(batch.error) }));
    const results: ItemResult[] = [];
    // One after another: the device's answers take turns anyway (its row lock).
    for (const raw of batch.data.items) {
      const item = Item.safeParse(raw);
      const submissionId = String((raw as { submissionId?: unknown } | null)?.submissionId ?? '').slice(0, 64);
      if (!item.success) {
        results.push({ submissionId, status: 'invalid', errors: shapeErrors(item.error) });
        continue;
      }
      const result = await submitKioskAnswer(app.db, app.config, device, item.data);
      results.push({
        submissionId: item.data.submissionId,
        status: result.status,
        ...(result.status === 'invalid' ? { errors: result.errors } : {}),
      });
    }
    // The tablet said how many it held before this batch; every item has
    // now had its final answer, so the desk page shows what is left.
    const queued = Number((req.query as { queued?: unknown } | undefined)?.queued);
    if (Number.isFinite(queued)) await noteContact(app.db, device.id, Math.max(0, queued - results.length));
    return { results };
  });
}
