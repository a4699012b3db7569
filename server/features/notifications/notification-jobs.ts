import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';
import { mailLowScores } from './low-score-mail.ts';

// E-mail notices that follow an event: the low-score alert, queued by the
// database itself when the event is recorded (see low-score-mail.ts).
export function notificationJobs(deps: BackgroundDeps): BackgroundPart {
  return {
    tasks: {
      mail_low_scores: async (payload) => {
        const { unitId } = payload as { unitId?: unknown };
        if (typeof unitId !== 'number' || !Number.isInteger(unitId)) return;
        await mailLowScores(deps, unitId);
      },
    },
  };
}
