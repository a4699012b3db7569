import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';

export function notificationJobs(_deps: BackgroundDeps): BackgroundPart {
  return {};
}
