import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { SHIPPED_SURVEYS } from '../surveys/instruments.ts';
import { questionsOf, type SurveyDefinition, SurveyDefinitionSchema } from '../surveys/schema.ts';
import { wordingChanges } from '../surveys/wording-changes.ts';
import { createCentre, unitCode, VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { formBody, type StaffClient, staffClient } from './helpers/staff.ts';

// Survey versions as an administrator publishes them and a manager assigns them: validated by the
// definitions schema, keys keeping their type and factor, old versions and
// the responses pinned to them untouched, assignments only within scope.

const QUICK = SHIPPED_SURVEYS.find((s) => s.code === 'sipas-quick')!;
const NEW_STAFF_WORDING = 'Thái độ, hướng dẫn của công chức tiếp nhận hồ sơ';

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const desk = await insertDesk(db, {
    unitId: mine.centreId,
    code: `tan-hoi-q1-${mine.centreId}`,
    name: 'Quầy Tân Hội',
    serviceAreas: ['dat-dai'],
  });
  const deskCode = `tan-hoi-q1-${mine.centreId}`;
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  // Surveys are shared by every unit, so only an administrator publishes.
  const admin = await staffClient(app, db, { role: 'admin' });
  return { app, db, mine, other, desk, deskCode, manager, admin };
}

/** The JSON the publish page offers, as a browser would post it back. */
async function offeredDefinition(client: StaffClient, code = 'sipas-quick'): Promise<SurveyDefinition> {
  const page = await client.get(`/staff/surveys/${code}/publish`);
  const raw = /<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)?.[1] ?? '';
  const text = raw
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  return JSON.parse(text);
}

function reworded(def: SurveyDefinition, key: string, vi: string): SurveyDefinition {
  const copy = structuredClone(def);
  for (const s of copy.sections) for (const q of s.questions) if (q.key === key) q.text.vi = vi;
  return copy;
}

const versionsOf = (db: Db, code = 'sipas-quick') =>
  db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select(['v.id', 'v.version', 'v.definition', 'v.published_by', 'v.wording_changed_keys'])
    .where('s.code', '=', code)
    .orderBy('v.version')
    .execute();

/** Every scale item of the full survey rated 4. */
const FULL_ANSWERS = Object.fromEntries(
  questionsOf(SHIPPED_SURVEYS.find((s) => s.code === 'sipas-full')!)
    .filter((q) => q.type === 'scale')
    .map((q) => [q.key, '4']),
);

async function answer(app: FastifyInstance, deskCode: string, answers = VALID_FORM_ANSWERS) {
  const res = await app.inject({
    method: 'POST',
    url: `/q/${deskCode}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ ...answers, submissionId: randomUUID() }),
  });
  if (res.statusCode !== 200) throw new Error(`survey post: ${res.statusCode}`);
}

t.test('publishing a re-worded version: version 2 exists, version 1 unchanged, the change shown', async (t) => {
  const { db, admin, manager } = await setup(t);
  const offered = await offeredDefinition(admin);
  t.same(offered, QUICK, 'the publish form starts from the latest definition');

  const res = await admin.post('/staff/surveys/sipas-quick/publish', {
    definition: JSON.stringify(reworded(offered, 'staff', NEW_STAFF_WORDING), null, 2),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/staff/surveys/sipas-quick?version=2');

  const [v1, v2, more] = await versionsOf(db);
  t.same(v1?.definition, QUICK, 'version 1 is untouched');
  t.equal(v1?.published_by, null);
  t.equal(v2?.version, 2);
  t.same(v2?.wording_changed_keys, ['staff'], 'the re-worded key is recorded');
  t.ok(v2?.published_by, 'who published is recorded');
  t.notOk(more);

  const page = await manager.get('/staff/surveys/sipas-quick');
  t.equal(page.statusCode, 200);
  t.match(page.body, /Phiên bản <strong>2<\/strong> \(đang dùng\)/);
  t.match(page.body, /<code>staff<\/code><br><span class="badge">Đổi lời<\/span>/, 'the change sits beside the key');
  t.match(page.body, NEW_STAFF_WORDING);
  t.match(page.body, 'Lời ở phiên bản 1: Công chức tiếp nhận, giải quyết hồ sơ', 'the old wording is shown');
  t.notMatch(page.body, /<code>access<\/code><br><span class="badge">Đổi lời/, 'an unchanged key is not flagged');
  const old = await manager.get('/staff/surveys/sipas-quick?version=1');
  t.match(old.body, 'Đây là phiên bản đầu tiên');
  t.notMatch(old.body, NEW_STAFF_WORDING);

  const list = await manager.get('/staff/surveys');
  t.match(
    list.body,
    /Phiên bản 2<\/a><\/td>\s*<td>\d{2}\/\d{2}\/\d{4}<\/td>\s*<td>Cán bộ Thử Nghiệm<\/td>\s*<td>staff<\/td>/,
  );
  t.match(list.body, 'sipas-full', 'every survey is listed');

  const audit = await db.selectFrom('audit_event').selectAll().where('action', '=', 'survey.publish').execute();
  t.equal(audit.length, 1);
  t.match(audit[0]?.detail, { survey: 'sipas-quick', version: 2, wordingChanged: ['staff'] });
});

t.test('invalid definitions are refused with Vietnamese messages, the text kept, nothing published', async (t) => {
  const { db, admin } = await setup(t);
  const base = await offeredDefinition(admin);
  const post = (definition: string) => admin.post('/staff/surveys/sipas-quick/publish', { definition });

  const broken = '{"code": "sipas-quick",\n  "title": }';
  const json = await post(broken);
  t.equal(json.statusCode, 422);
  t.match(json.body, 'Nội dung không phải JSON hợp lệ: lỗi ở dòng 2');
  t.match(json.body, '{&quot;code&quot;: &quot;sipas-quick&quot;,\n  &quot;title&quot;: }', 'what was typed is kept');

  const bad = structuredClone(base) as unknown as { sections: { questions: Record<string, unknown>[] }[] };
  bad.sections[0]!.questions[1]!.text = { vi: ' ', en: 'x' };
  bad.sections[0]!.questions[2]!.key = 'access';
  const schema = await post(JSON.stringify(bad));
  t.equal(schema.statusCode, 422);
  t.match(
    schema.body,
    /sections\.0\.questions\.1\.text\.vi \(câu &quot;procedure&quot;\)<\/code>: Không được để trống\./,
  );
  t.match(schema.body, /sections\.0\.questions\.2\.key<\/code>: Mã chỉ số &quot;access&quot; bị trùng\./);

  const typeChange = structuredClone(base);
  typeChange.sections[0]!.questions[2] = {
    type: 'choice',
    key: 'staff',
    required: false,
    text: { vi: 'Công chức có tận tình không?', en: 'Was the official helpful?' },
    options: [
      { code: 'yes', text: { vi: 'Có', en: 'yes' } },
      { code: 'no', text: { vi: 'Không', en: 'no' } },
    ],
  };
  const type = await post(JSON.stringify(typeChange));
  t.equal(type.statusCode, 422);
  t.match(type.body, 'Mã chỉ số &quot;staff&quot; là câu hỏi loại &quot;Thang 5 mức&quot; ở phiên bản 1');

  const choiceToText = structuredClone(base);
  const trips = choiceToText.sections[2]!.questions[0]!;
  choiceToText.sections[2]!.questions[0] = {
    type: 'text',
    key: trips.key,
    text: trips.text,
    maxLength: 50,
    required: false,
  };
  const text = await post(JSON.stringify(choiceToText));
  t.equal(text.statusCode, 422);
  t.match(text.body, 'Mã chỉ số &quot;trips&quot; là câu hỏi loại &quot;Chọn một&quot;');

  // The schema allows a scale item without a factor; across versions it would
  // move the key's answers out of the factor's results.
  const factorChange = structuredClone(base);
  const access = factorChange.sections[0]!.questions[0]!;
  if (access.type === 'scale') delete access.factor;
  const factor = await post(JSON.stringify(factorChange));
  t.equal(factor.statusCode, 422);
  t.match(factor.body, 'Mã chỉ số &quot;access&quot; thuộc &quot;Tiếp cận dịch vụ&quot; ở phiên bản 1');

  const renamed = await post(JSON.stringify({ ...base, code: 'sipas-moi' }));
  t.equal(renamed.statusCode, 422);
  t.match(renamed.body, 'Mã phiếu phải giữ nguyên là &quot;sipas-quick&quot;.');

  const same = await post(JSON.stringify(base));
  t.equal(same.statusCode, 422);
  t.match(same.body, 'Nội dung giống hệt phiên bản 1');

  t.equal((await versionsOf(db)).length, 1, 'nothing was published');
  const published = await db.selectFrom('audit_event').select('id').where('action', '=', 'survey.publish').execute();
  t.equal(published.length, 0);
});

t.test('new responses go to the new version; earlier ones stay pinned to theirs', async (t) => {
  const { app, db, deskCode, admin } = await setup(t);
  await answer(app, deskCode);
  const def = await offeredDefinition(admin);
  const res = await admin.post('/staff/surveys/sipas-quick/publish', {
    definition: JSON.stringify(reworded(def, 'access', 'Nơi đón tiếp, chỗ ngồi chờ, trang thiết bị')),
  });
  t.equal(res.statusCode, 303);
  const page = await app.inject({ url: `/q/${deskCode}` });
  t.match(page.body, 'Nơi đón tiếp, chỗ ngồi chờ, trang thiết bị', 'citizens see the new wording');
  await answer(app, deskCode);

  const [v1, v2] = await versionsOf(db);
  const responses = await db.selectFrom('response').select('survey_version_id').orderBy('id').execute();
  t.same(
    responses.map((r) => r.survey_version_id),
    [v1?.id, v2?.id],
  );
  t.same(v1?.definition, QUICK);
});

t.test('two publishes at once become versions 2 and 3', async (t) => {
  const { db, admin } = await setup(t);
  const def = await offeredDefinition(admin);
  const results = await Promise.all(
    ['Lời thứ nhất', 'Lời thứ hai'].map((vi) =>
      admin.post('/staff/surveys/sipas-quick/publish', { definition: JSON.stringify(reworded(def, 'result', vi)) }),
    ),
  );
  t.same(
    results.map((r) => r.statusCode),
    [303, 303],
  );
  t.same(
    (await versionsOf(db)).map((v) => v.version),
    [1, 2, 3],
  );
});

t.test('assignment: desk, then the nearest unit above (area only at a single-area desk), then default', async (t) => {
  const { app, db, mine, desk, deskCode, manager } = await setup(t);
  await insertDesk(db, {
    unitId: mine.centreId,
    code: `tan-hoi-q2-${mine.centreId}`,
    name: 'Quầy 2',
    serviceAreas: ['dat-dai', 'xay-dung'],
  });
  const surveyAt = async (code: string) => {
    const body = (await app.inject({ url: `/q/${code}` })).body;
    return body.includes('name="access.seats"') ? 'sipas-full' : body.includes('name="access"') ? 'sipas-quick' : '?';
  };
  const multi = `tan-hoi-q2-${mine.centreId}`;
  t.equal(await surveyAt(deskCode), 'sipas-quick', 'the default');

  const admin = await staffClient(app, db, { role: 'admin' });
  let res = await admin.post('/staff/surveys/sipas-full/assign', { unitId: String(mine.communeId), serviceArea: '' });
  t.equal(res.statusCode, 303);
  t.equal(await surveyAt(deskCode), 'sipas-full', 'the commune’s choice reaches its desks');
  t.equal(await surveyAt(multi), 'sipas-full');
  res = await admin.post('/staff/surveys/sipas-quick/assign', { unitId: String(mine.communeId), serviceArea: '' });
  t.equal(await surveyAt(deskCode), 'sipas-quick', 'a new choice for the same unit and areas replaces the old');
  res = await admin.post('/staff/surveys/sipas-full/assign', { unitId: String(mine.communeId), serviceArea: '' });
  const communeRows = await db
    .selectFrom('survey_assignment')
    .select('service_area_code')
    .where('unit_id', '=', mine.communeId)
    .execute();
  t.same(communeRows, [{ service_area_code: null }], 'one row per unit and area, "all areas" included');

  res = await manager.post('/staff/surveys/sipas-quick/assign', { unitId: String(mine.centreId), serviceArea: '' });
  t.equal(res.statusCode, 303);
  t.equal(await surveyAt(deskCode), 'sipas-quick', 'the nearer unit wins');

  res = await manager.post('/staff/surveys/sipas-full/assign', {
    unitId: String(mine.centreId),
    serviceArea: 'dat-dai',
  });
  t.equal(res.statusCode, 303);
  t.equal(await surveyAt(deskCode), 'sipas-full', 'an area assignment holds at a desk serving only that area');
  t.equal(await surveyAt(multi), 'sipas-quick', 'a desk serving several areas uses the all-area choice');

  res = await manager.post('/staff/surveys/sipas-quick/assign', { deskId: String(desk) });
  t.equal(res.statusCode, 303);
  t.equal(await surveyAt(deskCode), 'sipas-quick', 'the desk’s own choice comes first');
  const page = await manager.get('/staff/surveys/sipas-quick');
  t.match(page.body, /Quầy được giao riêng phiếu này[\s\S]*Quầy Tân Hội/);

  res = await manager.post('/staff/surveys/sipas-quick/unassign', { deskId: String(desk) });
  t.equal(res.statusCode, 303);
  t.equal(await surveyAt(deskCode), 'sipas-full', 'taking the desk’s choice back hands it to the units');
  await answer(app, deskCode, FULL_ANSWERS);
  const stored = await db
    .selectFrom('response as r')
    .innerJoin('survey_version as v', 'v.id', 'r.survey_version_id')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select('s.code')
    .executeTakeFirstOrThrow();
  t.equal(stored.code, 'sipas-full', 'the response is stored against the assigned survey');

  const bad = await manager.post('/staff/surveys/sipas-full/assign', {
    unitId: String(mine.centreId),
    serviceArea: 'khong-co',
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Lĩnh vực đã chọn không có trong danh mục.');
  const audit = await db.selectFrom('audit_event').select('action').where('action', 'like', 'survey.%').execute();
  t.same(
    audit.map((a) => a.action),
    [
      'survey.assign',
      'survey.assign',
      'survey.assign',
      'survey.assign',
      'survey.assign',
      'survey.assign',
      'survey.unassign',
    ],
  );
});

t.test('staff, officials and managers read surveys but cannot publish; only managers assign', async (t) => {
  const { app, db, mine } = await setup(t);
  for (const role of ['staff', 'official', 'manager'] as const) {
    const code = await unitCode(db, role === 'official' ? mine.communeId : mine.centreId);
    const client = await staffClient(app, db, { role, unitCode: code });
    const page = await client.get('/staff/surveys/sipas-quick');
    t.equal(page.statusCode, 200, `${role} may preview`);
    t.notMatch(page.body, 'Phát hành phiên bản mới', 'no publish button');
    if (role !== 'manager') t.notMatch(page.body, '/assign', 'no assignment forms');
    t.equal((await client.get('/staff/surveys/sipas-quick/publish')).statusCode, 403);
    const post = await client.post('/staff/surveys/sipas-quick/publish', {
      definition: JSON.stringify(reworded(QUICK, 'staff', NEW_STAFF_WORDING)),
    });
    t.equal(post.statusCode, 403, `${role} cannot publish`);
    if (role !== 'manager') {
      const assign = await client.post('/staff/surveys/sipas-full/assign', { unitId: String(mine.centreId) });
      t.equal(assign.statusCode, 403, `${role} cannot assign`);
    }
  }
  t.equal((await versionsOf(db)).length, 1);
  t.equal((await db.selectFrom('survey_assignment').selectAll().execute()).length, 0);
});

t.test('another commune’s manager gets 404 for our units and desks and does not see them', async (t) => {
  const { app, db, mine, other, desk } = await setup(t);
  const stranger = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.communeId) });
  const before = await db.selectFrom('desk').select(['id', 'survey_id']).orderBy('id').execute();

  for (const [path, fields] of [
    ['/staff/surveys/sipas-full/assign', { unitId: String(mine.centreId), serviceArea: '' }],
    ['/staff/surveys/sipas-full/assign', { unitId: String(mine.communeId), serviceArea: 'dat-dai' }],
    ['/staff/surveys/sipas-full/assign', { deskId: String(desk) }],
    ['/staff/surveys/sipas-full/unassign', { deskId: String(desk) }],
    ['/staff/surveys/sipas-full/unassign', { unitId: String(mine.centreId), serviceArea: '' }],
    ['/staff/surveys/sipas-full/assign', { unitId: '999999' }],
    ['/staff/surveys/sipas-full/assign', { deskId: 'abc' }],
    ['/staff/surveys/khong-co/assign', { unitId: String(other.centreId) }],
  ] as const) {
    const res = await stranger.post(path, fields);
    t.equal(res.statusCode, 404, `${path} ${JSON.stringify(fields)}`);
  }
  t.equal((await db.selectFrom('survey_assignment').selectAll().execute()).length, 0);
  t.same(await db.selectFrom('desk').select(['id', 'survey_id']).orderBy('id').execute(), before);

  const page = await stranger.get('/staff/surveys/sipas-full');
  t.equal(page.statusCode, 200, 'the shared surveys are visible to everyone signed in');
  t.notMatch(page.body, 'Tân Hội', 'our units and desks are not offered');
  t.notMatch(page.body, `value="${desk}"`);
  t.match(page.body, 'Bình Minh', 'their own units are');
  t.equal((await stranger.get('/staff/surveys/khong-co')).statusCode, 404);
  t.equal((await stranger.get('/staff/surveys/sipas-full?version=9')).statusCode, 404);
  t.equal((await stranger.get('/staff/surveys/sipas-full/publish')).statusCode, 403, 'a manager cannot publish');
});

t.test(
  'wordingChanges: re-worded text and options, added and removed keys; order and NFC are not wording',
  async (t) => {
    const before = SurveyDefinitionSchema.parse(QUICK);
    const after = structuredClone(before);
    const [first, second] = after.sections;
    first!.questions.reverse();
    const staff = first!.questions.find((q) => q.key === 'staff')!;
    staff.text.vi = staff.text.vi.normalize('NFD');
    const trips = after.sections[2]!.questions.find((q) => q.key === 'trips')!;
    if (trips.type === 'choice') trips.options[0]!.text.vi = 'Một lần';
    const access = first!.questions.find((q) => q.key === 'access')!;
    access.text.en = 'Access to the service';
    second!.questions.push({
      type: 'text',
      key: 'suggestion',
      required: false,
      maxLength: 200,
      text: { vi: 'Đề xuất', en: 'Suggestion' },
    });
    after.sections[2]!.questions = after.sections[2]!.questions.filter((q) => q.key !== 'comment');

    const diff = wordingChanges(before, after);
    t.same(
      diff.changed.map((c) => [c.key, c.text, c.options]),
      [
        ['access', true, false],
        ['trips', false, true],
      ],
    );
    t.same(diff.added, ['suggestion']);
    t.same(diff.removed, ['comment']);
    t.same(wordingChanges(before, before), { changed: [], added: [], removed: [] });
  },
);
