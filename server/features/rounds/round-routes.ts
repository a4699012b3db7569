import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canReach } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { formCounts as countForms } from './round-form-repository.ts';
import { canImportForms } from './round-import-service.ts';
import { roundReport } from './round-report-service.ts';
import type { RoundRecord } from './round-repository.ts';
import {
  newRoundFormValues,
  type RoundFormErrors,
  type RoundFormValues,
  readQuotaForm,
  readRoundForm,
} from './round-rules.ts';
import {
  canEditRounds,
  changeQuotas,
  createRound,
  loadRound,
  quotaAreaCodes,
  roundDesign,
  roundFormOptions,
  roundsFor,
} from './round-service.ts';

// Survey rounds (issue 16): officials and admins create a round with its
// sample plan and edit its quotas; managers follow the progress. Staff at
// the counter have no use for them and are refused.

const DONE = { created: 'Đã tạo đợt khảo sát.', quotas: 'Đã lưu chỉ tiêu số phiếu.' } as const;
const DoneQuery = z.object({ done: z.enum(['created', 'quotas']).optional().catch(undefined) });

async function renderList(
  req: FastifyRequest,
  reply: FastifyReply,
  form: { values: RoundFormValues; errors?: RoundFormErrors },
) {
  const user = req.user!;
  const canEdit = canEditRounds(user);
  const [rounds, options] = await Promise.all([
    roundsFor(req.server.db, user),
    canEdit ? roundFormOptions(req.server.db, user) : undefined,
  ]);
  return staffPage(req, reply, 'rounds/rounds', {
    title: 'Đợt khảo sát',
    rounds,
    canEdit,
    options,
    values: form.values,
    errors: form.errors ?? {},
  });
}

async function renderRound(
  req: FastifyRequest,
  reply: FastifyReply,
  round: RoundRecord,
  extra: { values?: Record<string, string>; errors?: Record<string, string>; done?: string } = {},
) {
  const db = req.server.db;
  const [design, report, formCounts] = await Promise.all([
    roundDesign(db, round),
    roundReport(db, round),
    countForms(db, round.id),
  ]);
  return staffPage(req, reply, 'rounds/round', {
    title: `Đợt khảo sát ${round.code}`,
    round,
    design,
    report,
    formCounts,
    canEdit: canEditRounds(req.user!),
    canImport: canImportForms(req.user!),
    values: extra.values ?? {},
    errors: extra.errors ?? {},
    done: extra.done,
  });
}

/** The round named in the URL if it exists and lies in the user's subtree. */
export async function roundInScope(req: FastifyRequest) {
  const id = idParam(req.params, 'roundId');
  const round = id ? await loadRound(req.server.db, id) : undefined;
  return round && canReach(req.user!, round.unitPath) ? round : undefined;
}

/**
 * The round named in the URL for entering its forms: one in the user's
 * subtree, or one above the user's unit that covers it (a centre's clerk
 * types the forms of the commune's round; entryContext keeps them to the
 * centre's own units).
 */
export async function roundForEntry(req: FastifyRequest) {
  const id = idParam(req.params, 'roundId');
  const round = id ? await loadRound(req.server.db, id) : undefined;
  const user = req.user!;
  return round && (canReach(user, round.unitPath) || user.unitPath.startsWith(round.unitPath)) ? round : undefined;
}

export default async function roundRoutes(app: FastifyInstance) {
  app.get('/staff/rounds', { preHandler: requireUser() }, async (req, reply) => {
    return renderList(req, reply, { values: newRoundFormValues(req.user!.unitId) });
  });

  app.post('/staff/rounds', { preHandler: requireUser('oversee') }, async (req, reply) => {
    const form = readRoundForm(req.body);
    const saved = form.ok ? await createRound(app.db, req.user!, form.input) : form;
    if (!saved.ok) {
      reply.code(422);
      return renderList(req, reply, { values: form.values, errors: saved.errors });
    }
    return reply.redirect(`/staff/rounds/${saved.id}?done=created`, 303);
  });

  app.get('/staff/rounds/:roundId', { preHandler: requireUser() }, async (req, reply) => {
    const round = await roundInScope(req);
    if (!round) return staffNotFound(req, reply);
    const { done } = DoneQuery.parse(req.query ?? {});
    return renderRound(req, reply, round, { done: done ? DONE[done] : undefined });
  });

  app.post('/staff/rounds/:roundId/quotas', { preHandler: requireUser('oversee') }, async (req, reply) => {
    const round = await roundInScope(req);
    if (!round) return staffNotFound(req, reply);
    const form = readQuotaForm(req.body, await quotaAreaCodes(app.db, round));
    if (!form.ok) {
      reply.code(422);
      return renderRound(req, reply, round, { values: form.values, errors: form.errors });
    }
    await changeQuotas(app.db, req.user!, round, form.quotas);
    return reply.redirect(`/staff/rounds/${round.id}?done=quotas`, 303);
  });
}
