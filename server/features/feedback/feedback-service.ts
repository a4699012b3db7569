import { formatDateVi, parseDateInput } from '../../../analysis/local-time.ts';
import { formatCountVi, formatPercentVi } from '../../../analysis/vi-number.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { listUnitTree } from '../organisation/unit-admin-service.ts';
import {
  countFeedback,
  feedbackFiguresForPeriod as figuresForPeriod,
  type InboxQuery,
  type InboxView,
  listFeedback,
  listScopeDesks,
  type PeriodFigures,
  type StatusFilter,
} from './feedback-inbox-repository.ts';
import { findPublicReply } from './feedback-reply-repository.ts';
import { dueWorkingDays, type FeedbackRow, feedbackCounts } from './feedback-repository.ts';
import {
  feedbackRates,
  isOverdue,
  PRAISE_NAME,
  REASON_NAMES,
  replyKeyOf,
  STATUS_NAMES,
  WITHHELD_NAMES,
} from './feedback-rules.ts';

// The feedback inbox of a unit's subtree: its lists, filters and pages, the
// figures of a period for the report, and the public reply a citizen reads.
// One item's page and changes: feedback-item-service.ts.
//
// Anonymity: a manager who knows who was at a desk at 09:24 must not learn
// who complained, so every moment tied to the citizen's response (sent,
// opened, due: due_at keeps the time of day it was sent) is shown as a date
// only. Staff actions keep their time: they are not the citizen's.

export const PAGE_SIZE = 50;

export interface FeedbackListItem extends FeedbackRow {
  submittedText: string;
  dueText: string;
  statusText: string;
  reasonText: string;
  overdue: boolean;
}

export function listItem(r: FeedbackRow, now: Date): FeedbackListItem {
  return {
    ...r,
    submittedText: formatDateVi(r.submittedAt),
    dueText: r.dueAt ? formatDateVi(r.dueAt) : '—',
    statusText: r.kind === 'praise' ? PRAISE_NAME : r.withheld ? WITHHELD_NAMES[r.withheld] : STATUS_NAMES[r.status],
    reasonText: r.kind === 'praise' ? PRAISE_NAME : REASON_NAMES[r.reason],
    overdue: isOverdue(r, now),
  };
}

/** What the inbox was asked for: every field optional, as typed (ids as numbers). */
export interface InboxFilter {
  status: StatusFilter;
  overdueOnly: boolean;
  view?: InboxView;
  unitId?: number;
  deskId?: number;
  serviceArea?: string;
  /** dd/mm/yyyy (or yyyy-mm-dd), as typed. */
  from?: string;
  to?: string;
  page?: number;
}

function parseDay(raw: string | undefined, label: string, errors: string[]): string | undefined {
  if (!raw?.trim()) return undefined;
  const day = parseDateInput(raw);
  if (!day) errors.push(`${label} «${raw}» không phải là ngày hợp lệ (dd/mm/yyyy); bộ lọc này chưa được áp dụng.`);
  return day;
}

/**
 * The inbox: one page of the chosen list, the filter choices (the actor's
 * subtree only: a unit or desk outside it is ignored, like one that does not
 * exist), and the work figures of the whole subtree.
 */
export async function feedbackInbox(db: Db, actor: Actor, filter: InboxFilter, now = new Date()) {
  const scopePath = actor.unitPath;
  const [units, desks, areas] = await Promise.all([
    listUnitTree(db, actor),
    listScopeDesks(db, scopePath),
    listServiceAreas(db),
  ]);
  const unit = units.find((u) => u.id === filter.unitId);
  const desk = desks.find((d) => d.id === filter.deskId);
  const area = areas.find((a) => a.code === filter.serviceArea);
  const errors: string[] = [];
  let from = parseDay(filter.from, 'Từ ngày', errors);
  let to = parseDay(filter.to, 'Đến ngày', errors);
  if (from && to && from > to) {
    errors.push('«Từ ngày» sau «Đến ngày»: bộ lọc ngày chưa được áp dụng.');
    from = to = undefined;
  }
  const view = filter.view ?? 'items';
  const query: InboxQuery = {
    scopePath,
    view,
    userId: actor.userId,
    status: filter.status,
    overdueOnly: filter.overdueOnly,
    unitPath: unit?.path,
    deskId: desk?.id,
    serviceArea: area?.code,
    from,
    to,
    now,
  };
  const total = await countFeedback(db, query);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.trunc(filter.page ?? 1)), pages);
  const base = { scopePath, userId: actor.userId, status: 'open' as const, overdueOnly: false, now };
  const [rows, counts, praiseCount, mineCount, days] = await Promise.all([
    listFeedback(db, { ...query, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    feedbackCounts(db, scopePath, now),
    countFeedback(db, { ...base, view: 'praise' }),
    countFeedback(db, { ...base, view: 'mine' }),
    dueWorkingDays(db),
  ]);
  const rates = feedbackRates(counts);
  return {
    view,
    items: rows.map((r) => listItem(r, now)),
    paging: {
      page,
      pages,
      total,
      totalText: formatCountVi(total),
      first: total ? (page - 1) * PAGE_SIZE + 1 : 0,
      last: (page - 1) * PAGE_SIZE + rows.length,
    },
    counts,
    praiseCount,
    mineCount,
    figures: {
      handled: formatPercentVi(rates.handledRate),
      onTime: formatPercentVi(rates.onTimeRate),
      ...rates,
    },
    dueWorkingDays: days,
    options: {
      units: units.map((u) => ({ id: u.id, name: u.name, depth: u.depth })),
      desks: desks.map((d) => ({ id: d.id, name: `${d.name} – ${d.unitName}` })),
      areas: areas.map((a) => ({ code: a.code, name: a.nameVi })),
    },
    applied: { unitId: unit?.id, deskId: desk?.id, serviceArea: area?.code },
    errors,
  };
}

/** Managers follow items up; officials (and admins) read them; counter staff do not. */
export function canReadFeedback(actor: Actor): boolean {
  return can(actor, 'manage') || can(actor, 'oversee');
}

export async function refuseFeedbackRead(db: Db, actor: Actor, route: string): Promise<void> {
  await recordAudit(db, {
    actorUserId: actor.userId,
    unitId: actor.unitId,
    action: 'permission.denied',
    detail: { route, method: 'GET' },
  });
}

export interface PeriodFeedbackFigures extends PeriodFigures {
  /** handled / opened; null when nothing was opened. */
  handledRate: number | null;
  /** handledOnTime / handled; null when nothing was handled. */
  onTimeRate: number | null;
  /** handlingSatisfied / handlingRated; null when no citizen rated the handling. */
  handlingRate: number | null;
}

/**
 * Feedback figures of a report period, per unit (each over its subtree), in
 * the order of `unitIds`: items opened from responses sent in the period
 * (`from`..`to`, 'yyyy-mm-dd' local days, inclusive), how many are handled
 * (answered or closed, as of now) and handled on time, and the praise count.
 * Suspect responses are left out. The caller checks the units are in scope.
 */
export async function feedbackFiguresForPeriod(
  db: Db,
  q: { unitIds: readonly number[]; from: string; to: string; serviceArea?: string | null },
): Promise<PeriodFeedbackFigures[]> {
  const rows = await figuresForPeriod(db, q);
  return rows.map((r) => ({
    ...r,
    ...feedbackRates({ total: r.opened, handled: r.handled, handledOnTime: r.handledOnTime, overdue: 0 }),
    handlingRate: r.handlingRated ? r.handlingSatisfied / r.handlingRated : null,
  }));
}

/** The reply a citizen may read at their code's address: its text and day, nothing else. */
export async function publicReplyForCode(db: Db, code: string) {
  const reply = await findPublicReply(db, replyKeyOf(code));
  return reply ? { text: reply.text, dateText: formatDateVi(reply.answeredAt) } : undefined;
}
