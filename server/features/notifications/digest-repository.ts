import { type Generated, sql } from 'kysely';
import type { Db } from '../../platform/db/connect.ts';
import type { Role } from '../../platform/db/schema.ts';

// What the morning reminders and the Monday summary read (open items by
// assignee, the officials who get a summary) and the ledger that keeps each
// of them to one mail per person and day (migration 2026-12-05T2325).

export type DigestKind = 'feedback_due' | 'weekly_summary';

/** One mail: to whom, which kind, for which local day ('yyyy-mm-dd'). */
export interface DigestKey {
  userId: number;
  kind: DigestKind;
  day: string;
}

interface DigestMailSentTable {
  user_id: number;
  kind: DigestKind;
  /** date; written as 'yyyy-mm-dd', never read back */
  day: string;
  claimed_at: Generated<Date>;
  sent_at: Date | null;
}

// The ledger is this feature's own table: typed here rather than in the shared schema.
const ledger = (db: Db) => db.withTables<{ digest_mail_sent: DigestMailSentTable }>();

/** A claim older than this with no sent_at was left by a crash mid-send: it may be taken again. */
const STALE_CLAIM = sql`interval '15 minutes'`;

export interface DueItemRow {
  id: number;
  assigneeUserId: number;
  dueAt: Date;
  unitName: string;
  serviceAreaName: string;
}

/**
 * Open work items (not praise, not withheld, not answered or closed) with an
 * assignee and a deadline before `until`, earliest deadline first. No
 * comment text: the mail that lists them is less protected than the inbox.
 */
export async function openItemsDueBefore(db: Db, until: Date): Promise<DueItemRow[]> {
  const rows = await db
    .selectFrom('feedback_item as f')
    .innerJoin('unit as u', 'u.id', 'f.unit_id')
    .innerJoin('service_area as a', 'a.code', 'f.service_area_code')
    .select([
      'f.id',
      'f.assignee_user_id as assigneeUserId',
      'f.due_at as dueAt',
      'u.name as unitName',
      'a.name_vi as serviceAreaName',
    ])
    .where('f.kind', '=', 'item')
    .where('f.withheld', 'is', null)
    .where('f.status', 'not in', ['answered', 'closed'])
    .where('f.assignee_user_id', 'is not', null)
    .where('f.due_at', '<', until)
    .orderBy('f.assignee_user_id')
    .orderBy('f.due_at')
    .orderBy('f.id')
    .execute();
  return rows.map((r) => ({ ...r, assigneeUserId: r.assigneeUserId!, dueAt: r.dueAt! }));
}

export interface SummaryCandidate {
  userId: number;
  email: string;
  role: Role;
  unitId: number;
  unitPath: string;
}

/** Active officials and administrators who belong to a unit: the summary covers that unit's subtree. */
export async function summaryCandidates(db: Db): Promise<SummaryCandidate[]> {
  return db
    .selectFrom('app_user as p')
    .innerJoin('unit as u', 'u.id', 'p.unit_id')
    .select(['p.id as userId', 'p.email', 'p.role', 'u.id as unitId', 'u.path as unitPath'])
    .where('p.active', '=', true)
    .where('p.role', 'in', ['official', 'admin'])
    .orderBy('p.id')
    .execute();
}

/** Of the given users, those whose mail of this kind and day has gone already. */
export async function alreadySent(db: Db, kind: DigestKind, day: string, userIds: readonly number[]) {
  if (!userIds.length) return new Set<number>();
  const rows = await ledger(db)
    .selectFrom('digest_mail_sent')
    .select('user_id')
    .where('kind', '=', kind)
    .where('day', '=', day)
    .where('user_id', 'in', userIds)
    .where('sent_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

/**
 * Takes the right to send one mail: true for a new claim, or for one a crash
 * left behind; false when the mail went, or another run is sending it now.
 */
export async function claimDigest(db: Db, key: DigestKey): Promise<boolean> {
  const row = await ledger(db)
    .insertInto('digest_mail_sent')
    .values({ user_id: key.userId, kind: key.kind, day: key.day })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'kind', 'day'])
        .doUpdateSet({ claimed_at: sql`now()` })
        .where('digest_mail_sent.sent_at', 'is', null)
        .where('digest_mail_sent.claimed_at', '<', sql<Date>`now() - ${STALE_CLAIM}`),
    )
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function markDigestSent(db: Db, key: DigestKey): Promise<void> {
  await ledger(db)
    .updateTable('digest_mail_sent')
    .set({ sent_at: sql`now()` })
    .where('user_id', '=', key.userId)
    .where('kind', '=', key.kind)
    .where('day', '=', key.day)
    .execute();
}

/** Gives a claim back after the relay refused the mail: the job's retry sends it. */
export async function releaseDigest(db: Db, key: DigestKey): Promise<void> {
  await ledger(db)
    .deleteFrom('digest_mail_sent')
    .where('user_id', '=', key.userId)
    .where('kind', '=', key.kind)
    .where('day', '=', key.day)
    .where('sent_at', 'is', null)
    .execute();
}

/** Forgets the ledger before `day`: no run looks that far back. */
export async function pruneDigestLedger(db: Db, day: string): Promise<void> {
  await ledger(db).deleteFrom('digest_mail_sent').where('day', '<', day).execute();
}
