import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { hideCodes } from '../server/app.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { secretHash } from '../server/platform/secrets.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp } from './helpers/harness.ts';
import { formBody, signInForm, staffClient, TEST_PASSWORD } from './helpers/staff.ts';

// Staff accounts from the browser (issue 13, item 4): a manager lists the
// accounts of their subtree, creates one and hands over a one-time link,
// resets a password, disables an account; never above their own role, never
// outside their subtree; every change audited.

const NEW_PASSWORD = 'mat-khau-moi-cua-toi';

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const code = await unitCode(db, mine.centreId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: code });
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: code });
  return { app, db, mine, other, code, manager, clerk };
}

const idOf = async (db: Db, email: string) =>
  (await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

/** The one-time link on the page that answers a create or a reset. */
function linkIn(html: string): string {
  const url = /<code class="secret">([^<]+)<\/code>/.exec(html)?.[1];
  if (!url) throw new Error('no link on the page');
  return url;
}

/** Opens a set-password link and posts the form, as the person would. */
async function usePasswordLink(app: FastifyInstance, url: string, password: string, confirm = password) {
  const path = new URL(url).pathname;
  const page = await app.inject({ method: 'GET', url: path });
  if (page.statusCode !== 200) return page;
  const pre = /name="_pre" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const cookie = page.cookies.find((c) => c.name === 'hl_pre_pw')?.value ?? '';
  return app.inject({
    method: 'POST',
    url: path,
    cookies: { hl_pre_pw: cookie },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ _pre: pre, password, confirm }),
  });
}

/** What a page says, without the per-response nonces of its head. */
const mainOf = (html: string) => /<main>[\s\S]*<\/main>/.exec(html)?.[0];

const actions = async (db: Db) =>
  (await db.selectFrom('audit_event').select('action').orderBy('id').execute()).map((r) => r.action);

t.test('a manager lists the accounts of their own subtree, in Vietnamese', async (t) => {
  const { app, db, other, manager, clerk } = await setup(t);
  const outsider = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, other.centreId) });
  const admin = await staffClient(app, db, { role: 'admin' });

  const page = await manager.get('/staff/accounts');
  t.equal(page.statusCode, 200);
  t.match(page.body, clerk.email, "the centre's clerk");
  t.match(page.body, manager.email, 'and the manager');
  t.notMatch(page.body, outsider.email, "not another commune's clerk");
  t.notMatch(page.body, admin.email, 'nor a system administrator');
  t.match(page.body, 'Công chức Bộ phận Một cửa', 'roles in Vietnamese');
  t.match(page.body, /Trung tâm Phục vụ hành chính công Xã Tân Hội/);
  t.match(page.body, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, 'the last sign-in as dd/mm/yyyy HH:mm');
  t.match(page.body, '<table class="stack">', 'on a phone each account stacks its lines');
  t.match(page.body, 'href="/staff/accounts"', 'the menu links the page');

  const row = await db
    .selectFrom('app_user')
    .select('last_sign_in_at')
    .where('email', '=', clerk.email)
    .executeTakeFirst();
  t.ok(row?.last_sign_in_at, 'sign-in records the time');
  await db.updateTable('app_user').set({ last_sign_in_at: null }).where('email', '=', clerk.email).execute();
  t.match((await manager.get('/staff/accounts')).body, 'Chưa đăng nhập');

  const everyone = await admin.get('/staff/accounts');
  for (const email of [clerk.email, outsider.email, admin.email]) t.match(everyone.body, email, 'an admin sees all');

  const asClerk = await clerk.get('/staff/accounts');
  t.equal(asClerk.statusCode, 403, 'counter staff may not');
  t.notMatch((await clerk.get('/staff')).body, 'href="/staff/accounts"', 'and are not shown the link');
});

t.test('create an account: a one-time link, the person sets a password, then signs in', async (t) => {
  const { app, db, mine, manager } = await setup(t);
  const email = 'nguyen.van.a@example.gov.vn';
  const created = await manager.post('/staff/accounts', {
    name: 'Nguyễn Văn A',
    email: 'Nguyen.Van.A@example.gov.vn',
    role: 'staff',
    unitId: String(mine.centreId),
  });
  t.equal(created.statusCode, 201, 'the link is on the page that answers the POST');
  t.equal(created.headers['cache-control'], 'no-store');
  t.match(created.body, 'một lần duy nhất');
  const url = linkIn(created.body);
  t.match(url, new RegExp(`^${TEST_PUBLIC_URL}/staff/set-password/[A-Za-z0-9_-]{43}$`));
  const token = url.split('/').pop()!;
  const link = await db.selectFrom('password_link').selectAll().executeTakeFirstOrThrow();
  t.equal(link.token_hash, secretHash(token), 'only the hash is stored');
  const hours = (link.expires_at.getTime() - link.created_at.getTime()) / 3_600_000;
  t.ok(Math.abs(hours - 24) < 0.01, 'valid 24 hours');
  const user = await db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  t.equal(user.role, 'staff');
  t.equal(user.unit_id, mine.centreId);
  t.equal((await signInForm(app, email, '')).statusCode, 401, 'no password works before the link is used');
  t.notMatch(JSON.stringify(await db.selectFrom('audit_event').selectAll().execute()), token, 'nor in the audit log');

  t.equal((await usePasswordLink(app, url, 'ngan')).statusCode, 422, 'the usual minimum length');
  t.equal((await usePasswordLink(app, url, NEW_PASSWORD, 'khac-han-hoan-toan')).statusCode, 422, 'typed twice');
  const stale = await app.inject({
    method: 'POST',
    url: new URL(url).pathname,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ _pre: 'x', password: NEW_PASSWORD, confirm: NEW_PASSWORD }),
  });
  t.equal(stale.statusCode, 403, 'a post without the form cookie is refused');
  const set = await usePasswordLink(app, url, NEW_PASSWORD);
  t.equal(set.statusCode, 200);
  t.match(set.body, 'Đã đặt mật khẩu');
  t.equal((await signInForm(app, email, NEW_PASSWORD)).statusCode, 303, 'then signs in normally');

  const again = await usePasswordLink(app, url, 'mat-khau-cua-ke-khac');
  t.equal(again.statusCode, 404, 'the link works once');
  t.match(again.body, 'Liên kết không dùng được');
  const unknown = await app.inject(`/staff/set-password/${'A'.repeat(43)}`);
  t.equal(unknown.statusCode, 404);
  t.match(mainOf(unknown.body), 'Liên kết không dùng được');
  t.equal(mainOf(unknown.body), mainOf(again.body), 'used or unknown: the same page');
  t.equal((await signInForm(app, email, 'mat-khau-cua-ke-khac')).statusCode, 401);

  // An expired link: the same message.
  const reset = await manager.post(`/staff/accounts/${user.id}/reset`);
  await db
    .updateTable('password_link')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .execute();
  t.equal((await usePasswordLink(app, linkIn(reset.body), NEW_PASSWORD)).statusCode, 404, 'expired');

  const dup = await manager.post('/staff/accounts', {
    name: 'Ai đó',
    email,
    role: 'staff',
    unitId: String(mine.centreId),
  });
  t.equal(dup.statusCode, 422);
  t.match(dup.body, 'Đã có tài khoản dùng thư điện tử này.');

  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'detail', 'unit_id'])
    .where('action', 'in', ['user.create', 'password.set_by_link'])
    .orderBy('id')
    .execute();
  t.same(
    audit.map((a) => a.action),
    ['user.create', 'password.set_by_link'],
  );
  t.same(audit[0]?.detail, { email, role: 'staff', unit: await unitCode(db, mine.centreId) });
  t.equal(audit[0]?.unit_id, mine.centreId);
});

t.test('a reset ends the sessions and the old password at once; its link works once', async (t) => {
  const { app, db, manager, clerk } = await setup(t);
  const id = await idOf(db, clerk.email);
  const first = await manager.post(`/staff/accounts/${id}/reset`);
  t.equal(first.statusCode, 201);
  t.match(first.body, 'mật khẩu cũ không còn dùng được');
  const home = await clerk.get('/staff');
  t.equal(home.statusCode, 303, "the clerk's session has ended");
  t.match(String(home.headers.location), /^\/staff\/sign-in/);
  t.equal((await signInForm(app, clerk.email, TEST_PASSWORD)).statusCode, 401, 'the old password no longer works');

  const second = await manager.post(`/staff/accounts/${id}/reset`);
  t.equal((await usePasswordLink(app, linkIn(first.body), NEW_PASSWORD)).statusCode, 404, 'a newer link voids it');
  t.equal((await usePasswordLink(app, linkIn(second.body), NEW_PASSWORD)).statusCode, 200);
  t.equal((await signInForm(app, clerk.email, NEW_PASSWORD)).statusCode, 303);
  t.equal((await usePasswordLink(app, linkIn(second.body), 'mat-khau-lan-hai')).statusCode, 404, 'once');
  t.same(
    (await actions(db)).filter((a) => a.startsWith('user.') || a.startsWith('password.')),
    ['user.reset_password', 'user.reset_password', 'password.set_by_link'],
  );
  const log = await manager.get('/staff/audit');
  t.equal(log.statusCode, 403, 'managers do not read the audit log; officials do');
});

t.test('disabling an account blocks sign-in and ends its sessions at once', async (t) => {
  const { app, db, code, manager, clerk } = await setup(t);
  const id = await idOf(db, clerk.email);

  const off = await manager.post(`/staff/accounts/${id}/active`, { value: '0' });
  t.equal(off.statusCode, 303);
  t.equal((await clerk.get('/staff')).statusCode, 303, 'signed out at once');
  t.equal((await signInForm(app, clerk.email, TEST_PASSWORD)).statusCode, 401, 'and cannot sign in');
  t.match((await manager.get('/staff/accounts')).body, 'Đã khóa');
  t.equal((await manager.post(`/staff/accounts/${id}/reset`)).statusCode, 422, 'no reset while disabled');

  const on = await manager.post(`/staff/accounts/${id}/active`, { value: '1' });
  t.equal(on.statusCode, 303);
  t.equal((await signInForm(app, clerk.email, TEST_PASSWORD)).statusCode, 303, 'enabled: signs in again');

  // A link handed out before the account was disabled dies with it.
  const second = await staffClient(app, db, { role: 'staff', unitCode: code });
  const secondId = await idOf(db, second.email);
  const reset = await manager.post(`/staff/accounts/${secondId}/reset`);
  await manager.post(`/staff/accounts/${secondId}/active`, { value: '0' });
  await manager.post(`/staff/accounts/${secondId}/active`, { value: '1' });
  t.equal((await usePasswordLink(app, linkIn(reset.body), NEW_PASSWORD)).statusCode, 404, 'no link survives a disable');

  const self = await manager.post(`/staff/accounts/${await idOf(db, manager.email)}/active`, { value: '0' });
  t.equal(self.statusCode, 422, 'nobody disables themselves');
  t.match(self.body, 'Đây là tài khoản của Ông/Bà');
  t.equal((await manager.get('/staff')).statusCode, 200, 'and the manager is still signed in');

  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'detail', 'actor_user_id'])
    .where('action', 'in', ['user.deactivate', 'user.reactivate'])
    .orderBy('id')
    .execute();
  t.same(
    audit.map((a) => a.action),
    ['user.deactivate', 'user.reactivate', 'user.deactivate', 'user.reactivate'],
  );
  t.same(audit[0]?.detail, { email: clerk.email });
  t.equal(audit[0]?.actor_user_id, await idOf(db, manager.email));
});

t.test('a manager gives no role above their own and touches nobody outside their subtree', async (t) => {
  const { app, db, mine, other, code, manager, clerk } = await setup(t);
  const clerkId = await idOf(db, clerk.email);
  const outsider = await staffClient(app, db, { role: 'staff', unitCode: await unitCode(db, other.centreId) });
  const outsiderId = await idOf(db, outsider.email);
  const rootAdmin = await staffClient(app, db, { role: 'admin' });
  const unitAdmin = await staffClient(app, db, { role: 'admin', unitCode: code });
  const official = await staffClient(app, db, { role: 'official', unitCode: code });
  const users = async () =>
    db.selectFrom('app_user').select(['id', 'role', 'unit_id', 'active']).orderBy('id').execute();
  const before = await users();

  for (const role of ['admin', 'official']) {
    const res = await manager.post('/staff/accounts', {
      name: 'Cấp trên',
      email: `${role}@example.gov.vn`,
      role,
      unitId: String(mine.centreId),
    });
    t.equal(res.statusCode, 422, `no new ${role}`);
    const raised = await manager.post(`/staff/accounts/${clerkId}/role`, { role, unitId: String(mine.centreId) });
    t.equal(raised.statusCode, 422, `the clerk is not raised to ${role}`);
    t.match(raised.body, 'Ông/Bà không thể giao vai trò này.');
  }
  const elsewhere = await manager.post('/staff/accounts', {
    name: 'Nơi khác',
    email: 'noi-khac@example.gov.vn',
    role: 'staff',
    unitId: String(other.centreId),
  });
  t.equal(elsewhere.statusCode, 422, "no account in another commune's centre");
  t.notMatch(elsewhere.body, 'Xã Bình Minh');

  for (const [who, id] of [
    ["another commune's clerk", outsiderId],
    ['a system administrator', await idOf(db, rootAdmin.email)],
    ['nobody', 999999],
  ] as const) {
    t.equal((await manager.get(`/staff/accounts/${id}`)).statusCode, 404, `${who}: 404`);
    for (const [path, body] of [
      ['role', { role: 'staff', unitId: String(mine.centreId) }],
      ['active', { value: '0' }],
      ['reset', {}],
    ] as const) {
      t.equal((await manager.post(`/staff/accounts/${id}/${path}`, body)).statusCode, 404, `${who}: ${path} is a 404`);
    }
  }
  for (const [who, email] of [
    ['an admin of the centre', unitAdmin.email],
    ['an official of the centre', official.email],
  ] as const) {
    const id = await idOf(db, email);
    const page = await manager.get(`/staff/accounts/${id}`);
    t.equal(page.statusCode, 200, `${who} is seen`);
    t.notMatch(page.body, `/staff/accounts/${id}/active`, 'with nothing to press');
    t.equal(
      (await manager.post(`/staff/accounts/${id}/active`, { value: '0' })).statusCode,
      403,
      `${who} is not disabled`,
    );
    t.equal((await manager.post(`/staff/accounts/${id}/reset`)).statusCode, 403, `${who} is not reset`);
  }
  t.same(await users(), before, 'nothing changed');
  const denied = await db
    .selectFrom('audit_event')
    .select('detail')
    .where('action', '=', 'permission.denied')
    .execute();
  t.equal(denied.length, 4, 'each refusal of a higher role is audited');

  const promoted = await manager.post(`/staff/accounts/${clerkId}/role`, {
    role: 'manager',
    unitId: String(mine.centreId),
  });
  t.equal(promoted.statusCode, 303, 'up to their own role is fine');
  t.equal((await clerk.get('/staff/accounts')).statusCode, 200, 'and holds from the next request');
  const update = await db
    .selectFrom('audit_event')
    .select('detail')
    .where('action', '=', 'user.update')
    .executeTakeFirstOrThrow();
  t.same(update.detail, { email: clerk.email, roleFrom: 'staff', role: 'manager', unitFrom: code, unit: code });

  // An administrator gives any role, and may place another without a unit.
  const made = await rootAdmin.post(`/staff/accounts/${outsiderId}/role`, { role: 'admin', unitId: '' });
  t.equal(made.statusCode, 303);
  t.same(await db.selectFrom('app_user').select(['role', 'unit_id']).where('id', '=', outsiderId).executeTakeFirst(), {
    role: 'admin',
    unit_id: null,
  });
  const audit = await rootAdmin.get('/staff/audit?action=user.');
  t.match(audit.body, 'Tài khoản: đổi vai trò, đơn vị');
});

t.test('a set-password link never reaches the log', async (t) => {
  const line = hideCodes(
    'incoming request GET /staff/set-password/abcDEF_123-xyz?x=1 and /staff/set%2Dpassword/abcDEF',
  );
  t.notMatch(line, 'abcDEF');
  t.match(line, '/staff/set-password/…?x=1');
  const followUp = hideCodes('incoming request GET /theo-doi/Key_123-abc?lang=en and /theo%2Ddoi/Key_123');
  t.notMatch(followUp, 'Key_123', "nor a citizen's follow-up key");
  t.match(followUp, '/theo-doi/…?lang=en');
});
