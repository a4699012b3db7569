import type { BackgroundDeps } from '../../platform/jobs/background-part.ts';
import {
  advanceThrottle,
  lockThrottle,
  managersFor,
  pendingLowScores,
  queueLowScoreMail,
} from './low-score-repository.ts';
import { lowScoreMailText } from './low-score-text.ts';
import { recipientsAmong } from './mail-preference-repository.ts';

// The low-score alert (issue 18, part 3): the job `mail_low_scores` of a
// unit, queued by every `response.low_score` event (migrations/
// 2026-12-05T2315_low-score-mail.ts), mails the unit's managers the low
// scores since its last mail, at most once in 15 minutes.
//
// One mail with every recipient in To, not one per manager: a single SMTP
// transaction either goes or not, so a retry after a failure never sends a
// second copy to those who already got one; the managers of one centre
// know one another, so the shared To line discloses nothing.
//
// The throttle row stays locked while the relay is spoken to: a second
// worker with the same unit waits, then sees the mail sent and the window
// running. The row is advanced only once the relay accepted the mail; if it
// throws, the transaction rolls back and the queue retries the job.

export const LOW_SCORE_WINDOW_MS = 15 * 60_000;

export type LowScoreOutcome =
  | { status: 'no_mailer' | 'nothing' | 'no_recipients' }
  | { status: 'waiting'; until: Date }
  | { status: 'sent'; to: string[]; total: number };

export async function mailLowScores(
  deps: Pick<BackgroundDeps, 'db' | 'config' | 'mailer'>,
  unitId: number,
  now = new Date(),
): Promise<LowScoreOutcome> {
  const { db, config, mailer } = deps;
  // Nothing is covered without a relay: once one is configured, the next
  // low score's job mails what is still pending.
  if (!mailer) return { status: 'no_mailer' };
  return db.transaction().execute(async (trx): Promise<LowScoreOutcome> => {
    const throttle = await lockThrottle(trx, unitId, now);
    const pending = await pendingLowScores(trx, unitId, throttle.coveredUntil);
    if (!pending) return { status: 'nothing' };
    const until = new Date(throttle.lastSentAt.getTime() + LOW_SCORE_WINDOW_MS);
    if (now < until) {
      // A job queued while the last one was sending: wait for the window.
      await queueLowScoreMail(trx, unitId, until);
      return { status: 'waiting', until };
    }
    const { unitName, userIds, above } = await managersFor(trx, unitId);
    const recipients = await recipientsAmong(trx, 'low_score', userIds);
    if (!recipients.length) {
      // Nobody to tell now: these scores must not burst out later in someone's first mail.
      await advanceThrottle(trx, unitId, { coveredUntil: pending.newest });
      return { status: 'no_recipients' };
    }
    const to = recipients.map((r) => r.email);
    const text = lowScoreMailText({
      unitName,
      unitId,
      above,
      total: pending.total,
      groups: pending.groups,
      publicUrl: config.publicUrl,
    });
    await mailer.send({ to, ...text });
    await advanceThrottle(trx, unitId, { lastSentAt: now, coveredUntil: pending.newest });
    return { status: 'sent', to, total: pending.total };
  });
}
