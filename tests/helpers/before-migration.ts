import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, type Kysely, Migrator } from 'kysely';
import type { Test } from 'tap';
import { insertUnit } from '../../server/features/organisation/unit-repository.ts';
import { answerValues, type NewResponse } from '../../server/features/submission/response-repository.ts';
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

/**
 * insertResponsesBulk as it was before the monthly partitions (migration
 * 2026-12-05T2340): an answer did not carry its response's submitted_at.
 * For a database migrated to an earlier point only.
 */
export async function insertResponsesBefore(db: Db, rows: (NewResponse & { submittedAt: Date })[]): Promise<void> {
  const old = db as unknown as Kysely<any>;
  for (const r of rows) {
    const { id } = await old
      .insertInto('response')
      .values({
        submission_id: r.submissionId,
        payload_hash: r.payloadHash,
        survey_version_id: r.surveyVersionId,
        unit_id: r.unitId,
        desk_id: r.deskId,
        service_area_code: r.serviceArea,
        channel: r.channel,
        locale: r.locale,
        submitted_at: r.submittedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const a of r.answers) {
      await old
        .insertInto('answer')
        .values({ response_id: id, indicator_key: a.key, ...answerValues(a) })
        .execute();
    }
  }
}
