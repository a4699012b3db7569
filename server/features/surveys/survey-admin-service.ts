import { issueVi, jsonErrorVi, pathOf, QUESTION_TYPE_VI } from '../../../surveys/definition-text-vi.ts';
import { FACTOR_SHORT_NAMES } from '../../../surveys/factor-names.ts';
import {
  type Factor,
  type Question,
  questionsOf,
  type SurveyDefinition,
  SurveyDefinitionSchema,
} from '../../../surveys/schema.ts';
import { type WordingDiff, wordingChanges } from '../../../surveys/wording-changes.ts';
import { recordAudit } from '../../platform/auth/audit-repository.ts';
import { type Actor, canReach } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { findDeskById } from '../organisation/desk-repository.ts';
import { listServiceAreas } from '../organisation/service-area-repository.ts';
import { findUnit } from '../organisation/unit-repository.ts';
import {
  type AssignmentRow,
  clearDeskSurvey,
  deleteAssignment,
  listAssignmentsIn,
  listDesksIn,
  listUnitsIn,
  type ScopedDesk,
  setDeskSurvey,
  upsertAssignment,
} from './survey-assignment-repository.ts';
import {
  findSurveyId,
  insertVersion,
  listAllVersions,
  listVersionsOf,
  lockSurvey,
  parsedDefinition,
  type VersionRow,
} from './survey-version-repository.ts';

// Publishing a new version of a survey and reading versions back. A version
// is validated by the same schema as the shipped instruments, and an
// indicator key keeps its type and factor in every version so that results
// stay comparable across versions.

export interface PublishError {
  /** Where in the JSON, e.g. `sections.0.questions.2.key`, with the question's key when known. */
  path: string;
  message: string;
}

export type PublishResult =
  | { status: 'published'; version: number; diff: WordingDiff }
  | { status: 'invalid'; errors: PublishError[] }
  | { status: 'not_found' };

export interface VersionView extends Omit<VersionRow, 'definition'> {
  definition: SurveyDefinition;
}

// Stored versions were validated when published and never change.
function withDefinition(db: object, row: VersionRow): VersionView {
  return { ...row, definition: parsedDefinition(db, row.id, row.definition) };
}

export interface SurveyVersions {
  versions: VersionView[];
  chosen: VersionView;
  /** Against the version before the chosen one; undefined for version 1. */
  diff: WordingDiff | undefined;
}

/** A survey's versions, one of them chosen (the latest by default), and what it re-worded. */
export async function surveyVersions(
  db: Db,
  surveyCode: string,
  version?: number,
): Promise<SurveyVersions | undefined> {
  const versions = (await listVersionsOf(db, surveyCode)).map((r) => withDefinition(db, r));
  const chosen = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
  if (!chosen) return undefined;
  const previous = versions.find((v) => v.version === chosen.version - 1);
  return { versions, chosen, diff: previous && wordingChanges(previous.definition, chosen.definition) };
}

/** Publishes `text` (a definition as JSON) as the next version of a survey. */
export async function publishVersion(
  db: Db,
  actor: Actor & { userId: number },
  surveyCode: string,
  text: string,
): Promise<PublishResult> {
  const read = readDefinition(text);
  if ('errors' in read) return { status: 'invalid', errors: read.errors };
  const def = read.def;
  return db.transaction().execute(async (trx) => {
    const survey = await lockSurvey(trx, surveyCode);
    if (!survey) return { status: 'not_found' as const };
    const versions = (await listVersionsOf(trx, surveyCode)).map((r) => withDefinition(trx, r));
    const errors = continuityErrors(surveyCode, versions, def);
    if (errors.length) return { status: 'invalid' as const, errors };
    const latest = versions.at(-1)!;
    const diff = wordingChanges(latest.definition, def);
    const version = latest.version + 1;
    await insertVersion(trx, {
      surveyId: survey.id,
      version,
      definition: def,
      publishedBy: actor.userId,
      wordingChangedKeys: diff.changed.map((c) => c.key),
    });
    await recordAudit(trx, {
      actorUserId: actor.userId,
      unitId: actor.unitId,
      action: 'survey.publish',
      detail: {
        survey: surveyCode,
        version,
        wordingChanged: diff.changed.map((c) => c.key),
        added: diff.added,
        removed: diff.removed,
      },
    });
    return { status: 'published' as const, version, diff };
  });
}

function readDefinition(text: string): { def: SurveyDefinition } | { errors: PublishError[] } {
  if (!text.trim()) return { errors: [{ path: '(toàn bộ)', message: 'Vui lòng nhập nội dung phiếu (JSON).' }] };
  let raw: unknown;
  try {
    // One form for every letter: "ệ" typed precomposed or combined is stored alike.
    raw = JSON.parse(text, (_k, v) => (typeof v === 'string' ? v.normalize('NFC') : v));
  } catch (err) {
    return { errors: [{ path: '(JSON)', message: jsonErrorVi(text, err) }] };
  }
  const parsed = SurveyDefinitionSchema.safeParse(raw);
  if (parsed.success) return { def: parsed.data };
  return { errors: parsed.error.issues.map((i) => ({ path: pathOf(raw, i.path), message: issueVi(i) })) };
}

/**
 * Rules across versions: the code stays, a key keeps the type and factor it
 * had in any earlier version, and a version must differ from the latest.
 */
function continuityErrors(surveyCode: string, versions: VersionView[], def: SurveyDefinition): PublishError[] {
  const errors: PublishError[] = [];
  if (def.code !== surveyCode) {
    errors.push({ path: 'code', message: `Mã phiếu phải giữ nguyên là "${surveyCode}".` });
  }
  const known = new Map<string, { q: Question; version: number }>();
  for (const v of versions) for (const q of questionsOf(v.definition)) known.set(q.key, { q, version: v.version });
  def.sections.forEach((section, s) => {
    section.questions.forEach((q, i) => {
      const before = known.get(q.key);
      if (!before) return;
      const path = `sections.${s}.questions.${i}`;
      const was = before.q;
      if (was.type !== q.type) {
        errors.push({
          path: `${path}.type (câu "${q.key}")`,
          message: `Mã chỉ số "${q.key}" là câu hỏi loại "${QUESTION_TYPE_VI[was.type]}" ở phiên bản ${before.version}; không được đổi sang "${QUESTION_TYPE_VI[q.type]}". Hãy dùng mã mới cho câu hỏi mới.`,
        });
      } else if (factorOf(was) !== factorOf(q)) {
        const name = (f: Factor | undefined) => (f ? FACTOR_SHORT_NAMES[f] : 'không thuộc yếu tố nào');
        errors.push({
          path: `${path}.factor (câu "${q.key}")`,
          message: `Mã chỉ số "${q.key}" thuộc "${name(factorOf(was))}" ở phiên bản ${before.version}; không được đổi sang "${name(factorOf(q))}".`,
        });
      }
    });
  });
  const latest = versions.at(-1);
  if (!errors.length && latest && canonical(latest.definition) === canonical(def)) {
    errors.push({
      path: '(toàn bộ)',
      message: `Nội dung giống hệt phiên bản ${latest.version} đang dùng; không có gì để phát hành.`,
    });
  }
  return errors;
}

const factorOf = (q: Question) => (q.type === 'scale' ? q.factor : undefined);

/** JSON with object keys sorted, so that key order alone is not a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface AssignmentChoices {
  /** Units the actor may assign to, with their depth below the actor's unit for indenting. */
  units: { id: number; name: string; depth: number }[];
  desks: ScopedDesk[];
  serviceAreas: { code: string; nameVi: string }[];
  /** This survey's unit assignments within the actor's scope. */
  assignments: AssignmentRow[];
}

/** What the assignment forms offer: only units and desks in the actor's subtree. */
export async function assignmentChoices(db: Db, actor: Actor, surveyCode: string): Promise<AssignmentChoices> {
  const surveyId = await findSurveyId(db, surveyCode);
  const [units, desks, serviceAreas, assignments] = await Promise.all([
    listUnitsIn(db, actor.unitPath),
    listDesksIn(db, actor.unitPath),
    listServiceAreas(db, { activeOnly: true }),
    surveyId ? listAssignmentsIn(db, actor.unitPath, surveyId) : [],
  ]);
  const segments = (path: string) => path.split('/').filter(Boolean).length;
  // An admin ('/') sees the provinces at depth 0, like anyone sees their own unit.
  const top = Math.max(segments(actor.unitPath), 1);
  return {
    units: units.map((u) => ({ id: u.id, name: u.name, depth: segments(u.path) - top })),
    desks,
    serviceAreas,
    assignments,
  };
}

export type AssignTarget =
  | { kind: 'unit'; unitId: number; serviceArea: string | null }
  | { kind: 'desk'; deskId: number };

export type AssignResult = { status: 'ok' } | { status: 'not_found' } | { status: 'invalid'; message: string };

/**
 * Assigns a survey to a desk or to a unit's subtree (one service area or
 * all), or with `remove` takes that assignment back. A unit or desk outside
 * the actor's subtree is not found, exactly like a missing one.
 */
export async function assignSurvey(
  db: Db,
  actor: Actor & { userId: number },
  surveyCode: string,
  target: AssignTarget,
  remove = false,
): Promise<AssignResult> {
  return db.transaction().execute(async (trx): Promise<AssignResult> => {
    const surveyId = await findSurveyId(trx, surveyCode);
    if (!surveyId) return { status: 'not_found' };
    const audit = (unitId: number, detail: Record<string, unknown>) =>
      recordAudit(trx, {
        actorUserId: actor.userId,
        unitId,
        action: remove ? 'survey.unassign' : 'survey.assign',
        detail: { survey: surveyCode, ...detail },
      });
    if (target.kind === 'desk') {
      const desk = await findDeskById(trx, target.deskId);
      if (!desk?.active || !canReach(actor, desk.unitPath)) return { status: 'not_found' };
      if (remove) {
        if (await clearDeskSurvey(trx, desk.id, surveyId)) await audit(desk.unitId, { desk: desk.code });
      } else {
        await setDeskSurvey(trx, desk.id, surveyId);
        await audit(desk.unitId, { desk: desk.code });
      }
      return { status: 'ok' };
    }
    const unit = await findUnit(trx, target.unitId);
    if (!unit?.active || !canReach(actor, unit.path)) return { status: 'not_found' };
    const area = target.serviceArea;
    if (area && !(await listServiceAreas(trx, { activeOnly: true })).some((a) => a.code === area)) {
      return { status: 'invalid', message: 'Lĩnh vực đã chọn không có trong danh mục.' };
    }
    const key = { unitId: unit.id, serviceArea: area, surveyId };
    if (remove) {
      if (await deleteAssignment(trx, key)) await audit(unit.id, { unit: unit.code, serviceArea: area });
    } else {
      await upsertAssignment(trx, { ...key, assignedBy: actor.userId });
      await audit(unit.id, { unit: unit.code, serviceArea: area });
    }
    return { status: 'ok' };
  });
}

export interface SurveySummary {
  code: string;
  title: string;
  versions: { version: number; publishedAt: Date; publishedBy: string | null; wordingChangedKeys: string[] }[];
}

/** Every survey with its versions, newest first; the title is the latest version's. */
export async function listSurveys(db: Db): Promise<SurveySummary[]> {
  const bySurvey = new Map<string, SurveySummary>();
  for (const row of (await listAllVersions(db)).map((r) => withDefinition(db, r))) {
    let survey = bySurvey.get(row.surveyCode);
    if (!survey) {
      survey = { code: row.surveyCode, title: row.definition.title.vi, versions: [] };
      bySurvey.set(row.surveyCode, survey);
    }
    survey.versions.push(row);
  }
  return [...bySurvey.values()];
}
