import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator } from 'kysely';
import type { Test } from 'tap';
import { insertUnit } from '../../server/features/organisation/unit-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { MIGRATIONS_DIR } from '../../server/platform/db/migrate.ts';
import { testDatabase } from './harness.ts';

// For the tests of a migration on the rows a live database already holds: a
// database migrated up to the migration before `migration`, with an old
// commune and a survey of one question as a database of that time had them.

export async function databaseBefore(
  t: Test,
  migration: string,
): Promise<{ db: Db; unitId: number; versionId: number }> {
  const { db } = await testDatabase(t, { empty: true });
  const names = (await fs.readdir(MIGRATIONS_DIR))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  const at = names.indexOf(migration);
  if (at < 1) throw new Error(`no migration before ${migration}`);
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
  const { error } = await migrator.migrateTo(names[at - 1]!);
  if (error) throw error;

  const unitId = await insertUnit(db, { code: 'xa-cu', name: 'Xã Cũ', kind: 'commune', parent_id: null });
  const survey = await db.insertInto('survey').values({ code: 'old' }).returning('id').executeTakeFirstOrThrow();
  const definition = {
    code: 'old',
    title: { vi: 'Cũ', en: 'Old' },
    sections: [{ questions: [{ type: 'scale', key: 'overall' }] }],
  };
  const version = await db
    .insertInto('survey_version')
    .values({ survey_id: survey.id, version: 1, definition: JSON.stringify(definition) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { db, unitId, versionId: version.id };
}
