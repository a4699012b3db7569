import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { insertRound } from '../server/features/rounds/round-repository.ts';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { Role } from '../server/platform/db/schema.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { type StaffClient, staffClient } from './helpers/staff.ts';

// Paper forms of a round typed in twice (issue 16): the entry screen's JSON
// post, the reconciliation list and form, and who may use them.

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const roundId = await insertRound(
    db,
    {
      unitId: mine.communeId,
      code: 'quy-2-2026',
      surveyVersionId: (await latestVersion(db, 'sipas-quick'))!.id,
      fieldworkFrom: '2026-04-01',
      fieldworkTo: '2026-06-30',
      referenceFrom: null,
      referenceTo: null,
      population: 1000,
      populationSource: 'typed',
      margin: 0.05,
      allocation: 'equal',
      quotas: [
        { code: 'dat-dai', quota: 143 },
        { code: 'ho-tich', quota: 143 },
      ],
    },
    null,
  );
  const commune = await unitCode(db, mine.communeId);
  const clerk = (name: string, role: Role = 'staff', unit = commune) => named(app, db, name, role, unit);
  return { app, db, mine, other, roundId, commune, clerk };
}

/** A signed-in account with a name of its own (the reconciliation page names who typed what). */
async function named(app: FastifyInstance, db: Db, name: string, role: Role, unit: string) {
  const client = await staffClient(app, db, { role, unitCode: unit });
  await db.updateTable('app_user').set({ name }).where('email', '=', client.email).execute();
  return client;
}

const postForm = (app: FastifyInstance, client: StaffClient, roundId: number, entry: unknown) =>
  app.inject({
    method: 'POST',
    url: `/staff/rounds/${roundId}/forms`,
    cookies: client.cookies,
    headers: { 'x-csrf-token': client.csrf },
    payload: entry as object,
  });

const entryOf = (unitId: number, serial: number, more: Record<string, unknown> = {}) => ({
  serial,
  surveyedOn: '2026-05-12',
  unitId,
  serviceArea: 'dat-dai',
  answers: { overall: '5', access: '4', feedback: 'na', trips: '1', comment: 'Cán bộ nhiệt tình.' },
  ...more,
});

t.test(
  'two clerks agree: the form counts on the day typed; the same clerk twice and a third entry are refused',
  async (t) => {
    const { app, db, mine, roundId, clerk } = await setup(t);
    const lan = await clerk('Nguyễn Thị Lan');
    const hung = await clerk('Trần Văn Hùng');
    const page = await lan.get(`/staff/rounds/${roundId}/entry?serial=12`);
    t.equal(page.statusCode, 200, 'a clerk of the commune opens the entry screen');
    t.match(page.body, 'Nhập phiếu giấy · Đợt quy-2-2026');
    t.match(page.body, `data-csrf="${lan.csrf}"`);
    t.match(page.body, /id="f-serial"[^>]*value="12"/, 'the serial from the QR link is filled in');
    t.match(page.body, '<li data-digit="0" data-value="na">Không áp dụng</li>');
    t.match(page.body, '<li data-digit="2" data-value="ho-tich">');
    t.match(page.body, '<script src="/static/round-entry.js" defer></script>');
    t.equal((await app.inject('/static/round-entry.js')).statusCode, 200);
    t.equal((await app.inject('/static/round-entry.css')).statusCode, 200);

    const first = await postForm(app, lan, roundId, entryOf(mine.communeId, 12));
    t.equal(first.statusCode, 200);
    t.same(first.json(), { status: 'first' });
    t.equal((await db.selectFrom('response').select('id').execute()).length, 0, 'nothing counts after one entry');
    const again = await postForm(app, lan, roundId, entryOf(mine.communeId, 12));
    t.equal(again.statusCode, 409);
    t.same(again.json(), { status: 'same_clerk' });

    const second = await postForm(app, hung, roundId, entryOf(mine.communeId, 12));
    t.equal(second.statusCode, 200);
    t.same(second.json(), { status: 'counted' });
    const [response] = await db
      .selectFrom('response')
      .select(['round_id', 'submitted_at', 'channel', 'service_area_code', 'unit_id'])
      .execute();
    t.equal(response?.round_id, roundId, 'the response belongs to the round');
    t.equal(response?.submitted_at.toISOString(), '2026-05-12T05:00:00.000Z', 'noon in Vietnam on the day typed');
    t.equal(response?.channel, 'paper');
    t.equal(response?.service_area_code, 'dat-dai');

    const third = await postForm(app, await clerk('Lê Văn Ba'), roundId, entryOf(mine.communeId, 12));
    t.equal(third.statusCode, 409, 'a serial entered a third time');
    t.same(third.json(), { status: 'complete', formStatus: 'counted' });
    t.equal((await db.selectFrom('response').select('id').execute()).length, 1);
  },
);

t.test('entries that differ wait for reconciliation, which counts the paper’s reading', async (t) => {
  const { app, db, mine, roundId, clerk } = await setup(t);
  const lan = await clerk('Nguyễn Thị Lan');
  const hung = await clerk('Trần Văn Hùng');
  const mai = await clerk('Phạm Thị Mai', 'manager');
  t.same((await postForm(app, lan, roundId, entryOf(mine.communeId, 7))).json(), { status: 'first' });
  const differing = entryOf(mine.communeId, 7, {
    surveyedOn: '2026-05-13',
    answers: { overall: '4', access: '4', feedback: 'na', trips: '1', comment: 'Cán bộ nhiệt tình.' },
  });
  const second = await postForm(app, hung, roundId, differing);
  t.equal(second.statusCode, 200);
  t.same(second.json(), { status: 'disagree', fields: ['surveyedOn', 'answers.overall'] });
  t.equal((await db.selectFrom('response').select('id').execute()).length, 0);

  const list = await mai.get(`/staff/rounds/${roundId}/reconcile`);
  t.equal(list.statusCode, 200);
  t.match(list.body, 'Chờ đối chiếu: <strong>1</strong>');
  t.match(list.body, 'Nguyễn Thị Lan');
  t.match(list.body, 'Trần Văn Hùng');
  t.match(list.body, 'Ngày khảo sát; Câu 1 (');
  t.match(list.body, `href="/staff/rounds/${roundId}/reconcile/7"`);

  const form = await mai.get(`/staff/rounds/${roundId}/reconcile/7`);
  t.equal(form.statusCode, 200);
  t.match(form.body, '12/05/2026', "the first clerk's day");
  t.match(form.body, '13/05/2026', "the second clerk's day");
  t.match(form.body, '5 · Rất hài lòng');
  t.match(form.body, '4 · Hài lòng');
  t.match(form.body, /<tr class="differs">/);
  t.match(form.body, /name="answers.access" value="4"/, 'agreed fields are filled in');
  t.match(form.body, /name="answers.overall" value=""/, 'differing ones are left to the reconciler');
  t.match(form.body, /name="serviceArea" value="1"/, 'as the digits printed on paper');

  const typed = {
    surveyedOn: '13/05/2026',
    serviceArea: '1',
    'answers.overall': '9',
    'answers.access': '4',
    'answers.feedback': '0',
    'answers.trips': '1',
    'answers.comment': 'Cán bộ nhiệt tình.',
  };
  const wrong = await mai.post(`/staff/rounds/${roundId}/reconcile/7`, typed);
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, 'Không có ô số 9 ở mục này.');
  t.match(wrong.body, /name="answers.overall" value="9"/, 'what was typed is shown again');

  const done = await mai.post(`/staff/rounds/${roundId}/reconcile/7`, { ...typed, 'answers.overall': '5' });
  t.equal(done.statusCode, 303, done.body.slice(0, 300));
  t.equal(done.headers.location, `/staff/rounds/${roundId}/reconcile?done=7`);
  t.match((await mai.get(String(done.headers.location))).body, 'Đã đối chiếu phiếu số 7: phiếu đã được tính.');
  const [response] = await db.selectFrom('response').select(['round_id', 'submitted_at']).execute();
  t.equal(response?.round_id, roundId);
  t.equal(response?.submitted_at.toISOString(), '2026-05-13T05:00:00.000Z');
  const row = await db.selectFrom('round_form').selectAll().where('serial', '=', 7).executeTakeFirstOrThrow();
  t.equal(row.status, 'counted');
  t.match(row.final_entry, { surveyedOn: '2026-05-13', answers: { overall: '5', feedback: 'na' } });
  t.equal((await mai.get(`/staff/rounds/${roundId}/reconcile/7`)).statusCode, 404, 'nothing left to reconcile');
  const late = await mai.post(`/staff/rounds/${roundId}/reconcile/7`, { ...typed, 'answers.overall': '5' });
  t.equal(late.headers.location, `/staff/rounds/${roundId}/reconcile?gone=7`, 'a second reconciler is told');
});

t.test('what cannot be on a form is refused with Vietnamese messages', async (t) => {
  const { app, mine, roundId, clerk } = await setup(t);
  const lan = await clerk('Nguyễn Thị Lan');
  const problems = async (entry: unknown) => {
    const res = await postForm(app, lan, roundId, entry);
    t.equal(res.statusCode, 422);
    t.equal(res.json().status, 'invalid');
    return Object.fromEntries(
      (res.json().problems as { path: string; message: { vi: string } }[]).map((p) => [p.path, p.message.vi]),
    );
  };
  for (const serial of [0, 100000, -3]) {
    t.same(await problems(entryOf(mine.communeId, serial)), { serial: 'Số phiếu phải là số nguyên từ 1 đến 99999.' });
  }
  t.same(await problems(entryOf(mine.communeId, 3, { surveyedOn: '2026-03-31' })), {
    surveyedOn: 'Ngày khảo sát nằm ngoài thời gian khảo sát của đợt.',
  });
  t.same(await problems(entryOf(mine.communeId, 3, { answers: { overall: '7', trips: 'bon' } })), {
    'answers.overall': 'Lựa chọn không hợp lệ.',
    'answers.trips': 'Lựa chọn không hợp lệ.',
  });
  t.same(await problems(entryOf(mine.communeId, 3, { serviceArea: 'y-te' })), {
    serviceArea: 'Lĩnh vực không có trong kế hoạch của đợt.',
  });
  t.same(await problems(entryOf(mine.communeId + 999, 3)), { unitId: 'Đơn vị không thuộc đợt khảo sát.' });
});

t.test('a clerk of another commune gets a 404 on every route; no token, no entry', async (t) => {
  const { app, db, mine, other, roundId, clerk } = await setup(t);
  const lan = await clerk('Nguyễn Thị Lan');
  t.same((await postForm(app, lan, roundId, entryOf(mine.communeId, 7))).json(), { status: 'first' });
  const hung = await clerk('Trần Văn Hùng');
  await postForm(app, hung, roundId, entryOf(mine.communeId, 7, { serviceArea: 'ho-tich' }));
  const outsider = await clerk('Người Xã Khác', 'staff', await unitCode(db, other.communeId));
  const official = await clerk('Lãnh Đạo Xã Khác', 'official', await unitCode(db, other.communeId));
  for (const who of [outsider, official]) {
    for (const url of ['entry', 'reconcile', 'reconcile/7']) {
      const res = await who.get(`/staff/rounds/${roundId}/${url}`);
      t.equal(res.statusCode, 404, `GET ${url}`);
      t.notMatch(res.body, 'quy-2-2026');
    }
    const posted = await postForm(app, who, roundId, entryOf(mine.communeId, 8));
    t.equal(posted.statusCode, 404, 'POST forms');
    const reconciled = await who.post(`/staff/rounds/${roundId}/reconcile/7`, { serviceArea: '1' });
    t.equal(reconciled.statusCode, 404, 'POST reconcile');
  }
  const noToken = await app.inject({
    method: 'POST',
    url: `/staff/rounds/${roundId}/forms`,
    cookies: lan.cookies,
    payload: entryOf(mine.communeId, 9),
  });
  t.equal(noToken.statusCode, 403, 'a post without the CSRF token is refused');
  const forms = await db.selectFrom('round_form').select(['serial', 'status']).orderBy('serial').execute();
  t.same(forms, [{ serial: 7, status: 'disagree' }], 'nothing else was entered');
  // The province's official reaches the commune's round.
  const province = await clerk('Lãnh Đạo Tỉnh', 'official', await unitCode(db, mine.provinceId));
  t.equal((await province.get(`/staff/rounds/${roundId}/reconcile/7`)).statusCode, 200);
  t.equal((await province.get(`/staff/rounds/${roundId}/reconcile/8`)).statusCode, 404, 'no such form');
  t.equal((await province.get(`/staff/rounds/${roundId}/reconcile/abc`)).statusCode, 404);
});

t.test('a round whose commune serves at two centres asks for the unit, by its digit', async (t) => {
  const { app, db, mine, roundId, clerk } = await setup(t);
  await insertDesk(db, {
    unitId: mine.centreId,
    code: `quay-a-${mine.centreId}`,
    name: 'Quầy A',
    serviceAreas: ['dat-dai'],
  });
  const second = await insertUnit(db, {
    code: `tt2-${mine.centreId}`,
    name: 'Điểm tiếp nhận Tân Hội 2',
    kind: 'centre',
    parent_id: mine.communeId,
  });
  await insertDesk(db, { unitId: second, code: `quay-b-${second}`, name: 'Quầy B', serviceAreas: ['ho-tich'] });
  const lan = await clerk('Nguyễn Thị Lan');
  const page = await lan.get(`/staff/rounds/${roundId}/entry`);
  t.match(page.body, 'data-path="unitId" data-kind="unit"');
  t.match(page.body, `<li data-digit="2" data-value="${second}">Điểm tiếp nhận Tân Hội 2</li>`);
  t.match(page.body, 'data-unit=""', 'no unit is taken for granted');
  t.same((await postForm(app, lan, roundId, entryOf(second, 4))).json(), { status: 'first' });
  const hung = await clerk('Trần Văn Hùng');
  t.same((await postForm(app, hung, roundId, entryOf(mine.centreId, 4))).json(), {
    status: 'disagree',
    fields: ['unitId'],
  });
  const mai = await clerk('Phạm Thị Mai', 'manager');
  const form = await mai.get(`/staff/rounds/${roundId}/reconcile/4`);
  t.match(form.body, '2 · Điểm tiếp nhận Tân Hội 2');
  t.match(form.body, /name="unitId" value=""/);
  const done = await mai.post(`/staff/rounds/${roundId}/reconcile/4`, {
    surveyedOn: '12/05/2026',
    unitId: '2',
    serviceArea: '1',
    'answers.overall': '5',
  });
  t.equal(done.statusCode, 303, done.body.slice(0, 300));
  const response = await db.selectFrom('response').select('unit_id').executeTakeFirstOrThrow();
  t.equal(response.unit_id, second, 'counted at the unit read from the paper');
});

t.test(
  "a centre's clerk enters the commune round's forms for the centre alone, under the printed digits",
  async (t) => {
    const { app, db, mine, roundId, clerk } = await setup(t);
    await insertDesk(db, {
      unitId: mine.centreId,
      code: `quay-a-${mine.centreId}`,
      name: 'Quầy A',
      serviceAreas: ['dat-dai'],
    });
    const second = await insertUnit(db, {
      code: `tt2-${mine.centreId}`,
      name: 'Điểm tiếp nhận Tân Hội 2',
      kind: 'centre',
      parent_id: mine.communeId,
    });
    await insertDesk(db, { unitId: second, code: `quay-b-${second}`, name: 'Quầy B', serviceAreas: ['ho-tich'] });
    const centreClerk = await clerk('Lê Văn Tâm', 'staff', await unitCode(db, second));
    // Its list shows the commune's round, for entry; the round's own page stays the commune's.
    const list = await centreClerk.get('/staff/rounds');
    t.match(list.body, `href="/staff/rounds/${roundId}/entry"`);
    t.notMatch(list.body, `href="/staff/rounds/${roundId}">Xem`);
    t.equal((await centreClerk.get(`/staff/rounds/${roundId}`)).statusCode, 404);
    const page = await centreClerk.get(`/staff/rounds/${roundId}/entry`);
    t.equal(page.statusCode, 200);
    t.match(page.body, `data-unit="${second}"`, 'its one unit is taken for granted');
    t.notMatch(page.body, 'data-path="unitId"', 'nothing to choose');
    t.same((await postForm(app, centreClerk, roundId, entryOf(second, 11))).json(), { status: 'first' });
    const elsewhere = await postForm(app, centreClerk, roundId, entryOf(mine.centreId, 12));
    t.equal(elsewhere.statusCode, 422, "another centre's form is not this clerk's to enter");
    t.match(elsewhere.json().problems, [{ path: 'unitId' }]);
    // The printed form numbers both units, as the commune's clerks type them.
    const pdf = await clerk('Nguyễn Thị Lan').then((lan) => lan.get(`/staff/rounds/${roundId}/blank.pdf`));
    t.equal(pdf.statusCode, 200);
    const text = pdfText(pdf.rawPayload);
    t.match(text, 'Nơi giao dịch');
    t.match(text, 'Điểm tiếp nhận Tân Hội 2');
  },
);
