import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';

export function callbackJobs(_deps: BackgroundDeps): BackgroundPart {
  return {};
}
