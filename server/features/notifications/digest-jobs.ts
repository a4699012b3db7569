import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';

export function digestJobs(_deps: BackgroundDeps): BackgroundPart {
  return {};
}
