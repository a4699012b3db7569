import t from 'tap';
import { createUser } from '../../server/features/access/auth-service.ts';
import { prepareDatabase } from '../../server/setup.ts';
import { createCentre, createDesk, unitCode } from '../helpers/fixtures.ts';
import { TEST_PUBLIC_URL, testApp, testDatabase } from '../helpers/harness.ts';
import { runScript } from '../helpers/process.ts';
import { startSmtp } from '../helpers/smtp.ts';
import { signInForm } from '../helpers/staff.ts';
import { issue } from '../helpers/transaction-codes.ts';

// Accounts and keys made with the command line, as an administrator on the
// server does: each test starts `npm run cli` as a process (a few seconds of
// CPU each, hence here rather than in npm test).

const FROM = 'Hài Lòng <khaosat@example.gov.vn>';

t.test('the first administrator comes from ADMIN_EMAIL/ADMIN_PASSWORD once, or from the CLI', async (t) => {
  const { app, db, config } = await testApp(t);
  const admin = { email: 'Quan.Tri@Xa.gov.vn', password: 'mot-mat-khau-dai' };
  t.equal((await prepareDatabase(db, { seedDemo: false, admin })).adminCreated, admin.email);
  t.equal((await prepareDatabase(db, { seedDemo: false, admin })).adminCreated, undefined, 'not twice');
  t.equal((await signInForm(app, admin.email, admin.password)).statusCode, 303);

  const centre = await createCentre(db);
  const unit = await db.selectFrom('unit').select('code').where('id', '=', centre.centreId).executeTakeFirstOrThrow();
  const env = { DATABASE_URL: config.databaseUrl!, HL_PASSWORD: 'mat-khau-cua-quan-ly' };
  const run = await runScript(
    'server/cli.ts',
    ['user', 'create', '--email', 'ql@xa.gov.vn', '--name', 'Quản lý', '--role', 'manager', '--unit', unit.code],
    env,
  );
  t.equal(run.code, 0, run.stderr);
  t.equal((await signInForm(app, 'ql@xa.gov.vn', 'mat-khau-cua-quan-ly')).statusCode, 303);
  const noUnit = await runScript('server/cli.ts', ['user', 'create', '--email', 'x@xa.gov.vn', '--role', 'staff'], env);
  t.equal(noUnit.code, 1);
  t.match(noUnit.stderr, /needs --unit/);
  const stored = await db.selectFrom('app_user').select('password_hash').execute();
  t.ok(
    stored.every((u) => u.password_hash.startsWith('$argon2id$')),
    'passwords are stored as argon2id hashes',
  );
});

t.test('npm run cli -- apikey create prints a key once and stores only its hash', async (t) => {
  const { app, db, desk, url } = await (async () => {
    const { app, db, config } = await testApp(t);
    return { app, db, desk: await createDesk(db, ['dat-dai']), url: config.databaseUrl! };
  })();
  const centre = await unitCode(db, desk.centreId);
  const run = await runScript('server/cli.ts', ['apikey', 'create', '--unit', centre, '--role', 'manager'], {
    DATABASE_URL: url,
  });
  t.equal(run.code, 0, run.stderr);
  const key = /^(hl_\S+)$/m.exec(run.stdout)?.[1];
  t.ok(key, 'the key is printed');
  const rows = await db.selectFrom('api_key').selectAll().execute();
  t.equal(rows.length, 1);
  t.notMatch(JSON.stringify(rows), new RegExp(key!.slice(10)), 'the key itself is not stored');
  t.equal((await issue(app, key!, { desk: desk.code, serviceArea: 'dat-dai' })).statusCode, 201);

  const bad = await runScript('server/cli.ts', ['apikey', 'create', '--unit', 'khong-co', '--role', 'manager'], {
    DATABASE_URL: url,
  });
  t.equal(bad.code, 1);
  t.match(bad.stderr, /No unit with code khong-co/);
});

t.test('the CLI reset mails the link too, when SMTP is configured', async (t) => {
  const smtp = await startSmtp();
  t.teardown(() => smtp.close());
  const { url, db } = await testDatabase(t);
  const { centreId } = await createCentre(db);
  const email = 'pham.van.em@example.gov.vn';
  await createUser(db, {
    email,
    name: 'Phạm Văn Em',
    password: 'mat-khau-thu-nghiem',
    role: 'staff',
    unitCode: await unitCode(db, centreId),
  });
  const env = { DATABASE_URL: url, PUBLIC_URL: TEST_PUBLIC_URL, SMTP_URL: smtp.url, MAIL_FROM: FROM };
  const reset = await runScript('server/cli.ts', ['user', 'reset', '--email', email], env);
  t.equal(reset.code, 0, reset.stderr);
  const link = /^(https:\/\/\S+)$/m.exec(reset.stdout)?.[1] ?? '';
  t.match(reset.stdout, `Mailed the link to ${email}.`);
  const mail = await smtp.waitFor((m) => m.to.includes(email));
  t.match(mail.text, link, 'the printed link, by mail');
  t.match(mail.text, 'Quản trị hệ thống đã cấp lại mật khẩu');
});
