import type { TaskList } from 'graphile-worker';
import { deliver, sweepDeliveries } from './features/webhooks/webhook-delivery.ts';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/connect.ts';
import { databaseUrlOf } from './platform/db/database-url.ts';
import type { JobLog } from './platform/db/job-logger.ts';
import { type JobRunner, startJobRunner } from './platform/jobs/job-runner.ts';

// What runs in the background: the tasks of the job queue, by name, and the
// periodic sweeps. server.ts starts it in the server process unless
// WORKER=separate; worker.ts (`npm run worker`) runs it alone.

/** How often each worker process looks for deliveries a dead worker left behind. */
const SWEEP_MS = 5_000;

export function taskList(db: Db, config: Config): TaskList {
  return {
    webhook_deliver: async (payload) => {
      const { deliveryId } = payload as { deliveryId?: unknown };
      if (typeof deliveryId !== 'string') return;
      await deliver(db, deliveryId, config.webhooks);
    },
  };
}

export async function startBackgroundWork(config: Config, db: Db, log: JobLog): Promise<JobRunner> {
  return startJobRunner({
    connectionString: await databaseUrlOf(config),
    taskList: taskList(db, config),
    concurrency: config.worker.concurrency,
    log,
    periodic: [{ everyMs: SWEEP_MS, run: () => sweepDeliveries(db) }],
  });
}
