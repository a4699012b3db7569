import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { createRound } from '../server/features/rounds/round-service.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import { expectApiError, RESPONSES } from './helpers/api.ts';
import { createDesk, submitHeaders } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// A survey round's paper forms posted through the API (issue 16): counted in
// the round at once under the entry screen's rules, each serial once, kept
// out of the continuous figures, and a retry a harmless replay.

const admin: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'test' };

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
  const created = await createRound(db, admin, {
    unitId: desk.communeId,
    code: 'quy-2-2026',
    surveyCode: 'sipas-quick',
    fieldworkFrom: '2026-04-01',
    fieldworkTo: '2026-06-30',
    populationSource: 'typed',
    population: 400,
    reference: null,
    margin: 0.05,
    allocation: 'equal',
  });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  const headers = await submitHeaders(db, desk.centreId, ['paper', 'kiosk']);
  return { app, db, desk, headers, roundId: created.id };
}

/** A paper form of the round: overall 4, the rest left blank, as a citizen may leave them. */
function post(app: FastifyInstance, headers: Record<string, string>, body: Record<string, unknown>) {
  return app.inject({
    method: 'POST',
    url: RESPONSES,
    headers,
    payload: {
      desk: body.desk,
      serviceArea: 'dat-dai',
      answers: { overall: 4 },
      submissionId: randomUUID(),
      channel: 'paper',
      surveyedOn: '2026-04-02',
      round: 'quy-2-2026',
      serial: 1,
      ...body,
    },
  });
}

t.test('a round form counts in the round, dated on its day, and its serial is taken once', async (t) => {
  const { app, db, desk, headers, roundId } = await setup(t);
  const submissionId = randomUUID();
  const first = await post(app, headers, { desk: desk.code, submissionId, answers: { overall: 4, feedback: 'na' } });
  t.equal(first.statusCode, 201, first.body);
  const replay = await post(app, headers, { desk: desk.code, submissionId, answers: { overall: 4, feedback: 'na' } });
  t.equal(replay.statusCode, 200, 'the same post again is a replay');
  t.equal(replay.json().id, first.json().id);
  const changed = await post(app, headers, { desk: desk.code, submissionId, answers: { overall: 2 } });
  expectApiError(t, changed, 409, 'submission.conflict');
  const again = await post(app, headers, { desk: desk.code });
  expectApiError(t, again, 409, 'round.serial_taken');

  const rows = await db
    .selectFrom('response')
    .select(['round_id', 'desk_id', 'channel', 'suspect'])
    .select((eb) => eb.fn<string>('to_char', [eb.ref('submitted_at'), eb.val('YYYY-MM-DD"T"HH24:MI:SSOF')]).as('at'))
    .execute();
  t.same(
    rows.map((r) => [r.round_id, r.desk_id, r.channel, r.suspect]),
    [[roundId, desk.deskId, 'paper', false]],
  );
  const noon = await db.selectFrom('response').select('submitted_at').executeTakeFirstOrThrow();
  t.equal(noon.submitted_at.toISOString(), '2026-04-02T05:00:00.000Z', 'noon in Vietnam on the day answered');
  const forms = await db.selectFrom('round_form').select(['serial', 'status', 'source']).execute();
  t.same(forms, [{ serial: 1, status: 'counted', source: 'api' }]);
  const daily = await db.selectFrom('response_daily').select('n').execute();
  t.same(daily, [], 'not in the continuous figures');
  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'actor_key_id'])
    .where('action', '=', 'round.form_api')
    .execute();
  t.equal(audit.length, 1);
  t.ok(audit[0]!.actor_key_id, 'the key is named');
});

t.test("the round's rules: fieldwork days, the plan's areas, paper only, round and serial together", async (t) => {
  const { app, desk, headers } = await setup(t);
  const outside = await post(app, headers, { desk: desk.code, surveyedOn: '2026-07-01' });
  expectApiError(t, outside, 422, 'submission.invalid');
  t.match(outside.json().errors, [{ path: 'surveyedOn', message: { vi: /ngoài thời gian khảo sát/ } }]);
  const unknown = await post(app, headers, { desk: desk.code, round: 'khong-co' });
  expectApiError(t, unknown, 422, 'round.unknown');
  t.match(unknown.json().errors, [{ path: 'round', code: 'round.unknown' }]);
  const kiosk = await post(app, headers, { desk: desk.code, channel: 'kiosk', surveyedOn: undefined });
  expectApiError(t, kiosk, 422, 'validation.failed');
  t.match(kiosk.json().errors, [{ path: 'channel' }, { path: 'surveyedOn' }]);
  const noSerial = await post(app, headers, { desk: desk.code, serial: undefined });
  expectApiError(t, noSerial, 422, 'validation.failed');
  t.match(noSerial.json().errors, [{ path: 'serial' }]);
  const badAnswer = await post(app, headers, { desk: desk.code, answers: { overall: 7 } });
  expectApiError(t, badAnswer, 422, 'submission.invalid');
  t.match(badAnswer.json().errors, [{ path: 'answers.overall' }]);
});

t.test('a round of another commune does not hold the desk', async (t) => {
  const { app, db, headers } = await setup(t);
  const elsewhere = await createDesk(db, ['dat-dai']);
  const otherHeaders = await submitHeaders(db, elsewhere.centreId, ['paper']);
  const res = await post(app, otherHeaders, { desk: elsewhere.code });
  expectApiError(t, res, 422, 'round.unknown');
  t.ok(headers, 'the round exists for its own commune');
});
