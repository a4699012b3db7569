import { randomUUID } from 'node:crypto';
import t from 'tap';
import { VOLUME_FIELDS } from '../analysis/dossiers.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { oneOfEverything } from './helpers/everything.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { type StaffClient, staffClient } from './helpers/staff.ts';

// Run time (for tests/run.ts): about 19 s.

// The cross-unit matrix, generated from the app's own route table: every
// staff and API route, asked by users of another commune for commune A's
// things, is refused, leaks nothing, and changes nothing; asked by id, it
// answers as for an id that does not exist (a 404 for the role the route is
// for), so that nothing tells A's ids apart. A new route with a parameter
// this test cannot fill makes it fail, so no route is left out.

/** Routes open to everyone by design, with the reason. */
const PUBLIC: Record<string, string> = {
  'GET /staff/sign-in': 'the sign-in form',
  'POST /staff/sign-in': 'the sign-in form',
  'GET /api/v1/surveys/:code': 'survey definitions are public (kiosks render them)',
  'GET /api/v1/openapi.json': 'the API description is public: it describes the API, no data',
  'GET /staff/set-password/:token': 'a one-time link: the token is the credential (tests/accounts.test.ts)',
  'POST /staff/set-password/:token': 'a one-time link: the token is the credential (tests/accounts.test.ts)',
};

/** The API reference page and its assets (@fastify/swagger-ui), public like the document it shows. */
const DOCS = '/api/docs';

/** Routes about the signed-in user alone, with no unit to cross. */
const SELF = new Set([
  'POST /staff/sign-out',
  'GET /staff',
  'GET /staff/password',
  'POST /staff/password',
  // The user's own choice of e-mail notices: no id, no unit (tests/notification-preferences.test.ts).
  'POST /staff/notifications',
]);

/** Pages that take the unit from the query string: asked for commune A, an official of B gets a 404. */
const UNIT_IN_QUERY = new Set([
  'GET /staff/reports',
  'GET /staff/reports/export.csv',
  'GET /staff/reports/export.xlsx',
  'GET /staff/reports/report.pdf',
  'GET /staff/reports/report.docx',
  'GET /staff/reports/responses.csv',
  'GET /staff/reports/responses.xlsx',
  'GET /staff/codes/usage',
]);

/** Shared instruments: every signed-in user may read them (publishing is an admin's). */
const SHARED = new Set(['GET /staff/surveys', 'GET /staff/surveys/:surveyCode']);

t.test('users of another commune get nothing of commune A on any staff or API route', async (t) => {
  const { app, db } = await testApp(t);

  // Commune A, with one of everything a route can name.
  const a = await oneOfEverything(app, db, 'Alpha Riêng Biệt');
  // fill.webhookId and fill.deliveryId: a webhook of commune A and its delivery (issue 18).
  const { deskCode, deskId, fill } = a;

  // What a route would change if it ignored the scope: names, areas, statuses, A's ids in the body.
  const body = {
    name: 'Đã bị đổi',
    code: `chen-ngang-${a.centreId}`,
    kind: 'centre',
    serviceAreas: ['ho-tich'],
    active: '0',
    value: '0',
    unitId: String(a.centreId),
    deskId: String(deskId),
    serviceArea: 'dat-dai',
    dossierRefs: 'HS-ALPHA-2\nHS-ALPHA-3',
    role: 'manager',
    label: 'chen ngang',
    status: 'in_progress',
    publicAnswer: 'trả lời',
    internalNote: 'ghi chú',
    metric: 'satisfaction_rate',
    comparison: 'gte',
    threshold: '50',
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    sourcePlan: 'chen ngang',
    // Report settings (NĐ 30 header, recipients, signer).
    placeName: 'Chen Ngang',
    recipients: 'chen ngang',
    signerName: 'Chen Ngang',
    abbreviation: 'CN',
    email: 'chen-ngang@example.gov.vn',
    // A tablet's pause after thanks.
    seconds: '30',
    // The public results switch (on).
    published: '1',
  };
  const snapshot = async () => ({
    units: await db.selectFrom('unit').select(['id', 'name', 'active']).orderBy('id').execute(),
    desks: await db.selectFrom('desk').select(['id', 'name', 'active', 'survey_id']).orderBy('id').execute(),
    areas: await db
      .selectFrom('desk_service_area')
      .selectAll()
      .orderBy('desk_id')
      .orderBy('service_area_code')
      .execute(),
    keys: await db.selectFrom('api_key').select(['id', 'revoked_at']).orderBy('id').execute(),
    codes: (await db.selectFrom('transaction_code').select('code_hash').execute()).length,
    targets: await db.selectFrom('plan_target').select(['id', 'threshold', 'source_plan']).orderBy('id').execute(),
    feedback: await db.selectFrom('feedback_item').select(['id', 'status']).orderBy('id').execute(),
    assignments: (await db.selectFrom('survey_assignment').selectAll().execute()).length,
    reportSettings: await db.selectFrom('unit_report_setting').selectAll().orderBy('unit_id').execute(),
    publication: await db.selectFrom('unit_publication').selectAll().orderBy('unit_id').execute(),
    responses: (await db.selectFrom('response').select('id').execute()).length,
    webhooks: await db
      .withTables<{ webhook_endpoint: { id: string; url: string } }>()
      .selectFrom('webhook_endpoint')
      .select(['id', 'url'])
      .execute(),
    volumes: await db.selectFrom('dossier_volume').select(['unit_id', 'month', 'service_area_code']).execute(),
    users: await db
      .selectFrom('app_user')
      .select(['id', 'role', 'unit_id', 'active', 'password_hash'])
      .orderBy('id')
      .execute(),
    links: await db.selectFrom('password_link').select(['token_hash', 'used_at', 'revoked_at']).execute(),
    tablets: await db.selectFrom('kiosk_device').select(['id', 'revoked_at']).orderBy('id').execute(),
    pairings: (await db.selectFrom('kiosk_pairing').select('id').execute()).length,
    invitations: (await db.selectFrom('kiosk_invitation').select('id').execute()).length,
    rounds: await db.selectFrom('survey_round').select(['id', 'code', 'unit_id']).orderBy('id').execute(),
    quotas: await db.selectFrom('survey_round_quota').selectAll().orderBy('round_id').execute(),
    idle: await db.selectFrom('desk').select(['id', 'kiosk_idle_seconds']).orderBy('id').execute(),
    // No export, change or issue of A's is recorded either (refusals are, as permission.denied).
    audit: await db
      .selectFrom('audit_event')
      .select(['id', 'action'])
      .where('unit_id', 'in', [a.provinceId, a.communeId, a.centreId])
      .where('action', '!=', 'permission.denied')
      .orderBy('id')
      .execute(),
  });

  // Commune B's people, each role.
  const b = await createCentre(db, 'Xã Beta');
  const bCentre = await unitCode(db, b.centreId);
  const bCommune = await unitCode(db, b.communeId);
  const users: Record<string, StaffClient> = {
    'manager of B': await staffClient(app, db, { role: 'manager', unitCode: bCentre }),
    'official of B': await staffClient(app, db, { role: 'official', unitCode: bCommune }),
    'staff of B': await staffClient(app, db, { role: 'staff', unitCode: bCentre }),
  };
  const bKeys = {
    "commune B's manager key": (await createApiKey(db, { unitCode: bCentre, role: 'manager', label: 'khóa Beta' }))!
      .key,
    "commune B's submit key": (await createApiKey(db, {
      unitCode: bCommune,
      role: 'submit',
      channels: ['api', 'kiosk', 'paper', 'link'],
      label: 'gửi phiếu Beta',
    }))!.key,
  };

  const before = await snapshot();

  const leaks = [await unitCode(db, a.communeId), await unitCode(db, a.centreId), deskCode, ...Object.values(a.names)];
  let covered = 0;
  for (const route of app.routeTable) {
    const name = `${route.method} ${route.url}`;
    if (!route.url.startsWith('/staff') && !route.url.startsWith('/api/')) continue;
    if (PUBLIC[name] || SELF.has(name) || route.url.startsWith(DOCS)) continue;
    const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
    const unknown = params.filter((p) => !(p in fill));
    t.same(unknown, [], `${name}: every parameter can be filled with commune A's ids`);
    const url = route.url.replace(/:([A-Za-z]+)/g, (_, p: string) => fill[p] ?? 'x');
    const ids = params.filter((p) => p !== 'surveyCode' && p !== 'code');
    covered += 1;

    if (route.url.startsWith('/api/')) {
      // Report routes take the unit in the query: ask for commune A's.
      // The tablets' list takes the desk: ask for A's.
      const query =
        name === 'GET /api/v1/kiosk-devices'
          ? `?desk=${deskCode}`
          : route.method === 'GET'
            ? `?unit=${await unitCode(db, a.communeId)}&from=2026-01-01&to=2026-12-31`
            : '';
      // What a scope-blind route would act on: a whole submission for A's
      // desk, a code for it, or a month of A's dossier volumes (each route's
      // body is strict, so each gets a body it would accept from A's keys).
      const payloads: Record<string, object> = {
        'POST /api/v1/responses': {
          desk: deskCode,
          serviceArea: 'dat-dai',
          submissionId: randomUUID(),
          answers: { access: 5, procedure: 5, staff: 5, result: 5, feedback: 'na', overall: 5 },
        },
        'PUT /api/v1/dossier-volumes': {
          unit: await unitCode(db, a.communeId),
          month: '2025-01',
          rows: [{ serviceArea: 'dat-dai', ...Object.fromEntries(VOLUME_FIELDS.map((f) => [f, 1])) }],
        },
        'POST /api/v1/kiosk-pairings': { desk: deskCode },
        'POST /api/v1/kiosk-invitations': { desk: deskCode, serviceArea: 'dat-dai' },
        'POST /api/v1/webhooks': {
          unit: await unitCode(db, a.communeId),
          url: 'https://hooks.example.vn/beta',
          events: ['feedback.created'],
          secret: 'beta-secret-0123456789',
        },
      };
      const payload = payloads[name] ?? { desk: deskCode, serviceArea: 'dat-dai', dossierRef: 'HS-ALPHA-1' };
      for (const [whose, key] of Object.entries(bKeys)) {
        const res = await app.inject({
          method: route.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
          url: url + query,
          headers: { authorization: `Bearer ${key}` },
          payload: route.method === 'GET' ? undefined : payload,
        });
        const label = `${name} with ${whose} → ${res.statusCode}`;
        t.ok([403, 404, 422].includes(res.statusCode), `${label}: refused`);
        for (const leak of leaks) t.notOk(res.body.includes(String(leak)), `${label}: shows nothing of A (${leak})`);
      }
      continue;
    }

    const statuses: number[] = [];
    for (const [who, client] of Object.entries(users)) {
      const res = route.method === 'GET' ? await client.get(url) : await client.post(url, body);
      statuses.push(res.statusCode);
      const label = `${name} as ${who} → ${res.statusCode}`;
      if (ids.length > 0 || route.method === 'POST') {
        // Asking for A's things by id, or posting A's ids in a form: refused.
        t.ok([403, 404, 422].includes(res.statusCode), `${label}: refused`);
      } else {
        t.ok([200, 403].includes(res.statusCode), `${label}: a list or a refusal`);
      }
      if (!SHARED.has(name)) {
        for (const leak of leaks) t.notOk(res.body.includes(String(leak)), `${label}: shows nothing of A (${leak})`);
      }
      // A's ids are answered as ids that do not exist, malformed or out of range: nothing tells them apart.
      for (const ghost of ids.length > 0 ? ['0', '1e3', '999999', '99999999999', 'abc'] : []) {
        const other = route.url.replace(/:([A-Za-z]+)/g, (_, p: string) => (ids.includes(p) ? ghost : fill[p]!));
        const asGhost = route.method === 'GET' ? await client.get(other) : await client.post(other, body);
        t.equal(res.statusCode, asGhost.statusCode, `${label}: the same as for id ${ghost}`);
      }
      // Pages that take the unit from the query string (results, code usage): ask them for commune A.
      if (route.method === 'GET' && ids.length === 0) {
        const asked = await client.get(`${url}?unitId=${a.communeId}`);
        const askedLabel = `${name}?unitId=A as ${who} → ${asked.statusCode}`;
        t.ok([200, 403, 404].includes(asked.statusCode), `${askedLabel}: its own list or a refusal`);
        if (!SHARED.has(name)) {
          for (const leak of leaks) {
            t.notOk(asked.body.includes(String(leak)), `${askedLabel}: shows nothing of A (${leak})`);
          }
        }
        if (UNIT_IN_QUERY.has(name) && who === 'official of B') t.equal(asked.statusCode, 404, `${askedLabel}: 404`);
        for (const ghost of ['999999', 'abc']) {
          const asGhost = await client.get(`${url}?unitId=${ghost}`);
          t.equal(asked.statusCode, asGhost.statusCode, `${askedLabel}: the same as for unit ${ghost}`);
        }
      }
    }
    if (ids.length > 0) {
      // The role the route is for gets a 404: A's things do not exist for B (a 403 only for the other roles).
      t.ok(statuses.includes(404), `${name}: a 404 for whoever of B may use it (${statuses.join(', ')})`);
    }
  }
  t.ok(covered >= 30, `${covered} routes checked`);
  t.same(await snapshot(), before, 'nothing of commune A changed');
});
