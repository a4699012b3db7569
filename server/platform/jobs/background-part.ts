import type { TaskList } from 'graphile-worker';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { JobLog } from '../db/job-logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Periodic } from './job-runner.ts';

/** What every background job may use. `mailer` is undefined without SMTP_URL and MAIL_FROM. */
export interface BackgroundDeps {
  db: Db;
  config: Config;
  mailer: Mailer | undefined;
  log: JobLog;
}

/**
 * A feature's share of the background work: tasks of the job queue by name
 * (queued with graphile_worker.add_job or addJob), crontab lines (graphile-
 * worker's format, in UTC: 07:00 in Vietnam is `0 0 * * *`; each run happens
 * once however many workers there are) and periodic sweeps every worker runs.
 */
export interface BackgroundPart {
  tasks?: TaskList;
  crontab?: string[];
  periodic?: Periodic[];
}
