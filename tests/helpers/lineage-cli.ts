import { lineageCommand } from '../../server/features/organisation/unit-lineage-cli.ts';
import type { Db } from '../../server/platform/db/connect.ts';

/** Runs the CLI with its output caught (tap reads this process's stdout). */
export async function lineageCli(db: Db, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = [process.stdout.write, process.stderr.write] as const;
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => {
    err += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await lineageCommand(db, args), out, err };
  } finally {
    [process.stdout.write, process.stderr.write] = write;
  }
}
