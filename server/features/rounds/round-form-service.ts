import { createHash, randomUUID } from 'node:crypto';
import { todayIso } from '../../../analysis/local-time.ts';
import type { Answer } from '../../../surveys/answers.ts';
import { type PaperField, paperNumbering } from '../../../surveys/paper-numbering.ts';
import type { SurveyDefinition } from '../../../surveys/schema.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { insertResponseRows, type NewResponse } from '../submission/response-repository.ts';
import { paperSubmittedAt } from '../submission/submission-service.ts';
import { findVersions } from '../surveys/survey-version-repository.ts';
import {
  insertFirstEntry,
  lockForm,
  type RoundFormRow,
  roundUnits,
  saveReconciled,
  saveSecondEntry,
} from './round-form-repository.ts';
import {
  checkPaperAnswers,
  type EntryProblem,
  entryDifferences,
  type FormEntry,
  FormEntrySchema,
  fieldworkDayProblem,
  MAX_SERIAL,
  normaliseEntry,
} from './round-form-rules.ts';
import { type RoundRecord, roundQuotas } from './round-repository.ts';

// Double entry of a round's paper forms (issue 16). Every form is typed by
// two clerks; it counts once their entries agree, or once someone has looked
// at the paper and reconciled them. Paper is exempt from the rate and burst
// checks (identical forms are normal); what guards it is that only signed-in
// staff of the round's subtree enter forms, each entry is audited, and a
// serial is entered once per round.

/** What the forms of a round hold, and the choices an entry may name. */
export interface EntryContext {
  definition: SurveyDefinition;
  /** The round's units where citizens are served, numbered on paper in this order. */
  units: { id: number; name: string; code: string; path: string }[];
  /** The units this person may enter forms for: those of their own subtree. */
  allowedUnitIds: number[];
  /** The service areas of the round's plan, by code. */
  areas: string[];
  /** The fields of the paper form as printed and typed (surveys/paper-numbering.ts). */
  fields: PaperField[];
  /** Forms planned: the sum of the quotas. */
  n: number;
}

/**
 * The round's paper form, read once for the printed forms, the entry
 * screen, the file import and the API. `within`: the subtree of the person
 * entering (a centre's clerk enters the forms of a commune's round for the
 * centre only); by default the round's whole subtree.
 */
export async function entryContext(db: Db, round: RoundRecord, within = round.unitPath): Promise<EntryContext> {
  const [[version], units, quotas, areas] = await Promise.all([
    findVersions(db, [round.surveyVersionId]),
    roundUnits(db, round),
    roundQuotas(db, round.id),
    listServiceAreas(db),
  ]);
  const names = new Map(areas.map((a) => [a.code, a.nameVi]));
  const planned = quotas.map((q) => ({ code: q.code, nameVi: names.get(q.code) ?? q.code }));
  return {
    definition: version!.definition,
    units,
    allowedUnitIds: units.filter((u) => u.path.startsWith(within) || within.startsWith(u.path)).map((u) => u.id),
    areas: quotas.map((q) => q.code),
    fields: paperNumbering(version!.definition, planned, units),
    n: quotas.reduce((sum, q) => sum + q.quota, 0),
  };
}

export type Checked = { ok: true; entry: FormEntry; answers: Answer[] } | { ok: false; problems: EntryProblem[] };

const SERIAL_PROBLEM = {
  vi: `Số phiếu phải là số nguyên từ 1 đến ${MAX_SERIAL}.`,
  en: `The form number must be a whole number from 1 to ${MAX_SERIAL}.`,
};

/** An entry read and checked against the round: the same rules for the screen, a file and the API. */
export function checkEntry(ctx: EntryContext, round: RoundRecord, raw: unknown, now = new Date()): Checked {
  const parsed = FormEntrySchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => {
        const path = i.path.join('.') || 'entry';
        if (path === 'serial') return { path, message: SERIAL_PROBLEM };
        if (path === 'surveyedOn') {
          return { path, message: { vi: 'Ngày khảo sát không hợp lệ.', en: 'The survey day is not a valid date.' } };
        }
        return { path, message: { vi: 'Giá trị không hợp lệ.', en: 'This value is not valid.' } };
      }),
    };
  }
  const entry = normaliseEntry(parsed.data);
  const problems: EntryProblem[] = [];
  const day = fieldworkDayProblem(entry.surveyedOn, round, todayIso(now));
  if (day) problems.push({ path: 'surveyedOn', message: day });
  if (!ctx.allowedUnitIds.includes(entry.unitId)) {
    problems.push({
      path: 'unitId',
      message: { vi: 'Đơn vị không thuộc đợt khảo sát.', en: 'This unit is not part of the round.' },
    });
  }
  if (!ctx.areas.includes(entry.serviceArea)) {
    problems.push({
      path: 'serviceArea',
      message: { vi: 'Lĩnh vực không có trong kế hoạch của đợt.', en: "This service area is not in the round's plan." },
    });
  }
  const checked = checkPaperAnswers(ctx.definition, entry.answers);
  if (!checked.ok) problems.push(...checked.errors.map((e) => ({ path: `answers.${e.key}`, message: e.message })));
  if (problems.length || !checked.ok) return { ok: false, problems };
  return { ok: true, entry, answers: checked.answers };
}

/** The response row of a counted form: paper, dated noon of its day, the round's own. */
export function formResponseRow(
  round: RoundRecord,
  form: { entry: FormEntry; answers: Answer[] },
  now = new Date(),
): NewResponse {
  const { entry } = form;
  return {
    submissionId: randomUUID(),
    payloadHash: createHash('sha256')
      .update(
        JSON.stringify([round.id, entry.serial, entry.surveyedOn, entry.unitId, entry.serviceArea, entry.answers]),
      )
      .digest('hex'),
    surveyVersionId: round.surveyVersionId,
    unitId: entry.unitId,
    deskId: null,
    serviceArea: entry.serviceArea,
    channel: 'paper',
    locale: 'vi',
    answers: form.answers,
    submittedAt: paperSubmittedAt(entry.surveyedOn, now),
    roundId: round.id,
  };
}

/** Stores the response of a counted form, in the caller's transaction; its id. */
async function storeFormResponse(
  trx: Db,
  round: RoundRecord,
  form: { entry: FormEntry; answers: Answer[] },
  now: Date,
): Promise<string> {
  const row = formResponseRow(round, form, now);
  const ids = await insertResponseRows(trx, [row]);
  return ids.get(row.submissionId)!;
}

export type EntryOutcome =
  /** Stored; the form waits for its second entry. */
  | { status: 'first' }
  /** The second entry agreed: the form counts. */
  | { status: 'counted' }
  /** The second entry differs: the form waits for reconciliation. */
  | { status: 'disagree'; fields: string[] }
  | { status: 'invalid'; problems: EntryProblem[] }
  /** The same clerk typed the first entry: the second must be someone else's. */
  | { status: 'same_clerk' }
  /** The form has its two entries already. */
  | { status: 'complete'; formStatus: RoundFormRow['status'] };

/** Adds one clerk's entry of a form: the first, or the second compared with it. */
export async function enterForm(
  db: Db,
  actor: Actor,
  round: RoundRecord,
  raw: unknown,
  now = new Date(),
): Promise<EntryOutcome> {
  const ctx = await entryContext(db, round, actor.unitPath);
  const checked = checkEntry(ctx, round, raw, now);
  if (!checked.ok) return { status: 'invalid', problems: checked.problems };
  const { entry } = checked;
  return db.transaction().execute(async (trx): Promise<EntryOutcome> => {
    const audit = (action: string, detail: Record<string, unknown> = {}) =>
      recordAudit(trx, {
        actorUserId: actor.userId,
        unitId: round.unitId,
        action,
        detail: { roundId: round.id, code: round.code, serial: entry.serial, ...detail },
      });
    if (await insertFirstEntry(trx, round.id, entry, actor.userId)) {
      await audit('round.form_first');
      return { status: 'first' };
    }
    const form = (await lockForm(trx, round.id, entry.serial))!;
    if (form.status !== 'first') return { status: 'complete', formStatus: form.status };
    if (form.firstBy === actor.userId) return { status: 'same_clerk' };
    const fields = entryDifferences(form.firstEntry, entry);
    if (fields.length) {
      await saveSecondEntry(trx, round.id, entry, actor.userId, { status: 'disagree' });
      await audit('round.form_second', { agreed: false, fields });
      return { status: 'disagree', fields };
    }
    const responseId = await storeFormResponse(trx, round, checked, now);
    await saveSecondEntry(trx, round.id, entry, actor.userId, { status: 'counted', responseId });
    await audit('round.form_second', { agreed: true });
    return { status: 'counted' };
  });
}

export type ReconcileOutcome =
  | { status: 'counted' }
  | { status: 'invalid'; problems: EntryProblem[] }
  | { status: 'not_disagreeing' };

/** Counts a form whose entries disagreed, as the reconciler read it from the paper. */
export async function reconcileForm(
  db: Db,
  actor: Actor,
  round: RoundRecord,
  raw: unknown,
  now = new Date(),
): Promise<ReconcileOutcome> {
  const ctx = await entryContext(db, round, actor.unitPath);
  const checked = checkEntry(ctx, round, raw, now);
  if (!checked.ok) return { status: 'invalid', problems: checked.problems };
  const { entry } = checked;
  return db.transaction().execute(async (trx): Promise<ReconcileOutcome> => {
    const form = await lockForm(trx, round.id, entry.serial);
    if (form?.status !== 'disagree') return { status: 'not_disagreeing' };
    const responseId = await storeFormResponse(trx, round, checked, now);
    await saveReconciled(trx, round.id, entry, actor.userId, responseId);
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: round.unitId,
      action: 'round.form_reconciled',
      detail: {
        roundId: round.id,
        code: round.code,
        serial: entry.serial,
        fields: entryDifferences(form.firstEntry, form.secondEntry!),
      },
    });
    return { status: 'counted' };
  });
}
