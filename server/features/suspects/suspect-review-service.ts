import { formatDateVi, isoDateToVi, todayIso } from '../../../analysis/local-time.ts';
import type { SurveyDefinition } from '../../../surveys/schema.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, can, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { surveyDefinitionOf } from '../feedback/feedback-repository.ts';
import { CHANNEL_NAMES } from '../reports/exports/report-text.ts';
import {
  type FlaggedRow,
  listFlagged,
  listWatchedDesks,
  type ReviewFilter,
  reviewFlagged,
} from '../submission/stuffing-repository.ts';
import { briefAnswers, reasonWords } from '../submission/stuffing-rules.ts';

// The officials' review of responses the anti-stuffing checks flagged
// (stuffing-service.ts flags them). Nobody reviews their own score: only an
// official of a unit above the desk's unit, or an administrator, decides,
// and each decision is audited with its reason. Individual responses are
// shown by day, never by time: a reviewer must not be able to tell who sat
// at the counter at 09:24.

const LIST_LIMIT = 500;
const WATCH_DAYS = 30;

/** Who opens the review pages at all (the staff menu shows the link to them alone). */
export function canReviewSuspects(actor: Pick<Actor, 'role'>): boolean {
  return can(actor, 'oversee');
}

/**
 * Whether the actor may decide on flagged responses of a unit: an
 * administrator anywhere, an official only for units strictly below their
 * own. A centre's manager, its staff and the officials of the unit itself
 * are the ones being measured.
 */
export function mayReview(actor: Pick<Actor, 'role' | 'unitPath'>, unitPath: string): boolean {
  if (actor.role === 'admin') return true;
  return actor.role === 'official' && canReach(actor, unitPath) && unitPath !== actor.unitPath;
}

export interface WatchedDesk {
  deskId: number;
  deskName: string;
  unitName: string;
  dayText: string;
  responsesText: string;
}

export interface SuspectItem {
  id: string;
  submittedText: string;
  serviceAreaName: string;
  channel: string;
  answers: string;
  comment: string | null;
}

export interface SuspectGroup {
  reason: string;
  reasonWords: string[];
  firstText: string;
  lastText: string;
  ids: string[];
  items: SuspectItem[];
}

export interface SuspectDesk {
  deskId: number;
  deskName: string;
  deskCode: string;
  unitName: string;
  count: number;
  groups: SuspectGroup[];
}

/**
 * Flagged responses the actor may review (mayReview), by desk and reason,
 * newest day first; and the desks put under watch in the last 30 days.
 */
export async function suspectReview(
  db: Db,
  actor: Actor,
  q: { filter: ReviewFilter; deskId?: number },
): Promise<{ desks: SuspectDesk[]; total: number; truncated: boolean; watched: WatchedDesk[] }> {
  const rows = await listFlagged(db, {
    scopePath: actor.unitPath,
    strictlyBelow: actor.role !== 'admin',
    deskId: q.deskId,
    filter: q.filter,
    limit: LIST_LIMIT,
  });
  const since = todayIso(new Date(Date.now() - WATCH_DAYS * 86_400_000));
  const watched = (await listWatchedDesks(db, { scopePath: actor.unitPath, since }))
    .filter((w) => q.deskId === undefined || w.deskId === q.deskId)
    .map((w) => ({
      deskId: w.deskId,
      deskName: w.deskName,
      unitName: w.unitName,
      dayText: isoDateToVi(w.day),
      responsesText: w.responses.toLocaleString('vi-VN'),
    }));
  const definitions = new Map<number, SurveyDefinition>();
  for (const id of new Set(rows.map((r) => r.surveyVersionId))) definitions.set(id, await surveyDefinitionOf(db, id));
  const desks = new Map<number, SuspectDesk>();
  for (const r of rows) {
    const desk = desks.get(r.deskId) ?? {
      deskId: r.deskId,
      deskName: r.deskName,
      deskCode: r.deskCode,
      unitName: r.unitName,
      count: 0,
      groups: [],
    };
    desks.set(r.deskId, desk);
    desk.count += 1;
    let group = desk.groups.find((g) => g.reason === r.reason);
    if (!group) {
      group = { reason: r.reason, reasonWords: reasonWords(r.reason), firstText: '', lastText: '', ids: [], items: [] };
      desk.groups.push(group);
    }
    group.ids.push(r.id);
    group.items.push(suspectItem(r, definitions.get(r.surveyVersionId)));
    // Rows come newest day first.
    group.firstText = formatDateVi(r.submittedAt);
    group.lastText ||= group.firstText;
  }
  return { desks: [...desks.values()], total: rows.length, truncated: rows.length === LIST_LIMIT, watched };
}

function suspectItem(r: FlaggedRow, def: SurveyDefinition | undefined): SuspectItem {
  const text = r.answers.find((a) => a.text !== null)?.text ?? null;
  return {
    id: r.id,
    submittedText: formatDateVi(r.submittedAt),
    serviceAreaName: r.serviceAreaName,
    channel: CHANNEL_NAMES[r.channel] ?? r.channel,
    answers: briefAnswers(def, r.answers),
    comment: text && text.length > 160 ? `${text.slice(0, 160)}…` : text,
  };
}

export type ReviewDecision = 'confirm' | 'clear';

/**
 * Confirms (stays out of the indices) or clears (counted again) flagged
 * responses of one desk, audited as suspect.confirm / suspect.clear with the
 * reviewer's reason. The caller has checked that the actor may review the
 * desk's unit (mayReview). The flags, the daily counts (by trigger) and the
 * audit log change together.
 */
export async function reviewSuspects(
  db: Db,
  actor: Actor,
  desk: { id: number; unitId: number },
  review: { ids: string[]; decision: ReviewDecision; note: string },
): Promise<{ ok: true; count: number } | { ok: false }> {
  const { ids, decision } = review;
  return db.transaction().execute(async (trx) => {
    const changed = await reviewFlagged(trx, {
      deskId: desk.id,
      ids,
      decision: decision === 'confirm' ? 'confirmed' : 'cleared',
    });
    if (!changed) return { ok: false as const };
    await recordAudit(trx, {
      actorUserId: actor.userId,
      actorKeyId: actor.keyId,
      unitId: desk.unitId,
      action: decision === 'confirm' ? 'suspect.confirm' : 'suspect.clear',
      detail: {
        deskId: desk.id,
        count: changed.length,
        responseIds: changed.map((r) => r.id),
        reasons: [...new Set(changed.map((r) => r.reason))],
        note: review.note,
      },
    });
    return { ok: true as const, count: changed.length };
  });
}
