import t from 'tap';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { SurveyDefinitionSchema } from '../surveys/schema.ts';
import { wordingChanges } from '../surveys/wording-changes.ts';
import { testDatabase } from './helpers/harness.ts';
import {
  answer,
  NEW_STAFF_WORDING,
  offeredDefinition,
  QUICK,
  QUICK_SHIPPED_VERSIONS,
  reworded,
  setup,
  versionsOf,
} from './helpers/survey-versions.ts';

// Survey versions as an administrator publishes them: validated by the
// definitions schema, keys keeping their type and factor, old versions and
// the responses pinned to them untouched (assignments:
// survey-assignments.test.ts).

// A new database has the shipped versions (QUICK_SHIPPED_VERSIONS of the quick survey); staff publish the next.
const SHIPPED = QUICK_SHIPPED_VERSIONS;
const NEXT = SHIPPED + 1;

t.test(
  'publishing a re-worded version: the next version exists, the shipped ones unchanged, the change shown',
  async (t) => {
    const { db, admin, manager } = await setup(t);
    const offered = await offeredDefinition(admin);
    t.same(offered, QUICK, 'the publish form starts from the latest definition');

    const res = await admin.post('/staff/surveys/sipas-quick/publish', {
      definition: JSON.stringify(reworded(offered, 'staff', NEW_STAFF_WORDING), null, 2),
    });
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, `/staff/surveys/sipas-quick?version=${NEXT}`);

    const versions = await versionsOf(db);
    const [shipped, mine] = [versions[SHIPPED - 1], versions[SHIPPED]];
    t.same(shipped?.definition, QUICK, 'the latest shipped version is untouched');
    t.same(
      versions.slice(0, SHIPPED).map((v) => v.published_by),
      Array(SHIPPED).fill(null),
    );
    t.equal(mine?.version, NEXT);
    t.same(mine?.wording_changed_keys, ['staff'], 'the re-worded key is recorded');
    t.ok(mine?.published_by, 'who published is recorded');
    t.equal(versions.length, NEXT);

    const page = await manager.get('/staff/surveys/sipas-quick');
    t.equal(page.statusCode, 200);
    t.match(page.body, `Phiên bản <strong>${NEXT}</strong> (đang dùng)`);
    t.match(page.body, /<code>staff<\/code><br><span class="badge">Đổi lời<\/span>/, 'the change sits beside the key');
    t.match(page.body, NEW_STAFF_WORDING);
    t.match(page.body, `Lời ở phiên bản ${SHIPPED}: Công chức tiếp nhận, giải quyết hồ sơ`, 'the old wording is shown');
    t.notMatch(page.body, /<code>access<\/code><br><span class="badge">Đổi lời/, 'an unchanged key is not flagged');
    const old = await manager.get('/staff/surveys/sipas-quick?version=1');
    t.match(old.body, 'Đây là phiên bản đầu tiên');
    t.notMatch(old.body, NEW_STAFF_WORDING);

    const list = await manager.get('/staff/surveys');
    t.match(
      list.body,
      new RegExp(
        `Phiên bản ${NEXT}</a></td>\\s*<td>\\d{2}/\\d{2}/\\d{4}</td>\\s*<td>Cán bộ Thử Nghiệm</td>\\s*<td>staff</td>`,
      ),
    );
    t.match(list.body, 'sipas-full', 'every survey is listed');

    const audit = await db.selectFrom('audit_event').selectAll().where('action', '=', 'survey.publish').execute();
    t.equal(audit.length, 1);
    t.match(audit[0]?.detail, { survey: 'sipas-quick', version: NEXT, wordingChanged: ['staff'] });
  },
);

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
  bad.sections[1]!.questions[1]!.text = { vi: ' ', en: 'x' };
  bad.sections[1]!.questions[2]!.key = 'access';
  const schema = await post(JSON.stringify(bad));
  t.equal(schema.statusCode, 422);
  t.match(
    schema.body,
    /sections\.1\.questions\.1\.text\.vi \(câu &quot;procedure&quot;\)<\/code>: Không được để trống\./,
  );
  t.match(schema.body, /sections\.1\.questions\.2\.key<\/code>: Mã chỉ số &quot;access&quot; bị trùng\./);

  const typeChange = structuredClone(base);
  typeChange.sections[1]!.questions[2] = {
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
  t.match(type.body, `Mã chỉ số &quot;staff&quot; là câu hỏi loại &quot;Thang 5 mức&quot; ở phiên bản ${SHIPPED}`);

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
  const access = factorChange.sections[1]!.questions[0]!;
  if (access.type === 'scale') delete access.factor;
  const factor = await post(JSON.stringify(factorChange));
  t.equal(factor.statusCode, 422);
  t.match(factor.body, `Mã chỉ số &quot;access&quot; thuộc &quot;Tiếp cận dịch vụ&quot; ở phiên bản ${SHIPPED}`);

  const renamed = await post(JSON.stringify({ ...base, code: 'sipas-moi' }));
  t.equal(renamed.statusCode, 422);
  t.match(renamed.body, 'Mã phiếu phải giữ nguyên là &quot;sipas-quick&quot;.');

  const same = await post(JSON.stringify(base));
  t.equal(same.statusCode, 422);
  t.match(same.body, `Nội dung giống hệt phiên bản ${SHIPPED}`);

  t.equal((await versionsOf(db)).length, SHIPPED, 'nothing was published');
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

  const versions = await versionsOf(db);
  const [before, after] = [versions[SHIPPED - 1], versions[SHIPPED]];
  const responses = await db.selectFrom('response').select('survey_version_id').orderBy('id').execute();
  t.same(
    responses.map((r) => r.survey_version_id),
    [before?.id, after?.id],
  );
  t.same(before?.definition, QUICK);
});

t.test('two publishes at once become the next two versions', async (t) => {
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
    [...Array(SHIPPED + 2).keys()].map((i) => i + 1),
  );
});

t.test(
  'wordingChanges: re-worded text and options, added and removed keys; order and NFC are not wording',
  async (t) => {
    const before = SurveyDefinitionSchema.parse(QUICK);
    const after = structuredClone(before);
    const factors = after.sections[1]!;
    factors.questions.reverse();
    const staff = factors.questions.find((q) => q.key === 'staff')!;
    staff.text.vi = staff.text.vi.normalize('NFD');
    const trips = after.sections[2]!.questions.find((q) => q.key === 'trips')!;
    if (trips.type === 'choice') trips.options[0]!.text.vi = 'Một lần';
    const access = factors.questions.find((q) => q.key === 'access')!;
    access.text.en = 'Access to the service';
    after.sections[0]!.questions.push({
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

t.test('one process, two databases: a version id is read in its own database', async (t) => {
  // The same version id can be another survey in another database (a process
  // that tests several, or serves a restored copy): the parsed definition
  // must not be taken from the other one.
  const a = (await testDatabase(t)).db;
  const b = (await testDatabase(t)).db;
  const publishAgain = async (db: Db, code: string) => {
    const latest = (await latestVersion(db, code))!;
    const survey = await db.selectFrom('survey').select('id').where('code', '=', code).executeTakeFirstOrThrow();
    const row = await db
      .insertInto('survey_version')
      .values({
        survey_id: survey.id,
        version: latest.version + 1,
        definition: JSON.stringify(latest.definition),
        wording_changed_keys: [],
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const quickId = await publishAgain(b, 'sipas-quick');
  const fullId = await publishAgain(a, 'sipas-full');
  t.equal(fullId, quickId, 'the same id, another survey in each database');
  const quick = (await latestVersion(b, 'sipas-quick'))!;
  const full = (await latestVersion(a, 'sipas-full'))!;
  t.not(JSON.stringify(full.definition), JSON.stringify(quick.definition));
  t.ok(JSON.stringify(full.definition).includes('access.seats'), 'the full survey, as stored in its database');
});
