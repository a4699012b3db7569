import type { SatisfactionReport } from '../../../analysis/report-types.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { JobLog } from '../../platform/db/job-logger.ts';
import type { Mail, Mailer } from '../../platform/mail/mailer.ts';
import { feedbackCounts } from '../feedback/feedback-repository.ts';
import { buildSatisfactionReport } from '../reports/report-service.ts';
import {
  alreadySent,
  claimDigest,
  type DigestKey,
  type DueItemRow,
  markDigestSent,
  openItemsDueBefore,
  pruneDigestLedger,
  releaseDigest,
  summaryCandidates,
} from './digest-repository.ts';
import { addDays, dueWindow, lastWeek } from './digest-rules.ts';
import { dueMail, weeklyMail } from './digest-text.ts';
import { recipientsAmong } from './mail-preference-repository.ts';

// The morning reminder to each assignee and the Monday summary to each
// official. Both take `now` so a test can move the clock; the job queue
// calls them with the real one. Each mail is claimed in the ledger before it
// goes (digest-repository.ts): a second run, a retry or a second worker finds
// the claim and sends nothing. A mail the relay refuses gives its claim back
// and the run fails once the others are out, so the queue retries just the
// ones that failed.

export interface DigestDeps {
  db: Db;
  config: Pick<Config, 'publicUrl'>;
  /** Undefined without SMTP: then nothing is read and nothing is sent. */
  mailer: Mailer | undefined;
  log?: JobLog;
}

export interface DigestRun {
  sent: number;
  skipped: number;
}

/** How long the ledger remembers: well beyond any retry or backfill of either job. */
const LEDGER_DAYS = 60;

async function sendOnce(deps: DigestDeps & { mailer: Mailer }, key: DigestKey, mail: Mail): Promise<boolean> {
  if (!(await claimDigest(deps.db, key))) return false;
  try {
    await deps.mailer.send(mail);
  } catch (err) {
    await releaseDigest(deps.db, key);
    throw err;
  }
  await markDigestSent(deps.db, key);
  return true;
}

/** Sends every mail it can, then fails with the first refusal so the queue retries the rest. */
async function sendAll(
  deps: DigestDeps & { mailer: Mailer },
  kind: DigestKey['kind'],
  mails: { key: DigestKey; build: () => Promise<Mail | undefined> }[],
): Promise<DigestRun> {
  const run: DigestRun = { sent: 0, skipped: 0 };
  const failures: unknown[] = [];
  for (const m of mails) {
    try {
      const mail = await m.build();
      if (mail && (await sendOnce(deps, m.key, mail))) run.sent += 1;
      else run.skipped += 1;
    } catch (err) {
      // The user id and the error's code only: a relay's message may quote the address.
      const code = (err as { responseCode?: number; code?: string }).responseCode ?? (err as { code?: string }).code;
      deps.log?.('warn', `${kind} mail to user ${m.key.userId} failed`, { code: code ?? 'unknown' });
      failures.push(err);
    }
  }
  if (failures.length) {
    throw new Error(`${failures.length} of ${mails.length} ${kind} mails failed; the retry sends only those`, {
      cause: failures[0],
    });
  }
  return run;
}

function byAssignee(items: readonly DueItemRow[]): Map<number, DueItemRow[]> {
  const out = new Map<number, DueItemRow[]>();
  for (const item of items) out.set(item.assigneeUserId, [...(out.get(item.assigneeUserId) ?? []), item]);
  return out;
}

/**
 * One mail to each assignee who kept `feedback_due` on, listing their open
 * items already late or due before the end of the next working day (local;
 * see dueWindow); nothing to one with none. At most one mail per person and
 * local day.
 */
export async function sendDueReminders(deps: DigestDeps, now: Date): Promise<DigestRun> {
  const { mailer, db } = deps;
  if (!mailer) return { sent: 0, skipped: 0 };
  const { today, until } = dueWindow(now);
  await pruneDigestLedger(db, addDays(today, -LEDGER_DAYS));
  const items = byAssignee(await openItemsDueBefore(db, until));
  const recipients = await recipientsAmong(db, 'feedback_due', [...items.keys()]);
  const sent = await alreadySent(
    db,
    'feedback_due',
    today,
    recipients.map((r) => r.userId),
  );
  const mails = recipients
    .filter((r) => !sent.has(r.userId))
    .map((r) => ({
      key: { userId: r.userId, kind: 'feedback_due' as const, day: today },
      build: async () => {
        const text = dueMail({
          name: r.name,
          items: items.get(r.userId) ?? [],
          now,
          today,
          publicUrl: deps.config.publicUrl,
        });
        return text && { to: r.email, ...text };
      },
    }));
  return sendAll({ ...deps, mailer }, 'feedback_due', mails);
}

/**
 * The Monday summary of the week before (Monday to Sunday, local) to every
 * active official, and every administrator attached to a unit, who kept
 * `weekly_summary` on: for their unit's subtree, from the same report the
 * dashboard shows. Administrators without a unit get none: they oversee the
 * platform, not a unit's plan, and no single report is theirs. At most one
 * mail per person and week (keyed by the week's Monday).
 */
export async function sendWeeklySummaries(deps: DigestDeps, now: Date): Promise<DigestRun> {
  const { mailer, db } = deps;
  if (!mailer) return { sent: 0, skipped: 0 };
  const week = lastWeek(now);
  const candidates = new Map((await summaryCandidates(db)).map((c) => [c.userId, c]));
  const recipients = await recipientsAmong(db, 'weekly_summary', [...candidates.keys()]);
  const sent = await alreadySent(
    db,
    'weekly_summary',
    week.from,
    recipients.map((r) => r.userId),
  );
  // Officials of one unit share its report: computed once per run.
  const reports = new Map<number, Promise<SatisfactionReport | undefined>>();
  const reportOf = (actor: Actor, unitId: number) => {
    let report = reports.get(unitId);
    if (!report) {
      report = buildSatisfactionReport(db, actor, { unitId, from: week.from, to: week.to });
      reports.set(unitId, report);
    }
    return report;
  };
  const mails = recipients
    .filter((r) => !sent.has(r.userId))
    .map((r) => {
      const c = candidates.get(r.userId)!;
      return {
        key: { userId: r.userId, kind: 'weekly_summary' as const, day: week.from },
        build: async () => {
          const actor: Actor = {
            userId: c.userId,
            keyId: null,
            role: c.role,
            unitId: c.unitId,
            unitPath: c.unitPath,
            label: c.email,
          };
          const report = await reportOf(actor, c.unitId);
          if (!report) return undefined;
          const { overdue } = await feedbackCounts(db, c.unitPath, now);
          const text = weeklyMail({ name: r.name, report, week, overdue, publicUrl: deps.config.publicUrl });
          return { to: r.email, ...text };
        },
      };
    });
  return sendAll({ ...deps, mailer }, 'weekly_summary', mails);
}
