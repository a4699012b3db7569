import t, { type Test } from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { formBody, staffClient } from './helpers/staff.ts';

// Units, desks and service areas as managers keep them: scoped to a subtree,
// audited, never deleted, and refused (404) to anyone outside the subtree.

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const deskId = await insertDesk(db, {
    unitId: mine.centreId,
    code: `tan-hoi-q1-${mine.centreId}`,
    name: 'Quầy 1',
    serviceAreas: ['dat-dai'],
  });
  return { app, db, mine, other, deskId };
}

async function actions(db: Db) {
  return (await db.selectFrom('audit_event').select('action').orderBy('id').execute()).map((r) => r.action);
}

/** Everything this feature may change, to prove a refused request changed nothing. */
async function snapshot(db: Db) {
  return {
    units: await db.selectFrom('unit').select(['id', 'code', 'name', 'active']).orderBy('id').execute(),
    desks: await db.selectFrom('desk').select(['id', 'code', 'name', 'active']).orderBy('id').execute(),
    areas: await db
      .selectFrom('desk_service_area')
      .selectAll()
      .orderBy('desk_id')
      .orderBy('service_area_code')
      .execute(),
  };
}

t.test('the list shows the user’s subtree only, as a tree with desk counts', async (t) => {
  const { app, db, mine, other } = await setup(t);
  const [province, commune, centre, otherCommune] = await Promise.all([
    unitCode(db, mine.provinceId),
    unitCode(db, mine.communeId),
    unitCode(db, mine.centreId),
    unitCode(db, other.communeId),
  ]);

  const official = await staffClient(app, db, { role: 'official', unitCode: commune });
  const res = await official.get('/staff/units');
  t.equal(res.statusCode, 200);
  t.match(res.body, commune);
  t.match(res.body, centre);
  t.match(res.body, `href="/staff/units/${mine.centreId}"`);
  t.notMatch(res.body, province, 'the province above is not listed');
  t.notMatch(res.body, otherCommune, 'another commune is not listed');
  t.notMatch(res.body, 'Bình Minh');
  t.ok(res.body.indexOf(commune) < res.body.indexOf(centre), 'the commune comes before its centre');

  const staff = await staffClient(app, db, { role: 'staff', unitCode: centre });
  const own = await staff.get('/staff/units');
  t.match(own.body, centre);
  t.notMatch(own.body, `>${commune}<`, 'a centre user does not see the commune above');

  const admin = await staffClient(app, db, { role: 'admin' });
  const all = await admin.get('/staff/units');
  t.match(all.body, province);
  t.match(all.body, otherCommune);
});

t.test('a manager creates, renames, deactivates and reactivates units and desks; all audited', async (t) => {
  const { app, db, mine } = await setup(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });

  const child = await manager.post(`/staff/units/${mine.communeId}/children`, {
    code: 'tt-tan-hoi-2',
    name: 'Điểm tiếp nhận Tân Hội 2',
    kind: 'centre',
  });
  t.equal(child.statusCode, 303);
  t.equal(child.headers.location, `/staff/units/${mine.communeId}`);
  const created = await db.selectFrom('unit').selectAll().where('code', '=', 'tt-tan-hoi-2').executeTakeFirstOrThrow();
  t.equal(created.parent_id, mine.communeId);
  t.equal(created.kind, 'centre');
  t.match((await manager.get(`/staff/units/${mine.communeId}`)).body, 'Điểm tiếp nhận Tân Hội 2');

  t.equal(
    (await manager.post(`/staff/units/${created.id}/rename`, { name: '  Điểm tiếp nhận số 2  ' })).statusCode,
    303,
  );
  const renamed = await db.selectFrom('unit').select('name').where('id', '=', created.id).executeTakeFirstOrThrow();
  t.equal(renamed.name, 'Điểm tiếp nhận số 2');

  const desk = await manager.post(`/staff/units/${created.id}/desks`, {
    code: 'tan-hoi-2-q1',
    name: 'Quầy 1',
    serviceAreas: ['ho-tich', 'chung-thuc'],
  });
  t.equal(desk.statusCode, 303);
  const deskRow = await db.selectFrom('desk').selectAll().where('code', '=', 'tan-hoi-2-q1').executeTakeFirstOrThrow();
  t.equal(deskRow.unit_id, created.id);
  const areasOf = async () =>
    (
      await db
        .selectFrom('desk_service_area')
        .select('service_area_code')
        .where('desk_id', '=', deskRow.id)
        .orderBy('service_area_code')
        .execute()
    ).map((r) => r.service_area_code);
  t.same(await areasOf(), ['chung-thuc', 'ho-tich']);
  const unitPage = await manager.get(`/staff/units/${created.id}`);
  t.match(unitPage.body, 'href="/q/tan-hoi-2-q1"');
  t.match(unitPage.body, `href="/staff/desks/${deskRow.id}/poster"`);
  t.match(unitPage.body, `href="/staff/desks/${deskRow.id}/codes"`);
  t.match(unitPage.body, 'Hộ tịch, Chứng thực');
  t.equal((await app.inject({ method: 'GET', url: '/q/tan-hoi-2-q1' })).statusCode, 200, 'citizens can answer');

  t.equal((await manager.post(`/staff/desks/${deskRow.id}/rename`, { name: 'Quầy Hộ tịch' })).statusCode, 303);
  t.equal((await manager.post(`/staff/desks/${deskRow.id}/areas`, { serviceAreas: 'cu-tru' })).statusCode, 303);
  t.same(await areasOf(), ['cu-tru']);
  const deskPage = await manager.get(`/staff/desks/${deskRow.id}`);
  t.match(deskPage.body, 'Quầy Hộ tịch');
  t.match(deskPage.body, /value="cu-tru" checked/);

  t.equal((await manager.post(`/staff/desks/${deskRow.id}/active`, { value: '0' })).statusCode, 303);
  t.equal((await app.inject({ method: 'GET', url: '/q/tan-hoi-2-q1' })).statusCode, 404, 'a deactivated desk');
  t.equal((await manager.post(`/staff/desks/${deskRow.id}/active`, { value: '1' })).statusCode, 303);

  t.equal((await manager.post(`/staff/units/${created.id}/active`, { value: '0' })).statusCode, 303);
  const off = await db.selectFrom('unit').select('active').where('id', '=', created.id).executeTakeFirstOrThrow();
  t.equal(off.active, false);
  t.equal((await app.inject({ method: 'GET', url: '/q/tan-hoi-2-q1' })).statusCode, 404, 'desks of a deactivated unit');
  t.ok(await db.selectFrom('desk').select('id').where('id', '=', deskRow.id).executeTakeFirst(), 'nothing deleted');
  t.match((await manager.get('/staff/units')).body, 'Ngừng hoạt động');
  t.equal((await manager.post(`/staff/units/${created.id}/active`, { value: '1' })).statusCode, 303);
  t.equal((await app.inject({ method: 'GET', url: '/q/tan-hoi-2-q1' })).statusCode, 200, 'back after reactivation');

  t.same(await actions(db).then((a) => a.filter((x) => !x.startsWith('sign_in'))), [
    'unit.create',
    'unit.rename',
    'desk.create',
    'desk.update',
    'desk.update',
    'desk.deactivate',
    'desk.reactivate',
    'unit.deactivate',
    'unit.reactivate',
  ]);
  const rename = await db
    .selectFrom('audit_event')
    .selectAll()
    .where('action', '=', 'unit.rename')
    .executeTakeFirstOrThrow();
  t.same(rename.detail, { from: 'Điểm tiếp nhận Tân Hội 2', to: 'Điểm tiếp nhận số 2' });
  t.equal(rename.unit_id, created.id);
  t.ok(rename.actor_user_id, 'the actor is recorded');
});

t.test('invalid or duplicate input is a 422 in Vietnamese that keeps what was typed', async (t) => {
  const { app, db, mine, other, deskId } = await setup(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
  const before = await snapshot(db);

  const dupUnit = await manager.post(`/staff/units/${mine.communeId}/children`, {
    code: await unitCode(db, other.centreId),
    name: 'Trung tâm mới',
    kind: 'centre',
  });
  t.equal(dupUnit.statusCode, 422, 'a code taken by another commune’s unit');
  t.match(dupUnit.body, 'đã được dùng cho một đơn vị khác');
  t.match(dupUnit.body, 'value="Trung tâm mới"');

  const badCode = await manager.post(`/staff/units/${mine.centreId}/desks`, {
    code: 'Quầy 1',
    name: 'Quầy một',
    serviceAreas: 'dat-dai',
  });
  t.equal(badCode.statusCode, 422);
  t.match(badCode.body, 'chữ thường không dấu');
  t.match(badCode.body, /value="dat-dai" checked/, 'ticked areas stay ticked');

  const dupDesk = await manager.post(`/staff/units/${mine.centreId}/desks`, {
    code: `tan-hoi-q1-${mine.centreId}`,
    name: 'Quầy trùng',
    serviceAreas: 'dat-dai',
  });
  t.equal(dupDesk.statusCode, 422);
  t.match(dupDesk.body, 'đã được dùng');

  const noArea = await manager.post(`/staff/units/${mine.centreId}/desks`, { code: 'q-moi', name: 'Quầy mới' });
  t.equal(noArea.statusCode, 422);
  t.match(noArea.body, 'ít nhất một lĩnh vực');
  const unknownArea = await manager.post(`/staff/units/${mine.centreId}/desks`, {
    code: 'q-moi',
    name: 'Quầy mới',
    serviceAreas: 'khong-co',
  });
  t.equal(unknownArea.statusCode, 422);

  const emptyAreas = await manager.post(`/staff/desks/${deskId}/areas`, {});
  t.equal(emptyAreas.statusCode, 422, 'a desk keeps at least one service area');
  t.match(emptyAreas.body, 'ít nhất một lĩnh vực');
  const emptyName = await manager.post(`/staff/desks/${deskId}/rename`, { name: '   ' });
  t.equal(emptyName.statusCode, 422);
  t.match(emptyName.body, 'Vui lòng nhập tên');
  const badKind = await manager.post(`/staff/units/${mine.centreId}/children`, {
    code: 'tinh-moi',
    name: 'Tỉnh mới',
    kind: 'province',
  });
  t.equal(badKind.statusCode, 422, 'a province cannot sit under a centre');

  const ownUnit = await manager.post(`/staff/units/${mine.communeId}/active`, { value: '0' });
  t.equal(ownUnit.statusCode, 422, 'no one switches off their own unit');
  const admin = await staffClient(app, db, { role: 'admin' });
  const withChildren = await admin.post(`/staff/units/${mine.communeId}/active`, { value: '0' });
  t.equal(withChildren.statusCode, 422, 'a unit with active units below it stays on');
  t.match(withChildren.body, 'đơn vị trực thuộc đang hoạt động');

  t.same(await snapshot(db), before, 'nothing changed');
});

t.test('staff and officials may look but not change (403)', async (t) => {
  const { app, db, mine, deskId } = await setup(t);
  const before = await snapshot(db);
  for (const role of ['staff', 'official'] as const) {
    const user = await staffClient(app, db, { role, unitCode: await unitCode(db, mine.centreId) });
    t.equal((await user.get(`/staff/units/${mine.centreId}`)).statusCode, 200);
    const page = await user.get(`/staff/desks/${deskId}`);
    t.equal(page.statusCode, 200);
    t.notMatch(page.body, 'action="/staff/desks', `${role}: no change forms`);
    const posts: [string, Record<string, string>][] = [
      [`/staff/units/${mine.centreId}/rename`, { name: 'Tên mới' }],
      [`/staff/units/${mine.centreId}/active`, { value: '0' }],
      [`/staff/units/${mine.centreId}/children`, { code: 'con-moi', name: 'Con', kind: 'other' }],
      [`/staff/units/${mine.centreId}/desks`, { code: 'q-moi', name: 'Quầy', serviceAreas: 'dat-dai' }],
      [`/staff/desks/${deskId}/rename`, { name: 'Tên mới' }],
      [`/staff/desks/${deskId}/areas`, { serviceAreas: 'y-te' }],
      [`/staff/desks/${deskId}/active`, { value: '0' }],
    ];
    for (const [url, fields] of posts) t.equal((await user.post(url, fields)).statusCode, 403, `${role} ${url}`);
  }
  t.same(await snapshot(db), before, 'nothing changed');
});

/** Every route of this feature with an id in it, with a body that would work for the owner. */
function routesFor(
  unitId: number,
  deskId: number,
): [method: 'GET' | 'POST', url: string, fields: Record<string, string>][] {
  return [
    ['GET', `/staff/units/${unitId}`, {}],
    ['POST', `/staff/units/${unitId}/rename`, { name: 'Tên khác' }],
    ['POST', `/staff/units/${unitId}/active`, { value: '0' }],
    ['POST', `/staff/units/${unitId}/children`, { code: 'xam-nhap', name: 'Xâm nhập', kind: 'other' }],
    ['POST', `/staff/units/${unitId}/desks`, { code: 'q-xam-nhap', name: 'Quầy', serviceAreas: 'dat-dai' }],
    ['GET', `/staff/desks/${deskId}`, {}],
    ['POST', `/staff/desks/${deskId}/rename`, { name: 'Tên khác' }],
    ['POST', `/staff/desks/${deskId}/areas`, { serviceAreas: 'y-te' }],
    ['POST', `/staff/desks/${deskId}/active`, { value: '0' }],
  ];
}

// A manager of another commune gets a 404 for every unit and desk id of this one, as for an id that
// does not exist, sees nothing of it and changes nothing: the cross-unit matrix
// (tests/cross-unit.test.ts), with a form that would work. What it does not send: a form that
// would fail validation, which must not tell an outsider more than a valid one.
t.test("an outsider's invalid forms are a 404 too, not a list of what is wrong", async (t) => {
  const { app, db, mine, other, deskId } = await setup(t);
  const outsider = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.communeId) });
  const before = await snapshot(db);
  for (const unitId of [mine.communeId, mine.centreId]) {
    for (const [method, url] of routesFor(unitId, deskId)) {
      if (method === 'GET') continue;
      const res = await outsider.post(url, {});
      t.equal(res.statusCode, 404, `${url} with an empty form`);
      t.notMatch(res.body, 'Xã Tân Hội', 'the page does not name the unit');
    }
  }
  t.same(await snapshot(db), before, 'nothing changed');
  t.notOk(
    (await actions(db)).some((a) => /^(unit|desk)\./.test(a)),
    'no change audited',
  );
});

t.test('a change without the CSRF token is refused (403) and changes nothing', async (t) => {
  const { app, db, mine, deskId } = await setup(t);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  const before = await snapshot(db);
  for (const [method, url, fields] of routesFor(mine.centreId, deskId)) {
    if (method === 'GET') continue;
    const missing = await app.inject({
      method: 'POST',
      url,
      cookies: manager.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody(fields),
    });
    t.equal(missing.statusCode, 403, `no token: ${url}`);
    t.equal((await manager.post(url, { ...fields, _csrf: 'x'.repeat(manager.csrf.length) })).statusCode, 403);
  }
  t.same(await snapshot(db), before, 'nothing changed');
});

t.test('an administrator adds a province at the top; nobody else can', async (t) => {
  const { app, db } = await testApp(t);
  const admin = await staffClient(app, db, { role: 'admin' });
  const res = await admin.post('/staff/units', { code: 'tinh-moi', name: 'Tỉnh Mới', kind: 'province' });
  t.equal(res.statusCode, 303);
  const unit = await db.selectFrom('unit').selectAll().where('code', '=', 'tinh-moi').executeTakeFirstOrThrow();
  t.equal(unit.parent_id, null);
  t.equal(res.headers.location, `/staff/units/${unit.id}`);
  t.match((await admin.get('/staff/units')).body, /Tỉnh Mới/);

  const again = await admin.post('/staff/units', { code: 'tinh-moi', name: 'Tỉnh Khác', kind: 'province' });
  t.equal(again.statusCode, 422);
  t.match(again.body, /đã được dùng cho một đơn vị khác/);
  t.match(again.body, /value="Tỉnh Khác"/, 'what was typed is kept');

  const centre = await createCentre(db);
  const code = (await db.selectFrom('unit').select('code').where('id', '=', centre.centreId).executeTakeFirstOrThrow())
    .code;
  const manager = await staffClient(app, db, { role: 'manager', unitCode: code });
  t.notMatch((await manager.get('/staff/units')).body, /Thêm đơn vị cấp cao nhất/);
  t.equal((await manager.post('/staff/units', { code: 'tinh-khac', name: 'Tỉnh', kind: 'province' })).statusCode, 404);
  t.equal((await db.selectFrom('unit').select('id').where('code', '=', 'tinh-khac').execute()).length, 0);
  const audit = await db.selectFrom('audit_event').select('action').where('unit_id', '=', unit.id).execute();
  t.same(audit, [{ action: 'unit.create' }]);
});
