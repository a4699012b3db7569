import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { buildSatisfactionReport } from '../server/features/reports/report-service.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { expectApiError, RESPONSES, VALID_ANSWERS } from './helpers/api.ts';
import { createDesk, submitHeaders } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// Paper forms typed in through the API (issue 16): clerks enter a pile of
// forms in minutes, identical ones included, each dated the day it was
// answered. None is flagged by the rate, watch or burst checks, and each
// counts in the period it was answered.

const everyone: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'test' };

/** Scale answers from the base-5 digits of i: distinct for i < 625. */
const varied = (i: number) => ({
  ...VALID_ANSWERS,
  access: 1 + (i % 5),
  procedure: 1 + (Math.floor(i / 5) % 5),
  staff: 1 + (Math.floor(i / 25) % 5),
  result: 1 + (Math.floor(i / 125) % 5),
});
const IDENTICAL = { ...VALID_ANSWERS, access: 5, procedure: 5, staff: 5, result: 5, overall: 5 };

function poster(app: FastifyInstance, desk: string, headers: Record<string, string>) {
  return (answers: object, extra: Record<string, unknown> = {}, submissionId = randomUUID()) =>
    app.inject({
      method: 'POST',
      url: RESPONSES,
      headers,
      payload: { desk, answers, submissionId, channel: 'paper', ...extra },
    });
}

async function rowsAt(db: Db, deskId: number) {
  return db
    .selectFrom('response')
    .select(['id', 'channel', 'suspect', 'suspect_reason', 'submitted_at'])
    .where('desk_id', '=', deskId)
    .orderBy('id')
    .execute();
}

t.test('200 paper forms for one desk in a minute, ten identical: all counted, none flagged', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const post = poster(app, desk.code, await submitHeaders(db, desk.centreId, ['paper']));
  const today = todayIso(new Date());

  // Half dated now (the rate and burst windows see them), half dated in March
  // 2026; the ten identical forms are among those dated now.
  const forms = Array.from({ length: 200 }, (_, i) => ({
    answers: i < 10 ? IDENTICAL : varied(i),
    extra: i % 2 === 1 ? { surveyedOn: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}` } : {},
  }));
  const started = Date.now();
  const statuses: number[] = [];
  for (let k = 0; k < forms.length; k += 20) {
    const batch = await Promise.all(forms.slice(k, k + 20).map((f) => post(f.answers, f.extra)));
    statuses.push(...batch.map((r) => r.statusCode));
  }
  t.ok(Date.now() - started < 60_000, 'within a minute');
  t.same([...new Set(statuses)], [201], 'every form stored');

  const rows = await rowsAt(db, desk.deskId);
  t.equal(rows.length, 200);
  t.same(
    rows.filter((r) => r.suspect || r.suspect_reason),
    [],
    'none flagged',
  );
  const watched = await db.selectFrom('desk_watch').select('day').where('desk_id', '=', desk.deskId).execute();
  t.same(watched, [], 'the desk was not put under watch');

  const report = async (from: string, to: string) =>
    (await buildSatisfactionReport(db, everyone, { unitId: desk.centreId, from, to }))!;
  const all = await report('2026-03-01', today);
  t.equal(all.overall.n, 200, 'all counted in the period covering their days');
  t.equal(all.flaggedExcluded, 0);
  t.equal((await report('2026-03-01', '2026-03-31')).overall.n, 100, 'the forms dated in March count in March');
  t.equal((await report(today, today)).overall.n, 100, 'the forms without a date count today');

  // The pile of paper does not put the desk under watch for anyone else: a
  // second post from another source is not flagged desk_rate.
  const other = await submitHeaders(db, desk.centreId, ['api']);
  for (const i of [300, 301]) {
    const res = await app.inject({
      method: 'POST',
      url: RESPONSES,
      headers: other,
      payload: { desk: desk.code, answers: varied(i), submissionId: randomUUID(), channel: 'api' },
    });
    t.equal(res.statusCode, 201);
  }
  const api = (await rowsAt(db, desk.deskId)).filter((r) => r.channel === 'api');
  t.same(
    api.map((r) => r.suspect),
    [false, false],
    'another source at the desk is not flagged for the paper pile',
  );
});

t.test('surveyedOn sets the day; it is only for paper, not in the future, and part of the payload', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const post = poster(app, desk.code, await submitHeaders(db, desk.centreId, ['paper', 'api']));
  const today = todayIso(new Date());

  const id = randomUUID();
  const dated = await post(varied(7), { surveyedOn: '2026-03-15' }, id);
  t.equal(dated.statusCode, 201);
  const [row] = await rowsAt(db, desk.deskId);
  t.equal(row?.submitted_at.toISOString(), '2026-03-15T05:00:00.000Z', 'noon of 15/03/2026 in Vietnam');
  const inMarch = await buildSatisfactionReport(db, everyone, {
    unitId: desk.centreId,
    from: '2026-03-15',
    to: '2026-03-15',
  });
  t.equal(inMarch?.overall.n, 1, 'in the report of 15/03/2026');
  const ofToday = await buildSatisfactionReport(db, everyone, { unitId: desk.centreId, from: today, to: today });
  t.equal(ofToday?.overall.n, 0, 'not in today’s');

  const replay = await post(varied(7), { surveyedOn: '2026-03-15' }, id);
  t.equal(replay.statusCode, 200, 'the same form again: a replay');
  t.equal(replay.json().id, dated.json().id);
  expectApiError(t, await post(varied(7), { surveyedOn: '2026-03-16' }, id), 409, 'submission.conflict');
  expectApiError(t, await post(varied(7), {}, id), 409, 'submission.conflict');

  const refused = async (extra: Record<string, unknown>, message: RegExp) => {
    const body = expectApiError(t, await post(varied(8), extra), 422, 'validation.failed');
    t.equal(body.errors[0]?.path, 'surveyedOn');
    t.match(body.errors[0]?.message.en, message);
  };
  await refused({ channel: 'api', surveyedOn: '2026-03-15' }, /only for paper/);
  const inTwoDays = todayIso(new Date(Date.now() + 2 * 86_400_000));
  await refused({ surveyedOn: inTwoDays }, /future/);
  await refused({ surveyedOn: '1999-12-31' }, /before 2000/);
  await refused({ surveyedOn: '2026-02-30' }, /date/);
  await refused({ surveyedOn: '15/03/2026' }, /date/);

  const apiOnly = poster(app, desk.code, await submitHeaders(db, desk.centreId, ['api']));
  expectApiError(t, await apiOnly(varied(9), { surveyedOn: '2026-03-15' }), 403, 'auth.channel_not_allowed');
  t.equal((await rowsAt(db, desk.deskId)).length, 1, 'nothing else stored');
});

t.test('a key caught on another channel does not flag its paper forms', async (t) => {
  const { app, db } = await testApp(t);
  const desk = await createDesk(db, ['dat-dai']);
  const headers = await submitHeaders(db, desk.centreId, ['paper', 'api']);
  const post = poster(app, desk.code, headers);
  for (let i = 0; i < 3; i++) t.equal((await post(IDENTICAL)).statusCode, 201);
  // The same key then posts the same answers on the api channel: its fifth is
  // a burst (STUFFING_BURST), flagged back to its first. Were the paper forms
  // of the same source, the second would already be one, and reach back to them.
  for (let i = 0; i < 5; i++) t.equal((await post(IDENTICAL, { channel: 'api' })).statusCode, 201);
  const rows = await rowsAt(db, desk.deskId);
  t.same(
    rows.filter((r) => r.channel === 'paper').map((r) => r.suspect),
    Array(3).fill(false),
    'the paper forms stand',
  );
  t.same(
    rows.filter((r) => r.channel === 'api').map((r) => r.suspect_reason),
    Array(5).fill('burst'),
    'the burst on the api channel is flagged, counted without the paper forms',
  );
});
