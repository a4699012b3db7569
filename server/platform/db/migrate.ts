import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, type Kysely, type MigrationResult, Migrator } from 'kysely';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResult[] = [],
  ) {
    super(message);
  }
}

/**
 * Brings the schema to the latest migration. Kysely's Postgres adapter holds
 * an advisory lock while it runs, so two instances starting at once are safe:
 * the second waits and then finds nothing to do.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const cause = error instanceof Error ? error.message : String(error);
    throw new MigrationError(`Migration ${failed} failed: ${cause}`, results);
  }
  return results;
}
