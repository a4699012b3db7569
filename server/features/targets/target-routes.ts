import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { todayIso } from '../../../analysis/local-time.ts';
import { can, canReach } from '../../platform/auth/scope.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import {
  newTargetFormValues,
  readTargetForm,
  type TargetFormErrors,
  type TargetFormValues,
  targetFormValues,
} from './target-rules.ts';
import {
  changeTarget,
  createTarget,
  describeTarget,
  loadTarget,
  removeTarget,
  targetFormOptions,
  targetsFor,
} from './target-service.ts';

// Plan targets: anyone signed in reads those of their subtree (and those set
// above it); officials and admins ('oversee') add, edit and delete them.

const DONE_MESSAGES = {
  created: 'Đã thêm chỉ tiêu.',
  updated: 'Đã lưu thay đổi của chỉ tiêu.',
  deleted: 'Đã xóa chỉ tiêu.',
} as const;
const ListQuery = z.object({ done: z.enum(['created', 'updated', 'deleted']).optional().catch(undefined) });

async function renderForm(
  req: FastifyRequest,
  reply: FastifyReply,
  data: {
    values: TargetFormValues;
    errors?: TargetFormErrors;
    targetId?: number;
    readOnly?: boolean;
    target?: ReturnType<typeof describeTarget>;
  },
) {
  const options = await targetFormOptions(req.server.db, req.user!);
  const title = data.targetId ? (data.readOnly ? 'Chỉ tiêu kế hoạch' : 'Sửa chỉ tiêu') : 'Thêm chỉ tiêu';
  return staffPage(req, reply, 'targets/target-form', { title, options, errors: {}, readOnly: false, ...data });
}

/** The target named in the URL if it exists and lies in the user's subtree. */
async function targetInScope(req: FastifyRequest) {
  const id = idParam(req.params, 'targetId');
  const target = id ? await loadTarget(req.server.db, id) : undefined;
  return target && canReach(req.user!, target.unitPath) ? target : undefined;
}

export default async function targetRoutes(app: FastifyInstance) {
  app.get('/staff/targets', { preHandler: requireUser() }, async (req, reply) => {
    const { done } = ListQuery.parse(req.query ?? {});
    const { own, above } = await targetsFor(app.db, req.user!);
    return staffPage(req, reply, 'targets/targets', {
      title: 'Chỉ tiêu kế hoạch',
      own,
      above,
      canEdit: can(req.user!, 'oversee'),
      done: done ? DONE_MESSAGES[done] : undefined,
    });
  });

  app.get('/staff/targets/new', { preHandler: requireUser('oversee') }, async (req, reply) =>
    renderForm(req, reply, { values: newTargetFormValues(req.user!.unitId, todayIso(new Date())) }),
  );

  app.post('/staff/targets', { preHandler: requireUser('oversee') }, async (req, reply) => {
    const form = readTargetForm(req.body);
    const saved = form.ok ? await createTarget(app.db, req.user!, form.input) : form;
    if (!saved.ok) {
      reply.code(422);
      return renderForm(req, reply, { values: form.values, errors: saved.errors });
    }
    return reply.redirect('/staff/targets?done=created', 303);
  });

  app.get('/staff/targets/:targetId', { preHandler: requireUser() }, async (req, reply) => {
    const target = await targetInScope(req);
    if (!target) return staffNotFound(req, reply);
    return renderForm(req, reply, {
      values: targetFormValues(target),
      targetId: target.id,
      readOnly: !can(req.user!, 'oversee'),
      target: describeTarget(target),
    });
  });

  app.post('/staff/targets/:targetId', { preHandler: requireUser('oversee') }, async (req, reply) => {
    const target = await targetInScope(req);
    if (!target) return staffNotFound(req, reply);
    const form = readTargetForm(req.body);
    const saved = form.ok ? await changeTarget(app.db, req.user!, target, form.input) : form;
    if (!saved.ok) {
      reply.code(422);
      return renderForm(req, reply, { values: form.values, errors: saved.errors, targetId: target.id });
    }
    return reply.redirect('/staff/targets?done=updated', 303);
  });

  app.post('/staff/targets/:targetId/delete', { preHandler: requireUser('oversee') }, async (req, reply) => {
    const target = await targetInScope(req);
    if (!target) return staffNotFound(req, reply);
    await removeTarget(app.db, req.user!, target);
    return reply.redirect('/staff/targets?done=deleted', 303);
  });
}
