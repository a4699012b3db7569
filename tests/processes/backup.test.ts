import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { createApiKey } from '../../server/features/access/api-key-service.ts';
import { createUser } from '../../server/features/access/auth-service.ts';
import { submitResponse } from '../../server/features/submission/submission-service.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { createDesk, unitCode, VALID_FORM_ANSWERS } from '../helpers/fixtures.ts';
import { testDatabase } from '../helpers/harness.ts';
import { runScript } from '../helpers/process.ts';

// npm run cli -- backup / restore, as real processes around pg_dump and
// pg_restore: what comes back is what was there, table by table, and a
// restore never lands on top of live data.

async function tables(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
  return rows.map((r) => r.name);
}

async function count(db: Db, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return rows[0]!.n;
}

/** Up to 25 whole rows, in an order that does not depend on physical layout. */
async function sample(db: Db, table: string): Promise<string[]> {
  const { rows } = await sql<{ row: string }>`
    select to_jsonb(x)::text as row from ${sql.table(table)} x order by 1 limit 25`.execute(db);
  return rows.map((r) => r.row);
}

async function fill(db: Db) {
  const desk = await createDesk(db, ['dat-dai', 'ho-tich']);
  for (let i = 0; i < 30; i++) {
    const result = await submitResponse(db, {
      deskCode: desk.code,
      serviceArea: i % 2 ? 'dat-dai' : 'ho-tich',
      answers: { ...VALID_FORM_ANSWERS, overall: String(1 + (i % 5)) },
      submissionId: randomUUID(),
      channel: 'qr',
      locale: 'vi',
      source: 'form',
    });
    if (result.status !== 'created') throw new Error(`fixture response: ${result.status}`);
  }
  const code = await unitCode(db, desk.centreId);
  await createApiKey(db, { unitCode: code, role: 'manager', label: 'sao lưu' });
  await createUser(db, {
    email: 'quan-tri@example.gov.vn',
    name: 'Quản trị',
    password: 'mat-khau-sao-luu',
    role: 'admin',
  });
  return desk;
}

t.test('a backup restored into an empty database has every table, row for row', async (t) => {
  const source = await testDatabase(t);
  const target = await testDatabase(t, { empty: true });
  const desk = await fill(source.db);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-backup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'hailong.dump');
  const password = decodeURIComponent(new URL(source.url).password);

  const backup = await runScript('server/cli.ts', ['backup', '--out', file], { DATABASE_URL: source.url });
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stdout, /Backup of 127\.0\.0\.1:\d+\/hl_t_\w+ written to .*hailong\.dump \(\d+ KiB\)/);
  t.ok(existsSync(file), 'the dump file is there');

  const restore = await runScript('server/cli.ts', ['restore', file, '--into', target.url], {
    DATABASE_URL: source.url,
  });
  t.equal(restore.code, 0, restore.stderr);
  t.match(restore.stdout, /Restored .* into 127\.0\.0\.1:\d+\/hl_t_\w+: \d+ tables\./);
  for (const out of [backup.stdout, backup.stderr, restore.stdout, restore.stderr]) {
    t.notOk(password && out.includes(password), 'the password is in no output');
  }

  const names = await tables(source.db);
  t.ok(names.includes('response') && names.includes('answer') && names.includes('kysely_migration'));
  t.same(await tables(target.db), names, 'the same tables');
  for (const name of names) {
    t.equal(await count(target.db, name), await count(source.db, name), `${name}: same row count`);
    t.same(await sample(target.db, name), await sample(source.db, name), `${name}: same rows`);
  }
  t.equal(await count(target.db, 'response'), 30);

  // Sequences, triggers and constraints came back too: the restored database takes new responses.
  const maxBefore = Number((await sql<{ m: string }>`select max(id) as m from response`.execute(target.db)).rows[0]!.m);
  const next = await submitResponse(target.db, {
    deskCode: desk.code,
    serviceArea: 'dat-dai',
    answers: VALID_FORM_ANSWERS,
    submissionId: randomUUID(),
    channel: 'qr',
    locale: 'vi',
    source: 'form',
  });
  t.equal(next.status, 'created');
  t.ok(next.status === 'created' && Number(next.id) > maxBefore, 'ids continue after the restored ones');
  const daily = await sql<{ n: number }>`select coalesce(sum(n), 0)::int as n from response_daily`.execute(target.db);
  t.equal(daily.rows[0]!.n, 31, 'the aggregate triggers work in the restored database');

  // The same dump, restored without --into over a database that is in use.
  await t.test('a restore into a database that is not empty is refused and changes nothing', async (t) => {
    const live = await testDatabase(t);
    const desk = await createDesk(live.db, ['dat-dai']);
    const desksBefore = await count(live.db, 'desk');

    const refused = await runScript('server/cli.ts', ['restore', file], { DATABASE_URL: live.url });
    t.equal(refused.code, 1);
    t.match(refused.stderr, /Refusing to restore: the database 127\.0\.0\.1:\d+\/hl_t_\w+ is not empty \(\d+ tables/);
    t.match(refused.stderr, /--into/, 'says what to do instead');
    t.equal(await count(live.db, 'desk'), desksBefore, 'nothing restored over live data');
    t.equal(await count(live.db, 'response'), 0);
    t.ok(await live.db.selectFrom('desk').select('id').where('code', '=', desk.code).executeTakeFirst());
  });
});

t.test('a failed backup leaves no file behind and says why', async (t) => {
  const source = await testDatabase(t);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-backup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'hailong.dump');
  const wrong = new URL(source.url);
  wrong.password = 'not-the-password';
  const run = await runScript('server/cli.ts', ['backup', '--out', file], { DATABASE_URL: wrong.toString() });
  t.equal(run.code, 1);
  t.match(run.stderr, /pg_dump failed on 127\.0\.0\.1:\d+\/hl_t_\w+/);
  t.match(run.stderr, /password authentication failed/);
  t.notOk(run.stderr.includes('not-the-password'), 'the password is not echoed');
  t.notOk(existsSync(file) || existsSync(`${file}.partial`), 'no half-written dump');
});

t.test('restore refuses a missing file and explains its usage', async (t) => {
  const target = await testDatabase(t, { empty: true });
  const missing = await runScript('server/cli.ts', ['restore', '/nonexistent/x.dump', '--into', target.url], {
    DATABASE_URL: target.url,
  });
  t.equal(missing.code, 1);
  t.match(missing.stderr, /No backup file at \/nonexistent\/x\.dump/);
  const usage = await runScript('server/cli.ts', ['restore'], { DATABASE_URL: target.url });
  t.equal(usage.code, 2);
  t.match(usage.stderr, /restore FILE \[--into DATABASE_URL\]/);
});
