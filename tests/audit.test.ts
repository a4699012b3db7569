import t, { type Test } from 'tap';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { signInForm, staffClient } from './helpers/staff.ts';

// The audit log page: an official reads the events of their subtree, an
// admin everything; nobody else reads it at all.

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  // A manager in each commune signs in and publishes nothing, but is refused a page.
  const ours = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  const theirs = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, other.centreId) });
  await ours.get('/staff/audit');
  await theirs.get('/staff/audit');
  return { app, db, mine, other, ours, theirs };
}

t.test('an official sees their subtree’s events only, an admin sees all', async (t) => {
  const { app, db, mine, ours, theirs } = await setup(t);
  // An account nobody has: the event belongs to no unit.
  await signInForm(app, 'khong-ton-tai@example.gov.vn', 'sai-mat-khau-123');

  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  const page = await official.get('/staff/audit');
  t.equal(page.statusCode, 200);
  t.match(page.body, ours.email);
  t.match(page.body, /<td title="sign_in\.success">Đăng nhập<\/td>/);
  t.match(page.body, /<td title="permission\.denied">Bị từ chối quyền<\/td>/);
  t.match(page.body, /<td>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/td>/, 'time as dd/mm/yyyy HH:mm');
  t.match(page.body, 'Trung tâm Phục vụ hành chính công Xã Tân Hội');
  t.notMatch(page.body, theirs.email, 'another commune’s events are not shown');
  t.notMatch(page.body, 'Bình Minh');
  t.notMatch(page.body, 'khong-ton-tai@example.gov.vn', 'events with no unit are for admins only');

  const admin = await staffClient(app, db, { role: 'admin' });
  const all = await admin.get('/staff/audit');
  t.equal(all.statusCode, 200);
  t.match(all.body, ours.email);
  t.match(all.body, theirs.email);
  t.match(
    all.body,
    /<td>khong-ton-tai@example\.gov\.vn<\/td>\s*<td>—<\/td>\s*<td title="sign_in\.failure">Đăng nhập sai<\/td>/,
  );
});

t.test('the filter keeps one kind of event; times are in Vietnam', async (t) => {
  const { app, db, mine, ours } = await setup(t);
  await ours.post('/staff/surveys/sipas-full/assign', { unitId: String(mine.centreId), serviceArea: '' });
  await db
    .insertInto('audit_event')
    .values({
      at: new Date('2026-01-01T17:30:00Z'),
      actor_label: 'cli',
      unit_id: mine.communeId,
      action: 'target.create',
      detail: JSON.stringify({ target: 7 }),
    })
    .execute();
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });

  const surveys = await official.get('/staff/audit?action=survey.');
  t.equal(surveys.statusCode, 200);
  t.match(
    surveys.body,
    /<td title="survey\.assign">Phiếu khảo sát: phân công<\/td>\s*<td>phiếu: sipas-full · đơn vị: tt-/,
  );
  t.notMatch(surveys.body, 'title="sign_in.', 'other kinds are filtered out');
  t.match(surveys.body, '<option value="survey." selected>');

  // sign_in has an underscore: a LIKE pattern would let it match any letter.
  await db.insertInto('audit_event').values({ unit_id: mine.centreId, action: 'signxin.test', detail: '{}' }).execute();
  const signIns = await official.get('/staff/audit?action=sign_in.');
  t.match(signIns.body, 'title="sign_in.success"');
  t.notMatch(signIns.body, 'signxin');

  const targets = await official.get('/staff/audit?action=target.');
  t.match(targets.body, /<td>02\/01\/2026 00:30<\/td>\s*<td>cli<\/td>/, '17:30 UTC is 00:30 the next day in Vietnam');
  t.match(targets.body, 'Chỉ tiêu: tạo mới');

  const junk = await official.get('/staff/audit?action=%27%20or%201%3D1');
  t.equal(junk.statusCode, 200, 'a malformed filter is ignored');
  t.match(junk.body, 'title="sign_in.success"');
});

t.test('managers and staff cannot read the audit log', async (t) => {
  const { app, db, mine, ours } = await setup(t);
  t.equal((await ours.get('/staff/audit')).statusCode, 403);
  const staff = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, mine.centreId) });
  const res = await staff.get('/staff/audit');
  t.equal(res.statusCode, 403);
  t.notMatch(res.body, ours.email);
  const anonymous = await app.inject({ url: '/staff/audit' });
  t.equal(anonymous.statusCode, 303, 'no session: to the sign-in page');
});
