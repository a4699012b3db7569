import { createHash } from 'node:crypto';
import { todayIso } from '../../../analysis/local-time.ts';
import { type AnswerSource, checkAnswers, submissionFingerprint } from '../../../surveys/answers.ts';
import { DEFAULT_SURVEY_CODE } from '../../../surveys/instruments.ts';
import type { LocalText } from '../../../surveys/schema.ts';
import type { Db } from '../../platform/db/connect.ts';
import type { Channel } from '../../platform/db/schema.ts';
import { FIELD_ERROR_CODES } from '../../platform/http/api-errors.ts';
import { type DeskContext, findActiveDesk } from '../organisation/desk-repository.ts';
import { findAssignedSurveyCode } from '../surveys/survey-assignment-repository.ts';
import { latestVersion, type PublishedVersion } from '../surveys/survey-version-repository.ts';
import { type PendingResponse, storeResponses } from './store-responses.ts';
import type { StuffingEvidence } from './stuffing-evidence.ts';
import { stuffingFields } from './stuffing-screen.ts';
import { submitBatched } from './submission-batcher.ts';

export interface DeskSurvey {
  desk: DeskContext;
  version: PublishedVersion;
}

/**
 * The desk and the survey version a citizen answers there, or undefined.
 * The survey is the desk's own choice, else the nearest unit above it that
 * chose one, else the default. An assignment for one service area counts
 * only at a desk serving that single area: elsewhere the citizen picks the
 * area on the same form as the answers, and the page and its submission
 * must be judged against the same survey.
 */
export async function loadDeskSurvey(db: Db, deskCode: string): Promise<DeskSurvey | undefined> {
  let cache = deskSurveys.get(db);
  if (!cache) {
    cache = new Map();
    deskSurveys.set(db, cache);
  }
  const now = Date.now();
  const hit = cache.get(deskCode);
  if (hit && hit.until > now) return hit.value;
  const value = readDeskSurvey(db, deskCode);
  cache.set(deskCode, { until: now + DESK_CACHE_MS, value });
  // A failed read is not kept: the next request asks the database again.
  value.catch(() => cache.delete(deskCode));
  if (cache.size > DESK_CACHE_MAX) cache.delete(cache.keys().next().value ?? '');
  return value;
}

/**
 * Desks and their surveys change rarely (a staff edit) and are read on every
 * page view and submission, so each process keeps them for half a minute.
 * The process that makes a change forgets them at once (forgetDeskSurveys,
 * called after every staff change); every server process forgets them when
 * the database announces a change (app.ts, LISTEN hl_cache), and at the
 * latest after DESK_CACHE_MS should that connection be down. Desk codes in the cache are only ones that were looked up,
 * unknown ones included, so the map is bounded.
 */
const DESK_CACHE_MS = 30_000;
const DESK_CACHE_MAX = 10_000;
const deskSurveys = new WeakMap<Db, Map<string, { until: number; value: Promise<DeskSurvey | undefined> }>>();

export function forgetDeskSurveys(db: Db): void {
  deskSurveys.get(db)?.clear();
}

async function readDeskSurvey(db: Db, deskCode: string): Promise<DeskSurvey | undefined> {
  const desk = await findActiveDesk(db, deskCode);
  if (!desk) return undefined;
  const onlyArea = desk.serviceAreas.length === 1 ? (desk.serviceAreas[0]?.code ?? null) : null;
  const code = desk.surveyCode ?? (await findAssignedSurveyCode(db, desk.unitPath, onlyArea)) ?? DEFAULT_SURVEY_CODE;
  const version = await latestVersion(db, code);
  if (!version) throw new Error(`no published version of ${code}`);
  return { desk, version };
}

export interface Submission {
  deskCode: string;
  /** May be omitted when the desk serves a single service area. */
  serviceArea: string | undefined;
  answers: Record<string, unknown>;
  submissionId: string;
  channel: Channel;
  locale: 'vi' | 'en';
  source: AnswerSource;
  /** Hash of the one-time code the citizen came with; used up with the response. */
  codeHash?: string;
  /** With a code: where its citizen will read the public reply (store-responses.ts). */
  replyKey?: string;
  /** Evidence for the anti-stuffing checks (stuffing-service.ts); absent: none run. */
  stuffing?: StuffingEvidence;
  /** A paper form's day, YYYY-MM-DD in Vietnam, as surveyedOnProblem accepts it; absent: answered now. */
  surveyedOn?: string;
}

export interface FieldError {
  /** `serviceArea`, or `answers.<key>` */
  path: string;
  code: string;
  message: LocalText;
}

export type SubmissionResult =
  | { status: 'created' | 'replayed'; id: string; context: DeskSurvey }
  | { status: 'conflict' | 'code_used'; context: DeskSurvey }
  | { status: 'invalid'; errors: FieldError[]; context: DeskSurvey }
  | { status: 'unknown_desk' };

// The words are the API's catalogue's: the form shows the same ones.
const AREA_REQUIRED = FIELD_ERROR_CODES['service_area.required'];
const AREA_INVALID = FIELD_ERROR_CODES['service_area.not_served'];

/** Paper forms older than this are not taken: no survey of this kind ran before. */
const EARLIEST_SURVEY_DAY = '2000-01-01';

/**
 * Why a paper form's `surveyedOn` is refused, or undefined when it is taken:
 * only paper is typed in after the fact (a citizen at a tablet or on a link
 * answers now), and a day in the future or before 2000 is a typing error.
 */
export function surveyedOnProblem(channel: Channel, surveyedOn: string, now = new Date()): LocalText | undefined {
  if (channel !== 'paper') {
    return {
      en: 'surveyedOn is only for paper forms ("channel": "paper")',
      vi: 'Chỉ phiếu giấy ("channel": "paper") mới được ghi ngày khảo sát (surveyedOn)',
    };
  }
  if (surveyedOn > todayIso(now)) {
    return {
      en: 'surveyedOn is in the future (Vietnam time)',
      vi: 'Ngày khảo sát (surveyedOn) ở tương lai (giờ Việt Nam)',
    };
  }
  if (surveyedOn < EARLIEST_SURVEY_DAY) {
    return { en: 'surveyedOn is before 2000', vi: 'Ngày khảo sát (surveyedOn) trước năm 2000' };
  }
  return undefined;
}

/**
 * The instant a paper form dated `day` is stored at: noon in Vietnam (05:00
 * UTC), the same calendar day read in Vietnam or in UTC and seven hours from
 * either edge, so whichever way a query rounds it, the form counts on the day
 * it was answered. A form of today is not dated later than now.
 */
export function paperSubmittedAt(day: string, now = new Date()): Date {
  const noon = new Date(`${day}T12:00:00+07:00`);
  return noon < now ? noon : now;
}

export async function submitResponse(db: Db, s: Submission, now = new Date()): Promise<SubmissionResult> {
  const context = await loadDeskSurvey(db, s.deskCode);
  if (!context) return { status: 'unknown_desk' };
  const { desk, version } = context;

  const errors: FieldError[] = [];
  const only = desk.serviceAreas.length === 1 ? desk.serviceAreas[0]?.code : undefined;
  const serviceArea = s.serviceArea || only;
  if (!serviceArea) errors.push({ path: 'serviceArea', code: 'required', message: AREA_REQUIRED });
  else if (!desk.serviceAreas.some((a) => a.code === serviceArea)) {
    errors.push({ path: 'serviceArea', code: 'invalid_value', message: AREA_INVALID });
  }
  const checked = checkAnswers(version.definition, s.answers, s.source);
  if (!checked.ok) {
    errors.push(...checked.errors.map((e) => ({ path: `answers.${e.key}`, code: e.code, message: e.message })));
  }
  if (!checked.ok || !serviceArea || errors.length) return { status: 'invalid', errors, context };

  const fingerprint = submissionFingerprint({ desk: desk.code, serviceArea, answers: checked.answers });
  // The day is part of what the form says: the same id with another day is a
  // conflict. A form without one keeps the fingerprint it always had.
  const payloadHash = s.surveyedOn
    ? createHash('sha256').update(`${fingerprint}|surveyedOn:${s.surveyedOn}`).digest('hex')
    : fingerprint;
  const row: PendingResponse = {
    submissionId: s.submissionId,
    payloadHash,
    surveyVersionId: version.id,
    unitId: desk.unitId,
    deskId: desk.id,
    serviceArea,
    channel: s.channel,
    locale: s.locale,
    answers: checked.answers,
    submittedAt: s.surveyedOn ? paperSubmittedAt(s.surveyedOn, now) : undefined,
    consumeCodeHash: s.codeHash,
    replyKey: s.codeHash ? s.replyKey : undefined,
    // A suspect is stored and flagged, never dropped: the citizen is thanked either way.
    ...stuffingFields(s.stuffing, desk.id, s.submissionId, checked.answers),
  };
  // A one-time code is used up in its own transaction; everything else goes
  // through the group commit.
  const outcome = s.codeHash ? (await storeResponses(db, [row]))[0]! : await submitBatched(db, row);
  if ('codeUsed' in outcome) return { status: 'code_used', context };
  if (outcome.inserted) return { status: 'created', id: outcome.id, context };
  if (outcome.payloadHash === payloadHash) return { status: 'replayed', id: outcome.id, context };
  return { status: 'conflict', context };
}
