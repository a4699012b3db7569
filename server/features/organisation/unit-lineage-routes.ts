import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseDateInput } from '../../../analysis/local-time.ts';
import { staffPage, staffRefused } from '../../platform/http/staff-view.ts';
import { requireUser } from '../access/session-plugin.ts';
import { listUnitTree } from './unit-admin-service.ts';
import type { LineageRequest } from './unit-lineage-rules.ts';
import { applyLineage, canReorganise, previewLineage } from './unit-lineage-service.ts';

// Reorganising units (merge, split, rename, move): a form per kind, a
// preview listing every change, then a confirm that applies the same plan.
// Administrators only: anyone else gets a 403, audited.

const KINDS = ['merge', 'split', 'rename', 'move'] as const;
type Kind = (typeof KINDS)[number];

type Body = Record<string, unknown>;
const str = (b: Body, k: string) => (typeof b[k] === 'string' ? (b[k] as string).trim() : '');
const codes = (s: string) =>
  s
    .split(/[\s,;]+/)
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);

/** The request a form describes; the date as typed (dd/mm/yyyy) is checked by the rules. */
export function requestOf(b: Body): LineageRequest | undefined {
  const kind = str(b, 'kind') as Kind;
  const on = parseDateInput(str(b, 'on')) ?? str(b, 'on');
  switch (kind) {
    case 'merge':
      return {
        kind,
        into: str(b, 'into').toLowerCase(),
        from: codes(str(b, 'from')),
        on,
        deskTo: str(b, 'deskTo').toLowerCase() || undefined,
        retireDesks: codes(str(b, 'retireDesks')),
        carryTargets: str(b, 'carryTargets') === '1',
        moveAccounts: str(b, 'moveAccounts') === '1',
        newInto: str(b, 'newName') ? { name: str(b, 'newName'), parent: str(b, 'newParent').toLowerCase() } : undefined,
      };
    case 'split': {
      const desks: Record<string, string> = {};
      for (const line of str(b, 'desks').split(/\r?\n|,/)) {
        const [desk, unit] = line.split('=').map((s) => s.trim().toLowerCase());
        if (desk && unit) desks[desk] = unit;
      }
      return { kind, from: str(b, 'from').toLowerCase(), into: codes(str(b, 'into')), on, desks };
    }
    case 'rename':
      return { kind, unit: str(b, 'unit').toLowerCase(), name: str(b, 'name'), on };
    case 'move':
      return { kind, unit: str(b, 'unit').toLowerCase(), to: str(b, 'to').toLowerCase(), on };
    default:
      return undefined;
  }
}

const REFUSED = 'Chỉ quản trị viên được sắp xếp lại đơn vị (hợp nhất, chia tách, đổi tên, chuyển đơn vị).';

export default async function unitLineageRoutes(app: FastifyInstance) {
  const anyone = { preHandler: requireUser() };

  async function showForms(
    req: FastifyRequest,
    reply: FastifyReply,
    form?: { kind: string; values: Body; errors: Record<string, string> },
  ) {
    const units = (await listUnitTree(app.db, req.user!)).filter((u) => u.active);
    return staffPage(req, reply, 'organisation/reorganise', {
      title: 'Sắp xếp lại đơn vị',
      units,
      kind: form?.kind ?? (KINDS.includes((req.query as Body)?.kind as Kind) ? (req.query as Body).kind : 'merge'),
      form,
    });
  }

  app.get('/staff/units/reorganise', anyone, async (req, reply) => {
    if (!canReorganise(req.user!)) return staffRefused(req, reply, REFUSED);
    return showForms(req, reply);
  });

  app.post('/staff/units/reorganise', anyone, async (req, reply) => {
    if (!canReorganise(req.user!)) return staffRefused(req, reply, REFUSED);
    const body = (req.body ?? {}) as Body;
    const request = requestOf(body);
    if (!request) {
      reply.code(422);
      return showForms(req, reply, { kind: 'merge', values: body, errors: { form: 'Vui lòng chọn việc cần làm.' } });
    }
    const apply = str(body, 'step') === 'apply';
    const result = apply
      ? await applyLineage(app.db, req.user!, request)
      : await previewLineage(app.db, req.user!, request);
    if (!result.ok) {
      reply.code(422);
      return showForms(req, reply, { kind: request.kind, values: body, errors: result.errors });
    }
    return staffPage(req, reply, 'organisation/reorganise-preview', {
      title: apply ? 'Đã sắp xếp lại đơn vị' : 'Xem trước thay đổi',
      applied: apply,
      plan: result.plan,
      // The confirm posts the same fields again; the plan is computed afresh in the transaction.
      fields: Object.entries(body).filter(([k, v]) => k !== '_csrf' && k !== 'step' && typeof v === 'string'),
    });
  });
}
