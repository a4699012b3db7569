import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { canReach } from '../../platform/auth/scope.ts';
import { staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { differencesInWords, type EntryModel, entryModel, readReconcile, reconcileRows } from './round-entry-view.ts';
import { findForm, formCounts, listForms } from './round-form-repository.ts';
import { type EntryProblem, entryDifferences, MAX_SERIAL } from './round-form-rules.ts';
import { enterForm, reconcileForm } from './round-form-service.ts';
import type { RoundRecord } from './round-repository.ts';
import { roundForEntry } from './round-routes.ts';

// Paper forms of a survey round typed in twice (issue 16): the entry screen
// (keyboard-first, views/static/round-entry.js posts each form as JSON),
// the list of forms whose two entries disagree, and the reconciliation of
// one of them from the paper. Every signed-in account whose scope reaches
// the round may enter and reconcile: clerks type the piles.

const BODY_LIMIT = 64 * 1024;
const SerialQuery = z.object({ serial: z.coerce.number().int().min(1).max(MAX_SERIAL).optional().catch(undefined) });
const DoneQuery = z.object({
  done: z.coerce.number().int().min(1).max(MAX_SERIAL).optional().catch(undefined),
  gone: z.coerce.number().int().min(1).max(MAX_SERIAL).optional().catch(undefined),
});

/** The serial in the URL, 1–99999, or undefined. */
function serialParam(req: FastifyRequest): number | undefined {
  const raw = (req.params as { serial?: string }).serial ?? '';
  const n = /^[1-9][0-9]{0,4}$/.test(raw) ? Number(raw) : undefined;
  return n !== undefined && n <= MAX_SERIAL ? n : undefined;
}

const jsonProblems = (problems: readonly EntryProblem[]) => problems.map((p) => ({ path: p.path, message: p.message }));

async function renderList(req: FastifyRequest, reply: FastifyReply, round: RoundRecord, done?: string) {
  const db = req.server.db;
  const [model, forms, counts] = await Promise.all([
    entryModel(db, round, req.user!.unitPath),
    listForms(db, round.id, 'disagree'),
    formCounts(db, round.id),
  ]);
  return staffPage(req, reply, 'rounds/round-reconcile', {
    title: `Đối chiếu phiếu · ${round.code}`,
    round,
    counts,
    done,
    forms: forms.map((f) => ({
      serial: f.serial,
      firstBy: f.firstByName ?? '—',
      secondBy: f.secondByName ?? '—',
      differences: differencesInWords(model, f.secondEntry ? entryDifferences(f.firstEntry, f.secondEntry) : []),
    })),
  });
}

async function renderForm(
  req: FastifyRequest,
  reply: FastifyReply,
  model: EntryModel,
  serial: number,
  read?: { typed: Record<string, string>; problems: readonly EntryProblem[] },
) {
  const form = await findForm(req.server.db, model.round.id, serial);
  if (form?.status !== 'disagree') return staffNotFound(req, reply);
  const rows = reconcileRows(model, form, read?.typed, read?.problems);
  const general = (read?.problems ?? []).filter((p) => !rows.some((r) => r.path === p.path)).map((p) => p.message.vi);
  return staffPage(req, reply, 'rounds/round-reconcile-form', {
    title: `Đối chiếu phiếu số ${serial} · ${model.round.code}`,
    round: model.round,
    serial,
    rows,
    general,
    firstBy: form.firstByName ?? '—',
    secondBy: form.secondByName ?? '—',
    hasErrors: (read?.problems.length ?? 0) > 0,
  });
}

export default async function roundFormRoutes(app: FastifyInstance) {
  app.get('/staff/rounds/:roundId/entry', { preHandler: requireUser() }, async (req, reply) => {
    const round = await roundForEntry(req);
    if (!round) return staffNotFound(req, reply);
    const [model, counts] = await Promise.all([
      entryModel(app.db, round, req.user!.unitPath),
      formCounts(app.db, round.id),
    ]);
    return staffPage(req, reply, 'rounds/round-entry', {
      title: `Nhập phiếu giấy · ${round.code}`,
      round,
      // A clerk below the round's unit enters its forms but does not open its page.
      canOpenRound: canReach(req.user!, round.unitPath),
      model,
      counts,
      serial: SerialQuery.parse(req.query ?? {}).serial,
    });
  });

  app.post('/staff/rounds/:roundId/forms', { preHandler: requireUser(), bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const round = await roundForEntry(req);
    if (!round) return reply.code(404).send({ status: 'not_found' });
    const outcome = await enterForm(app.db, req.user!, round, req.body);
    reply.header('Cache-Control', 'no-store');
    switch (outcome.status) {
      case 'invalid':
        return reply.code(422).send({ status: 'invalid', problems: jsonProblems(outcome.problems) });
      case 'same_clerk':
        return reply.code(409).send({ status: 'same_clerk' });
      case 'complete':
        return reply.code(409).send({ status: 'complete', formStatus: outcome.formStatus });
      case 'disagree':
        return reply.send({ status: 'disagree', fields: outcome.fields });
      default:
        return reply.send({ status: outcome.status });
    }
  });

  app.get('/staff/rounds/:roundId/reconcile', { preHandler: requireUser() }, async (req, reply) => {
    const round = await roundForEntry(req);
    if (!round) return staffNotFound(req, reply);
    const { done, gone } = DoneQuery.parse(req.query ?? {});
    const text = done
      ? `Đã đối chiếu phiếu số ${done}: phiếu đã được tính.`
      : gone
        ? `Phiếu số ${gone} không còn chờ đối chiếu (có thể người khác vừa đối chiếu).`
        : undefined;
    return renderList(req, reply, round, text);
  });

  app.get('/staff/rounds/:roundId/reconcile/:serial', { preHandler: requireUser() }, async (req, reply) => {
    const round = await roundForEntry(req);
    const serial = serialParam(req);
    if (!round || !serial) return staffNotFound(req, reply);
    return renderForm(req, reply, await entryModel(app.db, round, req.user!.unitPath), serial);
  });

  app.post(
    '/staff/rounds/:roundId/reconcile/:serial',
    { preHandler: requireUser(), bodyLimit: BODY_LIMIT },
    async (req, reply) => {
      const round = await roundForEntry(req);
      const serial = serialParam(req);
      if (!round || !serial) return staffNotFound(req, reply);
      const model = await entryModel(app.db, round, req.user!.unitPath);
      const read = readReconcile(model, serial, req.body);
      const outcome = read.problems.length
        ? { status: 'invalid' as const, problems: read.problems }
        : await reconcileForm(app.db, req.user!, round, read.entry);
      if (outcome.status === 'counted')
        return reply.redirect(`/staff/rounds/${round.id}/reconcile?done=${serial}`, 303);
      if (outcome.status === 'not_disagreeing') {
        return reply.redirect(`/staff/rounds/${round.id}/reconcile?gone=${serial}`, 303);
      }
      reply.code(422);
      return renderForm(req, reply, model, serial, { typed: read.typed, problems: outcome.problems });
    },
  );
}
