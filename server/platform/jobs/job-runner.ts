import { type Runner, run, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { type JobLog, quietJobLogger } from '../db/job-logger.ts';

// The job runner: graphile-worker on its own small pool, woken by
// LISTEN/NOTIFY when a job is queued and polling every second for jobs due
// later. Jobs live in PostgreSQL (schema graphile_worker), so they survive
// restarts; a job that throws is retried by the queue with backoff. It runs
// in the server process (WORKER=inline) or alone (`npm run worker`).

export interface Periodic {
  everyMs: number;
  run: () => Promise<unknown>;
}

export interface JobRunner {
  stop(): Promise<void>;
}

export async function startJobRunner(opts: {
  connectionString: string;
  taskList: TaskList;
  /** Crontab lines in UTC (graphile-worker's format); empty: none. */
  crontab?: string;
  concurrency: number;
  log: JobLog;
  periodic?: Periodic[];
}): Promise<JobRunner> {
  // Our own pool, so that its clients keep an error listener for their
  // whole life: graphile-worker removes its listeners as it stops, and a
  // client cut then (the database restarting, or dropped under a test)
  // would raise an unhandled 'error' event and end the process.
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.concurrency + 2 });
  pool.on('error', (err) => opts.log('warn', `job runner connection failed: ${err.message}`));
  pool.on('connect', (client) => client.on('error', () => {}));
  const runner: Runner = await run({
    pgPool: pool,
    concurrency: opts.concurrency,
    pollInterval: 1_000,
    // Our process handles SIGTERM and stops the runner itself.
    noHandleSignals: true,
    taskList: opts.taskList,
    crontab: opts.crontab ?? '',
    logger: quietJobLogger(opts.log),
  });
  // A fatal error of the runner (its database gone for good) is logged, not
  // left to crash the server it runs in; the sweep and a restart recover.
  runner.promise.catch((err: Error) => opts.log('error', `job runner stopped: ${err.message}`));
  let stopping = false;
  const timers = (opts.periodic ?? []).map((p) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || stopping) return;
      busy = true;
      p.run()
        .catch((err: Error) => opts.log('warn', `periodic job failed: ${err.message}`))
        .finally(() => {
          busy = false;
        });
    }, p.everyMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearInterval(t);
      // Waits for the jobs in flight (a delivery is at most its timeout).
      await runner.stop();
      // Given to run(), the pool is ours to end.
      await pool.end();
    },
  };
}
