import { callbackJobs } from './features/callbacks/callback-jobs.ts';
import { feedbackJobs } from './features/feedback/feedback-jobs.ts';
import { digestJobs } from './features/notifications/digest-jobs.ts';
import { notificationJobs } from './features/notifications/notification-jobs.ts';
import { webhookJobs } from './features/webhooks/webhook-jobs.ts';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/connect.ts';
import { databaseUrlOf } from './platform/db/database-url.ts';
import type { JobLog } from './platform/db/job-logger.ts';
import { partitionUpkeep } from './platform/db/partition-upkeep.ts';
import { outboxRetention } from './platform/events/outbox-retention.ts';
import type { BackgroundDeps, BackgroundPart } from './platform/jobs/background-part.ts';
import { type JobRunner, startJobRunner } from './platform/jobs/job-runner.ts';
import { createMailer } from './platform/mail/mailer.ts';

// What runs in the background: each feature's tasks of the job queue, its
// scheduled runs and its sweeps. server.ts starts it in the server process
// unless WORKER=separate; worker.ts (`npm run worker`) runs it alone.

export function backgroundParts(deps: BackgroundDeps): BackgroundPart[] {
  return [
    outboxRetention(deps),
    partitionUpkeep(deps),
    webhookJobs(deps),
    feedbackJobs(deps),
    notificationJobs(deps),
    digestJobs(deps),
    callbackJobs(deps),
  ];
}

/** The parts merged: one task list, one crontab, all sweeps. */
export function backgroundWork(deps: BackgroundDeps): Required<BackgroundPart> {
  const parts = backgroundParts(deps);
  return {
    tasks: Object.assign({}, ...parts.map((p) => p.tasks ?? {})),
    crontab: parts.flatMap((p) => p.crontab ?? []),
    periodic: parts.flatMap((p) => p.periodic ?? []),
  };
}

/**
 * The names of every task, known without running anything: the parts only
 * close over their deps, so placeholders do (setup.ts registers the names).
 */
export function taskNames(): string[] {
  const placeholder = { db: undefined, config: undefined, mailer: undefined, log: () => {} };
  return Object.keys(backgroundWork(placeholder as unknown as BackgroundDeps).tasks);
}

export async function startBackgroundWork(config: Config, db: Db, log: JobLog): Promise<JobRunner> {
  const mailer = createMailer(config.mail);
  const work = backgroundWork({ db, config, mailer, log });
  const runner = await startJobRunner({
    connectionString: await databaseUrlOf(config),
    taskList: work.tasks,
    crontab: work.crontab.join('\n'),
    concurrency: config.worker.concurrency,
    log,
    periodic: work.periodic,
  });
  return {
    async stop() {
      await runner.stop();
      mailer?.close();
    },
  };
}
