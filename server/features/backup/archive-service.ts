import type { Db } from '../../platform/db/connect.ts';
import {
  ARCHIVE_SCHEMA,
  archivedTables,
  detachMonth,
  dropArchivedTables,
  listMonthPartitions,
} from '../../platform/db/partition-repository.ts';
import { backupDatabase } from './backup-service.ts';

// `npm run cli -- archive --before YYYY-MM`: the months before YYYY-MM leave
// the live tables (issue 19). Their partitions are detached into the schema
// `archive`, where they stay until dumped (--out FILE, a pg_dump of that
// schema alone) and, once the dump is written, dropped (--drop). The report
// figures of those months stay: the daily and monthly aggregates keep them;
// raw exports and the feedback pages no longer find the responses.

export class ArchiveError extends Error {}

export interface ArchiveResult {
  months: string[];
  file?: { file: string; bytes: number };
  dropped: string[];
}

/** The month now in Vietnam, 'YYYY-MM'. */
function currentMonth(now: Date): string {
  return new Date(now.getTime() + 7 * 3_600_000).toISOString().slice(0, 7);
}

export async function archiveBefore(
  db: Db,
  databaseUrl: string,
  opts: { before: string; out?: string; drop: boolean; now?: Date },
): Promise<ArchiveResult> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.before)) {
    throw new ArchiveError(`--before takes a month as YYYY-MM, not "${opts.before}".`);
  }
  if (opts.before > currentMonth(opts.now ?? new Date())) {
    throw new ArchiveError(
      `Refusing to archive ${opts.before}: responses of this month and later are still coming in.`,
    );
  }
  if (opts.drop && !opts.out)
    throw new ArchiveError('--drop needs --out FILE: archived rows are dropped only once dumped.');
  const months = (await listMonthPartitions(db)).map((p) => p.month).filter((m) => m < opts.before);
  for (const month of months) await detachMonth(db, month);
  const result: ArchiveResult = { months, dropped: [] };
  if (opts.out) {
    const tables = await archivedTables(db);
    if (!tables.length) return result;
    const done = await backupDatabase(databaseUrl, opts.out, ARCHIVE_SCHEMA);
    result.file = { file: done.file, bytes: done.bytes };
    if (opts.drop) {
      await dropArchivedTables(db, tables);
      result.dropped = tables;
    }
  }
  return result;
}
