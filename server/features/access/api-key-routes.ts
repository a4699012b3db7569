import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatDateTimeVi } from '../../../analysis/local-time.ts';
import { idParam, staffNotFound, staffPage } from '../../platform/http/staff-view.ts';
import { createUnitKey, loadUnitKeys, revokeUnitKey } from '../organisation/unit-admin-service.ts';
import { type FormState, textField, validated } from '../organisation/units-routes.ts';
import { requireUser } from './session-plugin.ts';

// API keys of a unit, for machine clients (the one-stop software that prints
// receipts). A new key is shown on the page that answers the POST, once: only
// its hash is kept, so no later page, redirect or log can show it again.

export const KEY_ROLE_NAMES = {
  manager: 'Quản lý: cấp mã đánh giá một lần cho biên nhận, gửi số liệu hồ sơ',
  official: 'Theo dõi: đọc báo cáo, gửi số liệu hồ sơ',
} as const;

const CreateBody = z.object({
  label: textField('Vui lòng nhập tên gợi nhớ của khóa (ví dụ: phần mềm Một cửa).'),
  // A manager may only hand out the roles keys have; never admin.
  role: z.enum(['manager', 'official'], 'Vui lòng chọn vai trò của khóa.'),
});

export default async function apiKeyRoutes(app: FastifyInstance) {
  const manage = { preHandler: requireUser('manage') };

  async function showKeys(
    req: FastifyRequest,
    reply: FastifyReply,
    unitId: number | undefined,
    extra: { form?: FormState; created?: { key: string; id: number } } = {},
  ) {
    const page = unitId ? await loadUnitKeys(app.db, req.user!, unitId) : undefined;
    if (!page) return staffNotFound(req, reply);
    return staffPage(req, reply, 'access/api-keys', {
      title: `Khóa API · ${page.unit.name}`,
      ...page,
      ...extra,
      roleNames: KEY_ROLE_NAMES,
      formatDateTime: formatDateTimeVi,
    });
  }

  app.get('/staff/units/:unitId/api-keys', manage, (req, reply) => showKeys(req, reply, idParam(req.params, 'unitId')));

  app.post('/staff/units/:unitId/api-keys', manage, async (req, reply) => {
    const unitId = idParam(req.params, 'unitId');
    if (!unitId) return staffNotFound(req, reply);
    const result = await validated(CreateBody, req.body, (d) => createUnitKey(app.db, req.user!, unitId, d));
    if (result.status === 'not_found') return staffNotFound(req, reply);
    if (result.status === 'invalid') {
      reply.code(422);
      return showKeys(req, reply, unitId, {
        form: { values: (req.body ?? {}) as Record<string, unknown>, errors: result.errors },
      });
    }
    // Rendered here, not redirected: after this response the key is gone.
    reply.code(201);
    return showKeys(req, reply, unitId, { created: { key: result.key, id: result.id } });
  });

  app.post('/staff/units/:unitId/api-keys/:keyId/revoke', manage, async (req, reply) => {
    const unitId = idParam(req.params, 'unitId');
    const keyId = idParam(req.params, 'keyId');
    const result = unitId && keyId ? await revokeUnitKey(app.db, req.user!, unitId, keyId) : undefined;
    if (result?.status !== 'ok') return staffNotFound(req, reply);
    return reply.redirect(`/staff/units/${unitId}/api-keys`, 303);
  });
}
