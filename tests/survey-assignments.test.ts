import t from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { unitCode } from './helpers/fixtures.ts';
import { staffClient } from './helpers/staff.ts';
import {
  answer,
  FULL_ANSWERS,
  NEW_STAFF_WORDING,
  QUICK,
  QUICK_SHIPPED_VERSIONS,
  reworded,
  setup,
  versionsOf,
} from './helpers/survey-versions.ts';

// Survey versions as a manager assigns them: to a desk, or a unit and its
// service area, the nearest assignment winning; only managers assign, and
// only within their scope.

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
  t.equal((await versionsOf(db)).length, QUICK_SHIPPED_VERSIONS, 'nothing published');
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
