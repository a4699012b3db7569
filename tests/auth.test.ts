import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import t from 'tap';
import { ACCOUNT_SLOW_AFTER, ACCOUNT_SLOW_MS } from '../server/features/access/auth-service.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { prepareDatabase } from '../server/setup.ts';
import { testApp } from './helpers/harness.ts';
import { formBody, signInForm, staffClient, TEST_PASSWORD } from './helpers/staff.ts';

// Run time (for tests/run.ts): about 18 s.

// Staff sign-in, sessions, CSRF and throttling, through the real forms.

async function auditActions(db: Parameters<typeof prepareDatabase>[0]) {
  const rows = await db.selectFrom('audit_event').select('action').orderBy('id').execute();
  return rows.map((r) => r.action);
}

t.test('sign-in sets a fresh, secure session cookie; wrong passwords are refused the same way', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });

  const res = await signInForm(app, staff.email, TEST_PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/staff');
  const cookie = res.cookies.find((c) => c.name === '__Host-hl_session');
  t.ok(cookie, 'a __Host- cookie when PUBLIC_URL is https');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.secure, true);
  t.equal(cookie?.sameSite, 'Lax');
  t.equal(cookie?.path, '/');
  t.not(cookie?.value, staff.cookies['__Host-hl_session'], 'every sign-in gets a new token');

  const stored = await db.selectFrom('user_session').select('token_hash').execute();
  t.equal(stored.length, 2);
  t.notOk(
    stored.some((s) => s.token_hash === cookie?.value),
    'only a hash of the token is stored',
  );

  const wrong = await signInForm(app, staff.email, 'sai-mat-khau-roi');
  const unknown = await signInForm(app, 'khong-ai@example.gov.vn', 'sai-mat-khau-roi');
  for (const r of [wrong, unknown]) {
    t.equal(r.statusCode, 401);
    t.match(r.body, /Thư điện tử hoặc mật khẩu không đúng\./);
    t.notOk(r.cookies.some((c) => c.name === '__Host-hl_session'));
  }
  const actions = await auditActions(db);
  t.equal(actions.filter((a) => a === 'sign_in.success').length, 2);
  t.equal(actions.filter((a) => a === 'sign_in.failure').length, 2);
});

t.test('a signed-out visitor is sent to the sign-in page, and back afterwards', async (t) => {
  const { app, db } = await testApp(t);
  const res = await app.inject({ method: 'GET', url: '/staff/password' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/staff/sign-in?next=%2Fstaff%2Fpassword');
  const page = await app.inject({ method: 'GET', url: '/staff/sign-in?next=%2F%2Fevil.example' });
  t.match(page.body, /name="next" value="\/staff"/, 'no open redirect to another site');
  await staffClient(app, db, { role: 'admin', email: 'quan-tri@example.gov.vn' });
  const post = await app.inject({ method: 'GET', url: '/staff/sign-in' });
  const pre = /name="_pre" value="([^"]+)"/.exec(post.body)?.[1] ?? '';
  const again = await app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    cookies: { hl_pre: post.cookies.find((c) => c.name === 'hl_pre')?.value ?? '' },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({
      _pre: pre,
      email: 'Quan-Tri@Example.gov.vn',
      password: TEST_PASSWORD,
      next: '/staff/password',
    }),
  });
  t.equal(again.statusCode, 303, 'e-mail addresses are not case-sensitive');
  t.equal(again.headers.location, '/staff/password');
});

t.test('the sign-in form itself is protected against cross-site posts', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  const res = await app.inject({
    method: 'POST',
    url: '/staff/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ email: staff.email, password: TEST_PASSWORD }),
  });
  t.equal(res.statusCode, 403);
  t.notOk(res.cookies.some((c) => c.name === '__Host-hl_session'));
});

/** The sign-in form posted from a given client address (light-my-request's remoteAddress). */
async function signInFrom(app: FastifyInstance, ip: string, email: string, password: string, next = '/staff') {
  const page = await app.inject({ method: 'GET', url: '/staff/sign-in', remoteAddress: ip });
  const pre = /name="_pre" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const post = () =>
    app.inject({
      method: 'POST',
      url: '/staff/sign-in',
      remoteAddress: ip,
      cookies: { hl_pre: page.cookies.find((c) => c.name === 'hl_pre')?.value ?? '' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formBody({ _pre: pre, email, password, next }),
    });
  return Object.assign(await post(), { again: post });
}

/** Password checks that ran (settled rows) and reservations of a kind. */
async function attempts(db: Db, purpose: 'sign_in' | 'password_change') {
  const rows = await db.selectFrom('sign_in_attempt').select('succeeded').where('purpose', '=', purpose).execute();
  return { reserved: rows.length, checked: rows.filter((r) => r.succeeded !== null).length };
}

const statuses = (responses: { statusCode: number }[]) => {
  const count: Record<number, number> = {};
  for (const r of responses) count[r.statusCode] = (count[r.statusCode] ?? 0) + 1;
  return count;
};

t.test('five wrong passwords make that address wait; the owner signs in from another', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  for (let i = 0; i < 5; i++) {
    t.equal((await signInFrom(app, '203.0.113.7', staff.email, `sai-${i}-mat-khau`)).statusCode, 401);
  }
  const locked = await signInFrom(app, '203.0.113.7', staff.email, TEST_PASSWORD);
  t.equal(locked.statusCode, 429, 'even the right password waits at the guessing address');
  t.match(locked.body, /Đăng nhập sai quá nhiều lần/);
  t.ok((await auditActions(db)).includes('sign_in.throttled'));
  t.equal((await signInFrom(app, '198.51.100.20', staff.email, TEST_PASSWORD)).statusCode, 303, 'another address');

  // After the window the first address may try again.
  await sql`update sign_in_attempt set at = at - interval '16 minutes'`.execute(db);
  t.equal((await signInFrom(app, '203.0.113.7', staff.email, TEST_PASSWORD)).statusCode, 303);
});

t.test('30 sign-ins in parallel: at most 5 passwords are checked, even with the right one among them', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  const wrong = await signInFrom(app, '203.0.113.8', staff.email, 'sai-mat-khau-roi');
  await db.deleteFrom('sign_in_attempt').execute();
  const burst = await Promise.all(Array.from({ length: 30 }, () => wrong.again()));
  t.same(statuses(burst), { 401: 5, 429: 25 });
  t.same(await attempts(db, 'sign_in'), { reserved: 5, checked: 5 });

  const right = await signInFrom(app, '203.0.113.8', staff.email, TEST_PASSWORD);
  const sessionsBefore = (await db.selectFrom('user_session').select('token_hash').execute()).length;
  await db.deleteFrom('sign_in_attempt').execute();
  const mixed = await Promise.all(Array.from({ length: 30 }, (_, i) => (i === 17 ? right.again() : wrong.again())));
  const { checked } = await attempts(db, 'sign_in');
  t.ok(checked <= 5, `${checked} passwords checked`);
  t.ok((statuses(mixed)[429] ?? 0) >= 25, 'the rest are refused unchecked');
  const sessions = (await db.selectFrom('user_session').select('token_hash').execute()).length;
  t.ok(sessions - sessionsBefore <= 1, 'at most the one right password signs in');
});

t.test('guesses spread over many addresses slow the account down but never lock the owner out', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  const perAddress = ACCOUNT_SLOW_AFTER / 5;
  for (let a = 1; a <= 5; a++) {
    for (let i = 0; i < perAddress; i++) await signInFrom(app, `192.0.2.${a}`, staff.email, 'sai-mat-khau-roi');
  }
  const t0 = performance.now();
  const owner = await signInFrom(app, '198.51.100.30', staff.email, TEST_PASSWORD);
  t.equal(owner.statusCode, 303, 'the owner gets in');
  t.ok(performance.now() - t0 >= ACCOUNT_SLOW_MS, 'after a wait');
});

t.test('one client guessing many accounts is throttled too', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  for (let i = 0; i < 20; i++) await signInForm(app, `doan-${i}@example.gov.vn`, 'sai-mat-khau-roi');
  t.equal((await signInForm(app, staff.email, TEST_PASSWORD)).statusCode, 429);
});

t.test('state-changing requests need the session CSRF token', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  const change = (extra: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/staff/password',
      cookies: staff.cookies,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: formBody({ current: TEST_PASSWORD, next: 'mat-khau-moi-dai-hon', ...extra }),
    });
  const none = await change({});
  t.equal(none.statusCode, 403);
  t.match(none.body, /Biểu mẫu đã cũ/);
  t.equal((await change({ _csrf: 'x'.repeat(staff.csrf.length) })).statusCode, 403);
  t.equal((await signInForm(app, staff.email, TEST_PASSWORD)).statusCode, 303, 'password unchanged');

  const viaHtmx = await change({}, { 'x-csrf-token': staff.csrf, 'hx-request': 'true' });
  t.equal(viaHtmx.statusCode, 200, 'htmx sends the token as a header');
  t.match(viaHtmx.body, /Đã đổi mật khẩu/);
});

t.test('sessions end: sign-out, idle timeout, absolute timeout', async (t) => {
  const { app, db } = await testApp(t);
  const a = await staffClient(app, db, { role: 'admin' });
  t.equal((await a.get('/staff')).statusCode, 200);
  t.equal((await a.post('/staff/sign-out')).statusCode, 303);
  t.equal((await a.get('/staff')).statusCode, 303, 'a signed-out cookie no longer works');

  const b = await staffClient(app, db, { role: 'admin' });
  await sql`update user_session set last_seen_at = now() - interval '31 minutes'`.execute(db);
  t.equal((await b.get('/staff')).statusCode, 303, 'idle for 31 minutes');

  const c = await staffClient(app, db, { role: 'admin' });
  await sql`update user_session set last_seen_at = now() - interval '20 minutes'`.execute(db);
  t.equal((await c.get('/staff')).statusCode, 200, 'idle for 20 minutes is fine');
  await sql`update user_session set expires_at = now() - interval '1 second'`.execute(db);
  t.equal((await c.get('/staff')).statusCode, 303, 'past the absolute limit');
});

t.test('changing the password checks the current one and signs out other sessions', async (t) => {
  const { app, db } = await testApp(t);
  const a = await staffClient(app, db, { role: 'admin' });
  const other = await signInForm(app, a.email, TEST_PASSWORD);
  const otherCookies = { '__Host-hl_session': other.cookies.find((c) => c.name === '__Host-hl_session')!.value };

  const wrong = await a.post('/staff/password', { current: 'khong-dung-dau', next: 'mat-khau-moi-dai-hon' });
  t.equal(wrong.statusCode, 422);
  t.match(wrong.body, /Mật khẩu hiện tại không đúng\./);
  const short = await a.post('/staff/password', { current: TEST_PASSWORD, next: 'ngan' });
  t.equal(short.statusCode, 422);
  t.match(short.body, /ít nhất 10 ký tự/);

  const ok = await a.post('/staff/password', { current: TEST_PASSWORD, next: 'mat-khau-moi-dai-hon' });
  t.equal(ok.statusCode, 200);
  t.equal((await a.get('/staff')).statusCode, 200, 'this session stays');
  t.equal((await app.inject({ method: 'GET', url: '/staff', cookies: otherCookies })).statusCode, 303);
  t.equal((await signInForm(app, a.email, TEST_PASSWORD)).statusCode, 401);
  t.equal((await signInForm(app, a.email, 'mat-khau-moi-dai-hon')).statusCode, 303);
});

t.test('only a plain ASCII path under /staff may follow sign-in', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  const cases: [string, string][] = [
    ['/staff/中', '/staff'],
    ['//evil.example', '/staff'],
    ['/staff/\\evil', '/staff'],
    ['https://x', '/staff'],
    ['/staff/%2e%2e/%2e%2e/evil', '/staff'],
    ['/staffing', '/staff'],
    ['/staff/units?x=1', '/staff/units?x=1'],
  ];
  for (const [next, expected] of cases) {
    const res = await signInFrom(app, '203.0.113.10', staff.email, TEST_PASSWORD, next);
    t.equal(res.statusCode, 303, `${next}: signed in`);
    t.equal(res.headers.location, expected, `${next} → ${expected}`);
    const form = await app.inject({ method: 'GET', url: `/staff/sign-in?next=${encodeURIComponent(next)}` });
    t.equal(form.statusCode, 200);
    t.ok(form.body.includes(`name="next" value="${expected}"`), `form keeps ${expected}`);
  }
});

t.test('wrong current passwords are limited per account and every one is audited', async (t) => {
  const { app, db } = await testApp(t);
  const staff = await staffClient(app, db, { role: 'admin' });
  const tries = await Promise.all(
    Array.from({ length: 30 }, () =>
      staff.post('/staff/password', { current: 'doan-mo-thoi', next: 'mat-khau-moi-dai-hon' }),
    ),
  );
  t.same(statuses(tries), { 422: 5, 429: 25 }, 'parallel tries cannot pass the limit');
  t.same(await attempts(db, 'password_change'), { reserved: 5, checked: 5 });
  t.match(tries.find((r) => r.statusCode === 429)?.body, /Nhập sai mật khẩu hiện tại quá nhiều lần/);

  const right = await staff.post('/staff/password', { current: TEST_PASSWORD, next: 'mat-khau-moi-dai-hon' });
  t.equal(right.statusCode, 429, 'the right one waits too: the session may be a thief');
  const actions = await auditActions(db);
  t.equal(actions.filter((a) => a === 'password.wrong_current').length, 5);
  t.equal(actions.filter((a) => a === 'password.throttled').length, 26);
  t.equal((await signInForm(app, staff.email, TEST_PASSWORD)).statusCode, 303, 'the password is unchanged');

  await sql`update sign_in_attempt set at = at - interval '16 minutes'`.execute(db);
  const later = await staff.post('/staff/password', { current: TEST_PASSWORD, next: 'mat-khau-moi-dai-hon' });
  t.equal(later.statusCode, 200);
  t.ok((await auditActions(db)).includes('password.change'));
});
