import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import { addWorkingDays, DEFAULT_DUE_WORKING_DAYS } from '../analysis/local-time.ts';
import { planChange, triageAnswers } from '../server/features/feedback/feedback-rules.ts';
import type { Answer } from '../surveys/answers.ts';
import { comment, HAPPY, ict, scale, setup, withOverall } from './helpers/feedback.ts';
import { VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testConfig } from './helpers/harness.ts';

// Feedback follow-up (PAKN): the answer trigger triages each response (an
// item due after working days in Vietnam, praise, or nothing); managers move
// an item through its statuses with a history (the inbox:
// feedback-inbox.test.ts; praise: feedback-praise.test.ts; the citizen's
// reply and the period figures: feedback-reply.test.ts).

t.test('the triage: what needs handling opens an item, praise goes to its own list, the rest nothing', async (t) => {
  // The citizen below answers at once: no minimum time on the page.
  const { app, db, deskId, respond, items } = await setup(t, { stuffing: { ...testConfig().stuffing, minSeconds: 0 } });
  const lowStaff = withOverall(5).map((a) => (a.key === 'staff' ? scale('staff', 2) : a));
  const noOverall = HAPPY.filter((a) => a.key !== 'overall');
  // One at a time: a bulk insert stores rows in submission id order.
  const each = async (cases: Answer[][]) => {
    for (const answers of cases) await respond([answers]);
  };
  await each([
    [...withOverall(5), comment('Thủ tục nhanh gọn, cảm ơn cán bộ.')],
    withOverall(2),
    [...withOverall(1), comment('Cán bộ không hướng dẫn.')],
    HAPPY,
    withOverall(3),
    withOverall(5),
    [...withOverall(3), comment('Phải chờ hơi lâu.')],
    lowStaff,
    [...withOverall(4), comment('Nên có thêm ghế chờ.')],
    [...noOverall, comment('Không rõ hài lòng hay không.')],
    [...withOverall(5), comment('   ')],
  ]);
  const rows = await items();
  t.same(
    rows.map((r) => [r.kind, r.reason, r.due_at === null]),
    [
      ['praise', 'comment', true],
      ['item', 'low_score', false],
      ['item', 'both', false],
      ['item', 'low_score', false],
      ['item', 'both', false],
      ['item', 'low_score', false],
      ['praise', 'comment', true],
      ['item', 'comment', false],
    ],
    '5/5 praise: no item; overall 3: an item; an item scored 2 with overall 5: an item; a comment without an overall score: an item; nothing for 4–5 without a comment or a blank one',
  );
  t.ok(rows.every((r) => r.status === 'new' && r.desk_id === deskId && r.service_area_code === 'dat-dai'));

  // Through the citizen's form too, in the response's own transaction. It is
  // posted from the desk's page (its render token): a post without one is
  // flagged, and a flagged response opens no item (feedback-suspects.test.ts).
  const desk = await db.selectFrom('desk').select('code').where('id', '=', deskId).executeTakeFirstOrThrow();
  const post = async (answers: Record<string, string>) => {
    const form = await app.inject({ method: 'GET', url: `/q/${desk.code}` });
    const renderToken = /name="renderToken" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const res = await app.inject({
      method: 'POST',
      url: `/q/${desk.code}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        ...answers,
        serviceArea: 'ho-tich',
        submissionId: randomUUID(),
        renderToken,
      }).toString(),
    });
    t.equal(res.statusCode, 200);
  };
  await post(VALID_FORM_ANSWERS); // overall 5 with a thank-you comment
  await post({ ...VALID_FORM_ANSWERS, overall: '3' });
  const after = (await items()).slice(rows.length);
  t.same(
    after.map((r) => [r.kind, r.reason, r.service_area_code]),
    [
      ['praise', 'comment', 'ho-tich'],
      ['item', 'both', 'ho-tich'],
    ],
  );
});

t.test('the SQL triage and triageAnswers() agree on every combination', async (t) => {
  const { db, respond, items } = await setup(t);
  const cases: Answer[][] = [];
  for (const overall of [1, 2, 3, 4, 5, 0]) {
    for (const staff of [1, 2, 3, 4, 5]) {
      for (const text of [null, '  ', 'Ý kiến.']) {
        const answers = HAPPY.flatMap((a): Answer[] => {
          if (a.key === 'overall') return overall ? [scale('overall', overall)] : [{ key: 'overall', kind: 'na' }];
          return [a.key === 'staff' ? scale('staff', staff) : a];
        });
        cases.push(text === null ? answers : [...answers, comment(text)]);
      }
    }
  }
  await respond(cases);
  const responses = await db.selectFrom('response').select('id').orderBy('id').execute();
  const byResponse = new Map((await items()).map((i) => [i.response_id, i]));
  const stored = await db
    .selectFrom('answer')
    .select(['response_id', 'indicator_key as key', 'value_num as valueNum', 'value_text as valueText'])
    .execute();
  let agreed = 0;
  for (const { id } of responses) {
    const expected = triageAnswers(stored.filter((a) => a.response_id === id));
    const row = byResponse.get(id);
    const got = row ? { kind: row.kind, reason: row.reason } : null;
    if (JSON.stringify(got) === JSON.stringify(expected)) agreed += 1;
    else t.fail(`response ${id}: SQL ${JSON.stringify(got)}, TS ${JSON.stringify(expected)}`);
  }
  t.equal(agreed, 90, 'all 90 combinations agree');
  t.ok(
    [...byResponse.values()].some((r) => r.kind === 'praise') &&
      [...byResponse.values()].some((r) => r.kind === 'item'),
  );
});

t.test('the due date counts working days in Vietnam, in SQL and in TypeScript alike', async (t) => {
  const { db, respond, items } = await setup(t);
  t.equal(DEFAULT_DUE_WORKING_DAYS, 5);
  t.equal(
    (await db.selectFrom('feedback_setting').select('due_working_days').executeTakeFirstOrThrow()).due_working_days,
    5,
  );

  await respond([withOverall(1)], { at: ict('2026-11-20T16:00:00') });
  t.same((await items())[0]?.due_at, ict('2026-11-27T16:00:00'), 'Friday 16:00 → the next Friday 16:00');
  t.same(addWorkingDays(ict('2026-11-20T16:00:00'), 5), ict('2026-11-27T16:00:00'));
  t.same(addWorkingDays(ict('2026-11-21T10:00:00'), 5), ict('2026-11-27T10:00:00'), 'Saturday → Friday');
  t.same(
    addWorkingDays(ict('2026-11-23T06:00:00'), 5),
    ict('2026-11-30T06:00:00'),
    'Monday 06:00 in Vietnam is still Sunday in UTC; the Vietnamese day counts',
  );
  t.same(addWorkingDays(ict('2026-11-20T23:30:00'), 1), ict('2026-11-23T23:30:00'), 'late Friday → Monday');

  // The two implementations agree over a fortnight of starting moments.
  const starts: Date[] = [];
  for (let h = 0; h < 14 * 24; h += 5) starts.push(new Date(ict('2026-11-16T00:30:00').getTime() + h * 3_600_000));
  let checked = 0;
  for (const start of starts) {
    for (const days of [0, 1, 2, 4, 5, 6, 10]) {
      const { rows } = await sql<{ due: Date }>`select feedback_add_working_days(${start}, ${days}) as due`.execute(db);
      const expected = addWorkingDays(start, days);
      if (rows[0]?.due.getTime() !== expected.getTime()) {
        t.fail(`${start.toISOString()} + ${days}: SQL ${rows[0]?.due.toISOString()}, TS ${expected.toISOString()}`);
      }
      checked += 1;
    }
  }
  t.ok(checked > 400, `${checked} cases agree`);

  await db.updateTable('feedback_setting').set({ due_working_days: 2 }).execute();
  await respond([withOverall(2)], { at: ict('2026-11-20T09:00:00') });
  t.same((await items())[1]?.due_at, ict('2026-11-24T09:00:00'), 'the setting changes the rule');
});

t.test('a manager follows an item up: statuses, notes, the public answer, the history', async (t) => {
  const { db, respond, items, manager } = await setup(t);
  await respond([[...withOverall(2), comment('Hồ sơ đất đai phải bổ sung <b>nhiều lần</b>.')]], {
    at: ict('2026-11-20T16:00:00'),
  });
  const id = (await items())[0]!.id;
  const url = `/staff/feedback/${id}`;

  const page = await manager.get(url);
  t.equal(page.statusCode, 200);
  t.match(page.body, /Ngày gửi: <strong>20\/11\/2026<\/strong>/, 'the date in Vietnam time');
  t.match(page.body, /Hạn xử lý: <strong>27\/11\/2026<\/strong>/);
  t.match(page.body, /Hồ sơ đất đai phải bổ sung &lt;b&gt;nhiều lần&lt;\/b&gt;\./, 'the comment, escaped');
  t.match(page.body, /Đất đai/);
  t.match(page.body, /Quầy 1 – Đất đai/);
  t.match(page.body, /Nhìn chung, Ông\/Bà hài lòng[^<]*<\/td><td>2 – Không hài lòng/);
  t.match(page.body, /Thủ tục hành chính[^<]*<\/td><td>4 – Hài lòng/);

  const move = (status: string, internalNote: string, publicAnswer: string) =>
    manager.post(url, { status, internalNote, publicAnswer });
  const noAnswer = await move('answered', '', '');
  t.equal(noAnswer.statusCode, 422);
  t.match(noAnswer.body, /Cần có nội dung trả lời công khai/);
  const skip = await move('closed', '', 'Đã xử lý.');
  t.equal(skip.statusCode, 422, 'new → closed is not a move');
  t.match(skip.body, /Không thể chuyển từ «Mới» sang «Đã đóng»/);
  t.match(skip.body, /Đã xử lý\./, 'what was typed is kept');

  const note = 'Chuyển bộ phận địa chính.';
  const take = await move('in_progress', note, '');
  t.equal(take.statusCode, 303);
  t.equal(take.headers.location, `${url}?saved=1`);
  t.equal((await move('in_progress', note, '')).statusCode, 422, 'nothing to save');

  const answer = 'UBND xã đã rà soát quy trình, từ nay hướng dẫn đầy đủ hồ sơ một lần.';
  t.equal((await move('answered', note, answer)).statusCode, 303);
  let row = (await items())[0]!;
  t.equal(row.status, 'answered');
  t.equal(row.public_answer, answer);
  t.ok(row.answered_at, 'answered_at is set');

  t.equal((await move('new', note, answer)).statusCode, 422, 'no way back to new');
  const reply = 'Người dân phản hồi chưa rõ.';
  t.equal((await move('in_progress', reply, answer)).statusCode, 303, 'reopened');
  row = (await items())[0]!;
  t.equal(row.answered_at, null, 'a reopened item is no longer handled');
  t.equal((await move('answered', reply, answer)).statusCode, 303);
  t.equal((await move('closed', reply, answer)).statusCode, 303);
  row = (await items())[0]!;
  t.equal(row.status, 'closed');
  t.ok(row.closed_at && row.answered_at);
  const final = await move('closed', 'Sửa.', answer);
  t.equal(final.statusCode, 422);
  t.match(final.body, /đã đóng/);

  const events = await db
    .selectFrom('feedback_event')
    .selectAll()
    .where('feedback_id', '=', id)
    .orderBy('id')
    .execute();
  t.same(
    events.map((e) => [e.from_status, e.to_status]),
    [
      ['new', 'in_progress'],
      ['in_progress', 'answered'],
      ['answered', 'in_progress'],
      ['in_progress', 'answered'],
      ['answered', 'closed'],
    ],
  );
  t.equal(events[0]?.note, 'Chuyển bộ phận địa chính.');
  t.equal(events[1]?.public_answer_changed, true);
  t.ok(events.every((e) => e.actor_user_id !== null));
  const history = await manager.get(url);
  t.match(history.body, /Chuyển từ «Mới» sang «Đang xử lý»/);
  t.match(history.body, /Cán bộ Thử Nghiệm/);
  t.notMatch(history.body, /<form method="post" action="\/staff\/feedback/, 'a closed item has no form');
  t.match(history.body, /UBND xã đã rà soát quy trình/);
  const audited = await db.selectFrom('audit_event').select('action').where('action', '=', 'feedback.update').execute();
  t.equal(audited.length, 5);
});

t.test('planChange keeps the answer time across edits and drops it on reopening', async (t) => {
  const at = new Date('2026-11-20T02:00:00Z');
  const later = new Date('2026-11-21T02:00:00Z');
  const answered = {
    status: 'answered' as const,
    internalNote: null,
    publicAnswer: 'Đã trả lời.',
    answeredAt: at,
    closedAt: null,
  };
  const edit = planChange(
    answered,
    { status: 'answered', internalNote: '', publicAnswer: 'Đã trả lời, bổ sung.' },
    later,
  );
  t.ok(edit.ok && edit.next.answeredAt === at, 'editing the answer keeps when it was first given');
  const clear = planChange(answered, { status: 'answered', internalNote: '', publicAnswer: '' }, later);
  t.notOk(clear.ok, 'an answered item keeps a public answer');
  const close = planChange(answered, { status: 'closed', internalNote: '', publicAnswer: 'Đã trả lời.' }, later);
  t.ok(close.ok && close.next.closedAt === later && close.next.answeredAt === at);
});
