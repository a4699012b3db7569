import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';
import { sendDueReminders, sendWeeklySummaries } from './digest-service.ts';

// The scheduled mails: each morning's reminder of feedback due or late, and
// the Monday summary, both at 07:00 in Vietnam (00:00 UTC; graphile-worker
// reads crontab in UTC and runs each line once however many workers there
// are).
//
// fill: a worker that was down at 07:00 still sends the run when it comes
// back the same morning (reminder: within 6 hours; summary: within the day),
// not days late. max=10: graphile-worker waits e^attempt seconds between
// tries, so ten tries end about 3.6 hours after the first, still on the same
// local day, and the ledger's day key stays the day the mail is about.

export const DUE_TASK = 'mail_feedback_due';
export const WEEKLY_TASK = 'mail_weekly_summary';

export const DIGEST_CRONTAB = [`0 0 * * * ${DUE_TASK} ?fill=6h&max=10`, `0 0 * * 1 ${WEEKLY_TASK} ?fill=1d&max=10`];

export function digestJobs(deps: BackgroundDeps): BackgroundPart {
  return {
    tasks: {
      // Without SMTP the tasks still exist (a queued run must not fail as unknown) and send nothing.
      [DUE_TASK]: async () => {
        await sendDueReminders(deps, new Date());
      },
      [WEEKLY_TASK]: async () => {
        await sendWeeklySummaries(deps, new Date());
      },
    },
    crontab: DIGEST_CRONTAB,
  };
}
