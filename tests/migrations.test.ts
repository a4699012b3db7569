import { readdirSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import t from 'tap';
import { connect } from '../server/platform/db/connect.ts';
import { MIGRATIONS_DIR, MigrationError, migrateToLatest } from '../server/platform/db/migrate.ts';
import { testDatabase } from './helpers/harness.ts';
import { messageOf, rejection } from './helpers/refused.ts';

// The migrations against a real PostgreSQL: applying them, running two
// migrators at once, a failing migration (the rules the schema itself
// enforces: schema-rules.test.ts).

/** The migration names Kysely derives from the files, in the order it applies them. */
const MIGRATION_NAMES = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, f.lastIndexOf('.')))
  .sort();

const TABLES = ['unit', 'service_area', 'survey', 'survey_version', 'desk', 'desk_service_area', 'response', 'answer'];

const SERVICE_AREAS = [
  'dat-dai',
  'xay-dung',
  'dau-tu-kinh-doanh',
  'ho-tich',
  'chung-thuc',
  'cu-tru',
  'lao-dong-xa-hoi',
  'y-te',
  'giao-duc',
  'bao-hiem',
];

async function publicTables(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

t.test('migrateToLatest on an empty database applies every migration once', async (t) => {
  const { db } = await testDatabase(t, { empty: true });
  t.same(await publicTables(db), [], 'the database starts empty');
  t.ok(MIGRATION_NAMES.length >= 2, 'migrations are found');

  const results = await migrateToLatest(db);
  t.same(
    results.map((r) => r.migrationName),
    MIGRATION_NAMES,
    'every file in migrations/, in order',
  );
  t.ok(
    results.every((r) => r.status === 'Success' && r.direction === 'Up'),
    'all succeeded',
  );
  t.same(await appliedMigrations(db), MIGRATION_NAMES, 'recorded as applied');

  const again = await migrateToLatest(db);
  t.same(again, [], 'a second run applies nothing');
  t.same(await appliedMigrations(db), MIGRATION_NAMES);

  const tables = await publicTables(db);
  for (const table of TABLES) t.ok(tables.includes(table), `table ${table} exists`);

  const areas = await db
    .selectFrom('service_area')
    .select(['code', 'name_vi', 'name_en', 'active'])
    .orderBy('sort_order')
    .execute();
  t.same(
    areas.map((a) => a.code),
    SERVICE_AREAS,
    'the 10 service areas, in their order',
  );
  t.ok(
    areas.every((a) => a.active),
    'all active',
  );
  const name = (code: string) => areas.find((a) => a.code === code)?.name_vi;
  t.equal(name('dat-dai'), 'Đất đai');
  t.equal(name('ho-tich'), 'Hộ tịch');
  t.equal(name('bao-hiem'), 'Bảo hiểm xã hội, bảo hiểm y tế');
  for (const a of areas) t.equal(a.name_vi, a.name_vi.normalize('NFC'), `${a.code}: stored in NFC`);
});

t.test('two migrators started at once both succeed and migrate once', async (t) => {
  const { url } = await testDatabase(t, { empty: true });
  const first = connect({ url, poolMax: 2 });
  const second = connect({ url, poolMax: 2 });
  t.teardown(async () => {
    await first.destroy();
    await second.destroy();
  });

  const settled = await Promise.allSettled([migrateToLatest(first), migrateToLatest(second)]);
  for (const [i, s] of settled.entries()) {
    t.equal(
      s.status,
      'fulfilled',
      `migrator ${i + 1} resolves${s.status === 'rejected' ? `: ${messageOf(s.reason)}` : ''}`,
    );
  }
  const applied = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  t.same(
    applied.map((r) => r.migrationName).sort(),
    MIGRATION_NAMES,
    'each migration was applied by exactly one of them',
  );
  t.ok(applied.every((r) => r.status === 'Success'));

  t.same(await appliedMigrations(first), MIGRATION_NAMES, 'each migration recorded once');
  const tables = await publicTables(first);
  for (const table of TABLES) t.ok(tables.includes(table), `table ${table} exists`);
  const { rows } = await sql<{ n: string }>`select count(*) as n from service_area`.execute(first);
  t.equal(Number(rows[0]?.n), 10, 'the service areas once');
});

t.test('a failing migration rejects with MigrationError naming it and leaves nothing half done', async (t) => {
  const { db } = await testDatabase(t, { empty: true });
  // The first migration creates `unit`; with one already there it must fail.
  await sql`create table unit (id integer)`.execute(db);

  const err = await rejection(t, migrateToLatest(db), 'migrating over a conflicting table');
  t.ok(err instanceof MigrationError, 'a MigrationError');
  if (err instanceof MigrationError) {
    const firstName = MIGRATION_NAMES[0] ?? '';
    t.ok(firstName && err.message.includes(firstName), `the message names ${firstName}: ${err.message}`);
    t.match(err.message, /unit/, 'and says what went wrong');
    t.same(
      err.results.find((r) => r.status === 'Error')?.migrationName,
      firstName,
      'the results say which migration failed',
    );
    t.notOk(
      err.results.some((r) => r.status === 'Success'),
      'none is reported as applied',
    );
  }
  t.same(await appliedMigrations(db), [], 'no migration recorded as applied');
  t.same(
    (await publicTables(db)).filter((name) => !name.startsWith('kysely_')),
    ['unit'],
    'only the table that was there before: the failed migration was rolled back',
  );
});
