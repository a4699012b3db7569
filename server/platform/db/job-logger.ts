import { Logger, type LogLevel } from 'graphile-worker';

/** Where the job queue's own messages go: our log, warnings and errors only. */
export type JobLog = (level: 'warn' | 'error', message: string, meta?: Record<string, unknown>) => void;

/**
 * graphile-worker's logger, writing warnings and errors to `log` and
 * dropping the rest (it announces every job at info level). Its metadata can
 * hold a job's payload; ours holds only ids, never personal data.
 */
export function quietJobLogger(log?: JobLog): Logger {
  return new Logger((scope) => (level: LogLevel, message: string) => {
    const at = String(level);
    const where = { task: scope.taskIdentifier, jobId: scope.jobId };
    if (at === 'error') log?.('error', message, where);
    else if (at === 'warning') log?.('warn', message, where);
  });
}
