import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';
import { purgeCallbacks } from './callback-repository.ts';

// Citizens' contacts are deleted 30 days after their item closes (Decree
// 356/2025 on personal data). Hourly at minute 0 (graphile-worker's crontab,
// UTC; each run happens once however many workers there are): a contact is
// gone within the hour it falls due, and a missed run is made up by the next.

export const PURGE_TASK = 'callback_purge';
export const CALLBACK_CRONTAB = [`0 * * * * ${PURGE_TASK}`];

export function callbackJobs(deps: BackgroundDeps): BackgroundPart {
  return {
    tasks: {
      [PURGE_TASK]: async () => {
        await purgeCallbacks(deps.db, new Date());
      },
    },
    crontab: CALLBACK_CRONTAB,
  };
}
