import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/connect.ts';
import { ArchiveError, archiveBefore } from './archive-service.ts';
import { BackupError, configuredDatabase } from './backup-service.ts';

/** `archive --before YYYY-MM [--out FILE [--drop]]` (cli.ts); returns the exit code. */
export async function archiveCommand(db: Db, config: Config, args: string[]): Promise<number> {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const before = value('before');
  if (!before) {
    process.stderr.write('Usage: npm run cli -- archive --before YYYY-MM [--out FILE [--drop]]\n');
    return 2;
  }
  // pg_dump holds a session: configuredDatabase prefers DATABASE_DIRECT_URL.
  const configured = await configuredDatabase(config);
  try {
    const r = await archiveBefore(db, configured.url, { before, out: value('out'), drop: args.includes('--drop') });
    process.stdout.write(
      r.months.length
        ? `Detached ${r.months.length} months into the schema "archive": ${r.months.join(', ')}.\n`
        : `No month before ${before} is still in the live tables.\n`,
    );
    if (r.file) process.stdout.write(`Archive written to ${r.file.file} (${Math.ceil(r.file.bytes / 1024)} KiB).\n`);
    if (r.dropped.length) process.stdout.write(`Dropped the archived tables: ${r.dropped.join(', ')}.\n`);
    else if (!r.file) process.stdout.write('They stay in the schema "archive" until dumped with --out FILE.\n');
    return 0;
  } catch (err) {
    if (!(err instanceof ArchiveError || err instanceof BackupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  } finally {
    await configured.close();
  }
}
