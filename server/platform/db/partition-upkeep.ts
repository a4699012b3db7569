import type { BackgroundDeps, BackgroundPart } from '../jobs/background-part.ts';
import { ensurePartitions } from './partition-repository.ts';

// The monthly partitions of responses are made three months ahead, every
// night at 02:10 Vietnam time, so a submission never waits for one to be
// made (and a month whose partition is missing still lands in the default
// one, counted). A run that cannot get its lock in 2 s fails and is retried
// by the job queue.

/** First days of this month and of the month three ahead, in Vietnam ('YYYY-MM-DD'). */
export function monthsAhead(now: Date, ahead = 3): { from: string; to: string } {
  const vn = new Date(now.getTime() + 7 * 3_600_000);
  const first = (add: number) =>
    new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth() + add, 1)).toISOString().slice(0, 10);
  return { from: first(0), to: first(ahead) };
}

export function partitionUpkeep({ db }: BackgroundDeps): BackgroundPart {
  return {
    tasks: {
      response_partitions_ahead: async () => {
        const { from, to } = monthsAhead(new Date());
        await ensurePartitions(db, from, to);
      },
    },
    crontab: ['10 19 * * * response_partitions_ahead'],
  };
}
