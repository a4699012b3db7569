import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, type Kysely, type MigrationResult, Migrator } from 'kysely';
import { finishPartitionMove, type MoveProgress } from './partition-move.ts';

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
 * the second waits and then finds nothing to do. Then finishes moving the
 * responses into their monthly partitions if migration 2026-12-05T2340 left
 * any to move (partition-move.ts): the schema is not the latest until then.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  opts: { onMoveProgress?: (p: MoveProgress) => void } = {},
): Promise<MigrationResult[]> {
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
  await finishPartitionMove(db, { onBatch: opts.onMoveProgress });
  return results;
}
