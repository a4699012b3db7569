import { sql } from 'kysely';
import t from 'tap';
import { createUser } from '../../server/features/access/auth-service.ts';
import { secretHash } from '../../server/platform/secrets.ts';
import { createCentre, unitCode } from '../helpers/fixtures.ts';
import { testDatabase } from '../helpers/harness.ts';
import { runScript } from '../helpers/process.ts';

// npm run cli -- <command>, run as a real process against a test database.

const PUBLIC_URL = 'https://khaosat.example.gov.vn';

t.test('migrate, seed-demo and desks work on an empty database', async (t) => {
  const { url, db } = await testDatabase(t, { empty: true });
  const env = { DATABASE_URL: url, PUBLIC_URL };

  const migrate = await runScript('server/cli.ts', ['migrate'], env);
  t.equal(migrate.code, 0, migrate.stderr);
  t.match(migrate.stdout, /Applied: .*initial/);
  const again = await runScript('server/cli.ts', ['migrate'], env);
  t.equal(again.code, 0);
  t.match(again.stdout, /Schema is up to date\./);

  const seed = await runScript('server/cli.ts', ['seed-demo'], env);
  t.equal(seed.code, 0, seed.stderr);
  t.match(seed.stdout, /Added 19 units, 28 desks, \d+ responses, \d+ survey-round forms\./);
  const reseed = await runScript('server/cli.ts', ['seed-demo'], env);
  t.match(reseed.stdout, /already there/);

  const json = await runScript('server/cli.ts', ['desks', '--json'], env);
  t.equal(json.code, 0, json.stderr);
  const desks = JSON.parse(json.stdout) as {
    code: string;
    unitCode: string;
    unitName: string;
    serviceAreas: string[];
    url: string;
  }[];
  t.equal(desks.length, 28);
  const q1 = desks.find((d) => d.code === 'tan-hoi-q1');
  t.same(q1, {
    code: 'tan-hoi-q1',
    name: 'Quầy 1 – Đất đai, Xây dựng',
    unitCode: 'tan-hoi-tt',
    unitName: 'Trung tâm Phục vụ hành chính công xã Tân Hội',
    serviceAreas: ['dat-dai', 'xay-dung'],
    url: `${PUBLIC_URL}/q/tan-hoi-q1`,
  });

  const text = await runScript('server/cli.ts', ['desks'], env);
  t.equal(text.code, 0);
  t.match(
    text.stdout,
    /^tan-hoi-q1\ttan-hoi-tt\tTrung tâm Phục vụ hành chính công xã Tân Hội\tdat-dai,xay-dung\thttps:\/\/khaosat\.example\.gov\.vn\/q\/tan-hoi-q1$/m,
  );

  // The demo it seeded, as an official would look at it: the QR stream (the
  // survey rounds' paper forms have no desk; tests/demo-rounds.test.ts).
  await t.test('the demo responses are plausible: office hours, on weekdays, in the past', async (t) => {
    const row = await sql<{
      n: number;
      off_hours: number;
      weekend: number;
      future: number;
      areas_wrong: number;
      rate: number;
    }>`
      select count(*)::int as n,
        count(*) filter (where extract(hour from submitted_at at time zone 'Asia/Ho_Chi_Minh') not between 7 and 16)::int as off_hours,
        count(*) filter (where extract(isodow from submitted_at at time zone 'Asia/Ho_Chi_Minh') > 5)::int as weekend,
        count(*) filter (where submitted_at > now())::int as future,
        count(*) filter (where not exists (select 1 from desk_service_area d
          where d.desk_id = r.desk_id and d.service_area_code = r.service_area_code))::int as areas_wrong,
        (select avg((a.value_num >= 4)::int)::float from answer a join response x on x.id = a.response_id
          where a.indicator_key = 'overall' and x.round_id is null) as rate
      from response r
      where r.round_id is null`.execute(db);
    const s = row.rows[0]!;
    t.ok(s.n > 1000, `${s.n} responses`);
    t.equal(s.off_hours, 0);
    t.equal(s.weekend, 0);
    t.equal(s.future, 0);
    t.equal(s.areas_wrong, 0, 'every response is in an area its desk serves');
    t.ok(s.rate > 0.75 && s.rate < 0.97, `overall satisfaction ${s.rate} is plausible`);
  });
});

t.test('bad commands and failures exit non-zero with a message', async (t) => {
  const unknown = await runScript('server/cli.ts', ['frobnicate'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /Unknown command: frobnicate/);

  const unreachable = await runScript('server/cli.ts', ['migrate'], { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/x' });
  t.equal(unreachable.code, 1);
  t.match(unreachable.stderr, /Failed:/);

  // A migration that fails (a table in its way) must not exit 0.
  const { url, db } = await testDatabase(t, { empty: true });
  await sql`create table unit (id int)`.execute(db);
  const failed = await runScript('server/cli.ts', ['migrate'], { DATABASE_URL: url });
  t.equal(failed.code, 1);
  t.match(failed.stderr, /Migration .*initial failed/);
});

t.test('user list, disable and reset manage accounts from the command line', async (t) => {
  const { url, db } = await testDatabase(t);
  const env = { DATABASE_URL: url, PUBLIC_URL };
  const centre = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const code = await unitCode(db, centre.centreId);
  for (const [email, unit] of [
    ['lan@example.gov.vn', code],
    ['minh@example.gov.vn', await unitCode(db, other.centreId)],
  ] as const) {
    await createUser(db, { email, name: 'Cán bộ', password: 'mat-khau-thu-nghiem', role: 'staff', unitCode: unit });
  }
  const lan = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', 'lan@example.gov.vn')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('user_session')
    .values({ token_hash: 'phien', user_id: lan.id, csrf_token: 'x', expires_at: new Date(Date.now() + 3_600_000) })
    .execute();

  const json = await runScript('server/cli.ts', ['user', 'list', '--json'], env);
  t.equal(json.code, 0, json.stderr);
  t.same(
    (JSON.parse(json.stdout) as { email: string; unit: string; active: boolean; lastSignInAt: null }[]).map((u) => [
      u.email,
      u.unit,
      u.active,
      u.lastSignInAt,
    ]),
    [
      ['lan@example.gov.vn', code, true, null],
      ['minh@example.gov.vn', await unitCode(db, other.centreId), true, null],
    ],
  );

  const disabled = await runScript('server/cli.ts', ['user', 'disable', '--email', 'minh@example.gov.vn'], env);
  t.equal(disabled.code, 0, disabled.stderr);
  const listed = await runScript('server/cli.ts', ['user', 'list', '--unit', await unitCode(db, other.centreId)], env);
  t.equal(
    listed.stdout,
    `minh@example.gov.vn\tCán bộ\tstaff\t${await unitCode(db, other.centreId)}\tdisabled\tnever\n`,
  );

  const reset = await runScript('server/cli.ts', ['user', 'reset', '--email', 'LAN@example.gov.vn'], env);
  t.equal(reset.code, 0, reset.stderr);
  const link = /^(https:\/\/\S+)$/m.exec(reset.stdout)?.[1] ?? '';
  t.match(link, new RegExp(`^${PUBLIC_URL}/staff/set-password/[A-Za-z0-9_-]{43}$`), 'prints the one-time link');
  const stored = await db.selectFrom('password_link').select(['token_hash', 'user_id']).execute();
  t.same(stored, [{ token_hash: secretHash(link.split('/').pop()!), user_id: lan.id }], 'kept as a hash');
  const session = await db.selectFrom('user_session').select('revoked_at').executeTakeFirstOrThrow();
  t.ok(session.revoked_at, "the account's sessions have ended");
  const audit = await db.selectFrom('audit_event').select(['action', 'actor_label']).orderBy('id').execute();
  t.same(audit, [
    { action: 'user.deactivate', actor_label: 'cli' },
    { action: 'user.reset_password', actor_label: 'cli' },
  ]);
});
