import { randomBytes, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { findDeviceByTokenHash, type KioskDevice } from '../server/features/kiosk/kiosk-device-repository.ts';
import {
  type KioskAnswerInput,
  kioskSurvey,
  submitKioskAnswer,
} from '../server/features/kiosk/kiosk-submission-service.ts';
import { buildSatisfactionReport } from '../server/features/reports/report-service.ts';
import { REASON_VI } from '../server/features/submission/stuffing-rules.ts';
import { suspectReview } from '../server/features/suspects/suspect-review-service.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testConfig, testDatabase } from './helpers/harness.ts';

// A counter tablet's answers (issue 15), sent straight to the service as the
// tablet's sync route does: stored once against the counter survey on the day
// they were given; an invitation verifies one answer; the device is the
// source of the integrity checks, so a busy honest counter passes and a
// tablet tapped faster than citizens can queue is flagged kiosk_rapid.

const config = testConfig();
const ADMIN: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'thử' };
const MINUTE = 60_000;

async function pairedDevice(db: Db, deskId: number): Promise<KioskDevice> {
  const tokenHash = randomBytes(16).toString('hex');
  await db.insertInto('kiosk_device').values({ desk_id: deskId, token_hash: tokenHash }).execute();
  return (await findDeviceByTokenHash(db, tokenHash))!;
}

async function setup(t: Test, areas = ['ho-tich']) {
  const { db } = await testDatabase(t);
  const desk = await createDesk(db, areas);
  const device = await pairedDevice(db, desk.deskId);
  return { db, desk, device };
}

const answer = (
  at: Date,
  answers: KioskAnswerInput['answers'] = { overall: 5 },
  more: Partial<KioskAnswerInput> = {},
) => ({ submissionId: randomUUID(), answers, answeredAt: at.toISOString(), locale: 'vi', ...more }) as KioskAnswerInput;

const stored = (db: Db) =>
  db
    .selectFrom('response')
    .select(['id', 'submitted_at', 'suspect', 'suspect_reason', 'verified', 'channel', 'kiosk_device_id'])
    .orderBy('submitted_at')
    .orderBy('id')
    .execute();

/** Honest answers: most satisfied, some not, the unhappy ones saying why. */
function honestAnswers(i: number): KioskAnswerInput['answers'] {
  const overall = [5, 4, 5, 5, 3, 4, 5, 2, 5, 4][i % 10]!;
  if (overall > 3) return { overall };
  return { overall, disappointed: i % 2 ? 'access' : 'procedure', ...(i % 3 ? { comment: 'Chờ lâu quá.' } : {}) };
}

t.test('an answer is stored once, against the counter survey, at the desk of the device', async (t) => {
  const { db, desk, device } = await setup(t);
  const at = new Date(Date.now() - 5 * MINUTE);
  const input = answer(at, { overall: 2, disappointed: 'staff', comment: 'Cán bộ chưa hướng dẫn rõ.' });
  const first = await submitKioskAnswer(db, config, device, input);
  t.equal(first.status, 'created');
  const again = await submitKioskAnswer(db, config, device, { ...input });
  t.same(
    again,
    { status: 'replayed', id: 'id' in first ? first.id : '' },
    'a re-send after a lost reply: the same row',
  );
  const other = await submitKioskAnswer(db, config, device, { ...input, answers: { overall: 5 } });
  t.same(other, { status: 'conflict' }, 'the same id with other answers');

  const rows = await db
    .selectFrom('response as r')
    .innerJoin('survey_version as v', 'v.id', 'r.survey_version_id')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select(['r.channel', 'r.desk_id', 'r.unit_id', 'r.kiosk_device_id', 'r.submitted_at', 's.code', 'r.suspect'])
    .execute();
  t.equal(rows.length, 1, 'stored exactly once');
  t.match(rows[0], {
    channel: 'kiosk',
    desk_id: desk.deskId,
    unit_id: desk.centreId,
    kiosk_device_id: device.id,
    code: 'sipas-counter',
    suspect: false,
  });
  t.equal(rows[0]?.submitted_at.getTime(), at.getTime(), 'counted when it was answered');
  const answers = await db.selectFrom('answer').select(['indicator_key', 'value_num', 'value_option']).execute();
  t.same(answers.map((a) => a.indicator_key).sort(), ['comment', 'disappointed', 'overall']);
  const device2 = await db.selectFrom('kiosk_device').select('last_answered_at').executeTakeFirstOrThrow();
  t.equal(device2.last_answered_at?.getTime(), at.getTime(), 'the device remembers its last answer');
});

t.test('the device time is clamped to the last 14 days and never ahead of now', async (t) => {
  const { db, device } = await setup(t);
  const now = new Date();
  const cases = [
    [new Date(now.getTime() - 3 * 86_400_000), new Date(now.getTime() - 3 * 86_400_000)],
    [new Date(now.getTime() - 20 * 86_400_000), new Date(now.getTime() - 14 * 86_400_000)],
    [new Date(now.getTime() + 3_600_000), now],
  ] as const;
  for (const [answeredAt, expected] of cases) {
    const input = answer(answeredAt);
    t.equal((await submitKioskAnswer(db, config, device, input, now)).status, 'created');
    const row = await db
      .selectFrom('response')
      .select('submitted_at')
      .where('submission_id', '=', input.submissionId)
      .executeTakeFirstOrThrow();
    t.equal(row.submitted_at.toISOString(), expected.toISOString(), `${answeredAt.toISOString()} counts as expected`);
  }
  const offset = await submitKioskAnswer(db, config, device, {
    ...answer(now),
    answeredAt: '2026-12-05T09:30:00+07:00',
  });
  t.equal(offset.status, 'created', 'an offset other than Z is read as given');
});

t.test('invalid answers are refused with the words the citizen reads, and nothing is stored', async (t) => {
  const { db, device } = await setup(t, ['ho-tich', 'dat-dai']);
  const at = new Date();
  const res = await submitKioskAnswer(
    db,
    config,
    device,
    answer(at, { overall: 7, disappointed: 'weather', unknown: 'x' }, { serviceArea: 'xay-dung' }),
  );
  t.equal(res.status, 'invalid');
  const errors = res.status === 'invalid' ? res.errors : [];
  t.same(
    errors.map((e) => [e.path, e.code]),
    [
      ['serviceArea', 'service_area.not_served'],
      ['answers.unknown', 'answer.unknown_question'],
      ['answers.overall', 'answer.invalid_value'],
      ['answers.disappointed', 'answer.invalid_value'],
    ],
  );
  t.equal(errors[0]?.message.vi, 'Quầy này không phục vụ lĩnh vực đã chọn.');
  t.equal(errors[2]?.message.vi, 'Lựa chọn không hợp lệ.');

  const missing = await submitKioskAnswer(db, config, device, answer(at, { comment: 'Tốt' }));
  t.same(
    missing.status === 'invalid' ? missing.errors.map((e) => [e.path, e.code, e.message.vi]) : [],
    [
      ['serviceArea', 'service_area.required', 'Ông/Bà vui lòng chọn lĩnh vực đã giao dịch.'],
      ['answers.overall', 'answer.required', 'Ông/Bà vui lòng trả lời câu hỏi này.'],
    ],
    'a desk of two areas needs the area; the overall item is required',
  );
  const badIds = await submitKioskAnswer(db, config, device, {
    ...answer(at, { overall: 4 }, { serviceArea: 'dat-dai' }),
    submissionId: 'not-a-uuid',
    answeredAt: 'hôm qua',
  });
  t.same(badIds.status === 'invalid' ? badIds.errors.map((e) => [e.path, e.code]) : [], [
    ['submissionId', 'validation.invalid_format'],
    ['answeredAt', 'validation.invalid_format'],
  ]);
  t.equal((await stored(db)).length, 0, 'nothing stored');
  const ok = await submitKioskAnswer(db, config, device, answer(at, { overall: 4 }, { serviceArea: 'dat-dai' }));
  t.equal(ok.status, 'created', 'the same desk takes a valid one');
});

t.test('an invitation verifies one answer at its own desk while it is open', async (t) => {
  const { db, desk, device } = await setup(t);
  const other = await createDesk(db, ['ho-tich']);
  const invite = async (deskId: number, minutes = 10, area = 'ho-tich') =>
    (
      await db
        .insertInto('kiosk_invitation')
        .values({
          desk_id: deskId,
          service_area_code: area,
          expires_at: new Date(Date.now() + minutes * MINUTE),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const open = await invite(desk.deskId);
  const expired = await invite(desk.deskId, -1);
  const elsewhere = await invite(other.deskId);
  const otherArea = await invite(desk.deskId, 10, 'dat-dai');
  // A minute apart, so that none is flagged for its pace.
  const base = Date.now() - 10 * MINUTE;
  const send = async (i: number, invitationId: string) => {
    const input = answer(new Date(base + i * MINUTE), { overall: 4 }, { invitationId });
    const res = await submitKioskAnswer(db, config, device, input);
    t.equal(res.status, 'created', `answer ${i} stored`);
    return (await db
      .selectFrom('response')
      .select(['verified', 'suspect'])
      .where('submission_id', '=', input.submissionId)
      .executeTakeFirstOrThrow()) as { verified: boolean; suspect: boolean };
  };
  t.same(await send(0, open), { verified: true, suspect: false }, 'the open invitation: verified');
  t.same(await send(1, open), { verified: false, suspect: false }, 'used again: stored, unverified');
  t.same(await send(2, expired), { verified: false, suspect: false }, 'expired: stored, unverified');
  t.same(await send(3, elsewhere), { verified: false, suspect: false }, "another desk's: stored, unverified");
  t.same(await send(4, 'abc'), { verified: false, suspect: false }, 'not an invitation id: stored, unverified');
  t.same(await send(5, otherArea), { verified: false, suspect: false }, "another area's: stored, unverified");

  const invitations = await db
    .selectFrom('kiosk_invitation')
    .select(['id', 'used_at', 'used_by_device_id'])
    .orderBy('id')
    .execute();
  t.same(
    invitations.map((i) => [i.id, i.used_at !== null, i.used_by_device_id]),
    [
      [open, true, device.id],
      [expired, false, null],
      [elsewhere, false, null],
      [otherArea, false, null],
    ],
    'only the open invitation is used, by this device',
  );
});

t.test('60 honest ratings in an hour at one desk: none flagged', async (t) => {
  const { db, device } = await setup(t);
  const start = Date.now() - 60 * MINUTE;
  for (let i = 0; i < 60; i++) {
    const at = new Date(start + i * MINUTE + (i % 7) * 1000);
    const res = await submitKioskAnswer(
      db,
      config,
      device,
      answer(at, honestAnswers(i)),
      new Date(at.getTime() + 1500),
    );
    t.equal(res.status, 'created');
  }
  // A tablet back online sends its queue at once: answers given 20 s apart two hours ago.
  const queued = Date.now() - 120 * MINUTE;
  for (let i = 0; i < 15; i++) {
    const res = await submitKioskAnswer(db, config, device, answer(new Date(queued + i * 20_000), honestAnswers(i)));
    t.equal(res.status, 'created');
  }
  const rows = await stored(db);
  t.equal(rows.length, 75);
  t.same(
    rows.filter((r) => r.suspect || r.suspect_reason),
    [],
    'none flagged',
  );
  t.same(await db.selectFrom('desk_watch').selectAll().execute(), [], 'the desk was never under watch');
});

t.test('a busy counter, one citizen every 20 s for ten minutes: none flagged (no per-source limit)', async (t) => {
  const { db, device } = await setup(t);
  const start = Date.now() - 10 * MINUTE;
  for (let i = 0; i < 30; i++) {
    const at = new Date(start + i * 20_000);
    await submitKioskAnswer(db, config, device, answer(at, honestAnswers(i)), new Date(at.getTime() + 1000));
  }
  const rows = await stored(db);
  t.equal(rows.length, 30);
  t.same(
    rows.filter((r) => r.suspect_reason),
    [],
  );
});

t.test('20 ratings within a minute from one device: kiosk_rapid, out of the report, listed for review', async (t) => {
  const { db, desk, device } = await setup(t);
  const start = Date.now() - 2 * MINUTE;
  for (let i = 0; i < 20; i++) {
    const at = new Date(start + i * 3000);
    const res = await submitKioskAnswer(db, config, device, answer(at, { overall: 5 }), new Date(at.getTime() + 500));
    t.equal(res.status, 'created', 'stored, never dropped');
  }
  const rows = await stored(db);
  t.same(
    rows.map((r) => r.suspect_reason),
    [null, ...Array(19).fill('kiosk_rapid')],
    'all but the first flagged',
  );

  const now = new Date();
  const report = await buildSatisfactionReport(db, ADMIN, {
    unitId: desk.communeId,
    from: todayIso(new Date(now.getTime() - 86_400_000)),
    to: todayIso(now),
  });
  t.equal(report?.overall.n, 1, 'only the first counts');
  t.equal(report?.flaggedExcluded, 19, 'the flagged ones are shown as excluded');

  const review = await suspectReview(db, ADMIN, { filter: 'pending', deskId: desk.deskId });
  t.equal(review.total, 19);
  const group = review.desks[0]?.groups[0];
  t.equal(group?.reason, 'kiosk_rapid');
  t.same(group?.reasonWords, [REASON_VI.kiosk_rapid], 'in words an official reads');
  t.equal(group?.ids.length, 19);
});

t.test('two answers of one tablet sent at the same moment cannot both pass', async (t) => {
  const { db, device } = await setup(t);
  const at = new Date(Date.now() - MINUTE);
  const results = await Promise.all(
    [0, 1].map((i) => submitKioskAnswer(db, config, device, answer(at, { overall: 4 + i }))),
  );
  t.same(
    results.map((r) => r.status),
    ['created', 'created'],
  );
  t.same((await stored(db)).map((r) => r.suspect_reason).sort(), ['kiosk_rapid', null], 'one of the two is flagged');
});

t.test('the tablet gets its desk, areas, idle time and the counter survey', async (t) => {
  const { db, desk, device } = await setup(t, ['ho-tich', 'dat-dai']);
  const s = await kioskSurvey(db, device);
  t.match(s, {
    desk: { code: desk.code, name: 'Quầy 1' },
    unitName: /^Trung tâm Phục vụ hành chính công/,
    idleSeconds: 10,
    followUpAtMost: 3,
    survey: { code: 'sipas-counter', version: 1 },
  });
  t.same(s?.serviceAreas.map((a) => a.code).sort(), ['dat-dai', 'ho-tich']);
  t.same(
    s?.survey.questions.map((q) => [q.key, q.values]),
    [
      ['overall', [1, 2, 3, 4, 5]],
      ['disappointed', ['access', 'procedure', 'staff', 'result', 'feedback']],
      ['comment', undefined],
    ],
  );
  const version = await db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select('v.id')
    .where('s.code', '=', 'sipas-counter')
    .executeTakeFirstOrThrow();
  t.equal(s?.survey.versionId, version.id);
});
