import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';
import { recordOverdueItems } from './feedback-overdue-repository.ts';

// feedback.overdue has no transaction of its own to be written in: an item
// becomes overdue when its deadline passes. Every worker sweeps each minute;
// feedback_record_overdue() (migration 2026-12-05T2305) records the event
// once per item however many sweep at the same moment.

const SWEEP_MS = 60_000;

export function feedbackJobs({ db }: BackgroundDeps): BackgroundPart {
  return { periodic: [{ everyMs: SWEEP_MS, run: () => recordOverdueItems(db) }] };
}
