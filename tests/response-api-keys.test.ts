import { randomUUID } from 'node:crypto';
import t from 'tap';
import { forgetApiKeys } from '../server/features/access/api-auth-plugin.ts';
import { revokeKey } from '../server/features/access/api-key-repository.ts';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { expectApiError } from './helpers/api.ts';
import { createDesk, submitHeaders, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// Every channel has an owner: the response API takes a submit key of the
// desk's unit or a unit above it, on the channels the key was granted.
// Without one, nobody can add a counted response from outside.

const ANSWERS = { access: 5, procedure: 5, staff: 5, result: 5, feedback: 'na', overall: 5 };

t.test('the response API refuses anyone without a submit key that reaches the desk', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const other = await createDesk(db, ['dat-dai']);
  const body = (channel = 'api') => ({ desk: desk.code, answers: ANSWERS, submissionId: randomUUID(), channel });
  const post = (headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url: '/api/v1/responses', headers, payload });
  const stored = async () =>
    Number(
      (
        await db
          .selectFrom('response')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const anonymous = await post({}, body('paper'));
  expectApiError(t, anonymous, 401, 'auth.key_required');
  t.equal(anonymous.headers['www-authenticate'], 'Bearer');
  t.equal((await post({ authorization: 'Bearer hl_not-a-real-key-at-all' }, body())).statusCode, 401, 'a forged key');

  for (const role of ['manager', 'official'] as const) {
    const key = (await createApiKey(db, { unitCode: await unitCode(db, desk.centreId), role, label: role }))!;
    const res = await post({ authorization: `Bearer ${key.key}` }, body());
    expectApiError(t, res, 403, 'auth.role_not_allowed');
  }

  const apiOnly = await submitHeaders(db, desk.communeId, ['api']);
  const paper = await post(apiOnly, body('paper'));
  t.match(expectApiError(t, paper, 403, 'auth.channel_not_allowed').message.en, /paper channel/);
  t.equal((await post(apiOnly, body('api'))).statusCode, 201, 'its own channel, a desk below its unit: stored');

  const elsewhere = await submitHeaders(db, other.provinceId);
  const foreign = await post(elsewhere, body());
  expectApiError(t, foreign, 422, 'desk.unknown'); // another province's key: the desk does not exist for it
  t.notOk(foreign.body.includes(String(desk.centreId)));

  t.equal(await stored(), 1, 'only the one allowed post was stored');
});

t.test('a submit key posts and reads nothing; a revoked one is refused', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const created = (await createApiKey(db, {
    unitCode: await unitCode(db, desk.centreId),
    role: 'submit',
    label: 'ki-ốt quầy 1',
  }))!;
  t.same(created.channels, ['api'], 'the API channel by default');
  const authorization = `Bearer ${created.key}`;
  const report = await app.inject({
    url: `/api/v1/reports/satisfaction?unit=${await unitCode(db, desk.centreId)}&from=2026-01-01&to=2026-12-31`,
    headers: { authorization },
  });
  expectApiError(t, report, 403, 'auth.role_not_allowed'); // a submit key reads no report
  const code = await app.inject({
    method: 'POST',
    url: '/api/v1/transaction-codes',
    headers: { authorization },
    payload: { desk: desk.code, serviceArea: 'dat-dai', dossierRef: 'HS-1' },
  });
  t.ok([403, 404].includes(code.statusCode), `a submit key issues no one-time code (${code.statusCode})`);

  // Revoked as the staff page does it (the process that revokes forgets its cached keys).
  await revokeKey(db, created.id);
  forgetApiKeys(db);
  const revoked = await app.inject({
    method: 'POST',
    url: '/api/v1/responses',
    headers: { authorization },
    payload: { desk: desk.code, answers: ANSWERS, submissionId: randomUUID() },
  });
  expectApiError(t, revoked, 401, 'auth.key_required'); // revoked
});
