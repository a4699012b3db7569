import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Test } from 'tap';
import { buildApp } from '../../server/app.ts';
import { type Config, loadConfig } from '../../server/platform/config.ts';
import { connect, type Db } from '../../server/platform/db/connect.ts';

// Each test file works in its own database, cloned from the migrated template
// that tests/run.ts prepared, and dropped when the file ends.

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with npm test`);
  return value;
}

function urlFor(database: string): string {
  const u = new URL(env('TEST_ADMIN_URL'));
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A fresh database with the schema and the shipped surveys, no demo data; or,
 * with `empty`, a database with nothing in it (for the migrations' own tests).
 */
export async function testDatabase(t: Test, { empty = false } = {}): Promise<{ db: Db; url: string }> {
  const name = `hl_t_${randomBytes(6).toString('hex')}`;
  const admin = connect({ url: env('TEST_ADMIN_URL'), poolMax: 1 });
  const template = empty ? sql`` : sql` template ${sql.id(env('TEST_TEMPLATE_DB'))}`;
  // FILE_COPY (PostgreSQL 15+; tests/run.ts says when): for a small template
  // about a fifth quicker than the default WAL_LOG, and the suite makes hundreds.
  const strategy = process.env.TEST_DB_STRATEGY === 'file_copy' && !empty ? sql` strategy file_copy` : sql``;
  await sql`create database ${sql.id(name)}${template}${strategy}`.execute(admin);
  const url = urlFor(name);
  const db = connect({ url, poolMax: 5 });
  t.teardown(async () => {
    await db.destroy();
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
    await admin.destroy();
  });
  return { db, url };
}

export const TEST_PUBLIC_URL = 'https://khaosat.example.gov.vn';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ PUBLIC_URL: TEST_PUBLIC_URL }), ...overrides };
}

/** The app on its own database, ready for inject(); closed at teardown. */
export async function testApp(t: Test, overrides: Partial<Config> = {}) {
  const { db, url } = await testDatabase(t);
  const config = testConfig({ databaseUrl: url, ...overrides });
  const app = await buildApp({ config, db });
  t.teardown(() => app.close());
  return { app, db, config };
}
