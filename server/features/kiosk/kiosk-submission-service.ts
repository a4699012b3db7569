import { checkAnswers, submissionFingerprint } from '../../../surveys/answers.ts';
import { type DescribedQuestion, describeQuestions } from '../../../surveys/describe.ts';
import { KIOSK_SURVEY_CODE } from '../../../surveys/instruments.ts';
import type { LocalText } from '../../../surveys/schema.ts';
import { COUNTER_FOLLOW_UP_AT_MOST } from '../../../surveys/sipas-counter.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db/connect.ts';
import { FIELD_ERROR_CODES, type FieldErrorCode } from '../../platform/http/api-errors.ts';
import { findSubmissions } from '../submission/response-repository.ts';
import { type PendingResponse, storeInTransaction } from '../submission/store-responses.ts';
import { kioskEvidence, stuffingSettings } from '../submission/stuffing-evidence.ts';
import { kioskRapid } from '../submission/stuffing-rules.ts';
import { stuffingFields } from '../submission/stuffing-screen.ts';
import { latestVersion, type PublishedVersion } from '../surveys/survey-version-repository.ts';
import type { KioskDevice } from './kiosk-device-repository.ts';
import {
  findKioskDesk,
  type KioskDesk,
  lockDevicePace,
  noteAnswered,
  useInvitation,
} from './kiosk-submission-repository.ts';

// A counter tablet's answers (issue 15), sent at once or from its offline
// queue: each stored exactly once against the counter survey, counted on the
// day the citizen gave it, with the device as the source of the integrity
// checks. Like every channel, a suspect answer is stored and flagged, never
// dropped.

export interface KioskAnswerInput {
  /** A uuid the tablet gives the answer when it is given; a re-send keeps it. */
  submissionId: string;
  /** May be omitted when the desk serves a single service area. */
  serviceArea?: string;
  answers: Record<string, number | string | null>;
  /** When the citizen answered, by the device's clock (ISO 8601). */
  answeredAt: string;
  locale: 'vi' | 'en';
  /** The invitation the clerk sent for this transaction, if any: used up, it makes the answer verified. */
  invitationId?: string;
}

export interface KioskFieldError {
  path: string;
  code: FieldErrorCode;
  message: LocalText;
}

export type KioskSubmitResult =
  | { status: 'created' | 'replayed'; id: string }
  | { status: 'conflict' }
  | { status: 'invalid'; errors: KioskFieldError[] };

/** How far back a queued answer may count: older ones count on the first day still open. */
export const KIOSK_BACKDATE_DAYS = 14;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An ISO 8601 instant with its offset: a local time without one would be read in the server's zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const INVITATION_ID = /^[1-9][0-9]{0,17}$/;

const fieldError = (path: string, code: FieldErrorCode): KioskFieldError => ({
  path,
  code,
  message: FIELD_ERROR_CODES[code],
});

/** The counter survey's latest version: every tablet uses it (sipas-counter.ts says why). */
async function counterVersion(db: Db): Promise<PublishedVersion> {
  const version = await latestVersion(db, KIOSK_SURVEY_CODE);
  if (!version) throw new Error(`no published version of ${KIOSK_SURVEY_CODE}`);
  return version;
}

/** A device time within [now − KIOSK_BACKDATE_DAYS, now]: a clock ahead counts as now. */
export function countedAt(answeredAt: Date, now: Date): Date {
  const earliest = now.getTime() - KIOSK_BACKDATE_DAYS * 86_400_000;
  return new Date(Math.min(now.getTime(), Math.max(earliest, answeredAt.getTime())));
}

function checkInput(desk: KioskDesk, version: PublishedVersion, input: KioskAnswerInput) {
  const errors: KioskFieldError[] = [];
  if (typeof input.submissionId !== 'string' || !UUID.test(input.submissionId))
    errors.push(fieldError('submissionId', 'validation.invalid_format'));
  const answeredAt =
    typeof input.answeredAt === 'string' && INSTANT.test(input.answeredAt) ? new Date(input.answeredAt) : undefined;
  if (!answeredAt || Number.isNaN(answeredAt.getTime()))
    errors.push(fieldError('answeredAt', 'validation.invalid_format'));
  const only = desk.serviceAreas.length === 1 ? desk.serviceAreas[0]?.code : undefined;
  const serviceArea = input.serviceArea || only;
  if (!serviceArea) errors.push(fieldError('serviceArea', 'service_area.required'));
  else if (!desk.serviceAreas.some((a) => a.code === serviceArea))
    errors.push(fieldError('serviceArea', 'service_area.not_served'));
  const checked = checkAnswers(version.definition, input.answers ?? {}, 'json');
  if (!checked.ok) errors.push(...checked.errors.map((e) => fieldError(`answers.${e.key}`, `answer.${e.code}`)));
  if (errors.length || !checked.ok || !serviceArea || !answeredAt) return { ok: false as const, errors };
  return { ok: true as const, serviceArea, answeredAt, answers: checked.answers };
}

/** Thrown to roll back the pace and the invitation when another request stored the same submission id first. */
class StoredMeanwhile extends Error {}

/**
 * Stores one answer of a paired tablet (the route has checked its credential
 * and that it is not revoked). The device's row lock makes its answers take
 * turns: a re-send of a stored submission id changes nothing and says
 * `replayed` (or `conflict` with other answers), and kiosk_rapid compares
 * each answer with the one stored before it.
 */
export async function submitKioskAnswer(
  db: Db,
  config: Config,
  device: KioskDevice,
  input: KioskAnswerInput,
  now = new Date(),
): Promise<KioskSubmitResult> {
  const [desk, version] = await Promise.all([findKioskDesk(db, device.deskId), counterVersion(db)]);
  if (!desk) throw new Error(`kiosk device ${device.id} has no desk ${device.deskId}`);
  const checked = checkInput(desk, version, input);
  if (!checked.ok) return { status: 'invalid', errors: checked.errors };

  const settings = stuffingSettings(config);
  const submittedAt = countedAt(checked.answeredAt, now);
  const payloadHash = submissionFingerprint({
    desk: desk.code,
    serviceArea: checked.serviceArea,
    answers: checked.answers,
  });
  const row: PendingResponse = {
    submissionId: input.submissionId,
    payloadHash,
    surveyVersionId: version.id,
    unitId: device.unitId,
    deskId: device.deskId,
    serviceArea: checked.serviceArea,
    channel: 'kiosk',
    locale: input.locale === 'en' ? 'en' : 'vi',
    answers: checked.answers,
    submittedAt,
    kioskDeviceId: device.id,
    ...stuffingFields(kioskEvidence(settings, device.id, now), device.deskId, input.submissionId, checked.answers),
  };
  const earlierOutcome = (e: { id: string; payload_hash: string }): KioskSubmitResult =>
    e.payload_hash === payloadHash ? { status: 'replayed', id: e.id } : { status: 'conflict' };

  try {
    return await db.transaction().execute(async (trx): Promise<KioskSubmitResult> => {
      const pace = await lockDevicePace(trx, device.id);
      if (!pace) throw new Error(`no kiosk device ${device.id}`);
      // A re-send is answered before anything moves: no second flag, no invitation used.
      const [earlier] = await findSubmissions(trx, [input.submissionId]);
      if (earlier) return earlierOutcome(earlier);
      const rapid = kioskRapid(
        submittedAt.getTime(),
        pace.lastAnsweredAt?.getTime() ?? null,
        config.stuffing.kioskMinSeconds,
      );
      await noteAnswered(trx, device.id, submittedAt);
      const invitationId =
        input.invitationId && INVITATION_ID.test(input.invitationId) ? input.invitationId : undefined;
      // An invitation that is used, expired, another desk's or another area's leaves the answer stored, unverified.
      const verified = invitationId
        ? await useInvitation(trx, {
            invitationId,
            deskId: device.deskId,
            serviceArea: checked.serviceArea,
            deviceId: device.id,
            now,
          })
        : false;
      const suspectReasons = [...(row.suspectReasons ?? []), ...(rapid ? ['kiosk_rapid'] : [])];
      const [outcome] = await storeInTransaction(trx, [{ ...row, verified, suspectReasons }]);
      if (!outcome || !('id' in outcome)) throw new Error('kiosk answer neither stored nor found');
      if (!outcome.inserted) throw new StoredMeanwhile();
      return { status: 'created', id: outcome.id };
    });
  } catch (err) {
    if (!(err instanceof StoredMeanwhile)) throw err;
    const [earlier] = await findSubmissions(db, [input.submissionId]);
    if (!earlier) throw new Error(`submission ${input.submissionId} vanished`);
    return earlierOutcome(earlier);
  }
}

export interface KioskSurvey {
  desk: { code: string; name: string };
  unitName: string;
  serviceAreas: KioskDesk['serviceAreas'];
  /** Seconds the thanks stay on screen before the tablet is ready for the next citizen. */
  idleSeconds: number;
  survey: {
    /** The version the answers are stored against (the tablet may cache the survey by it). */
    versionId: number;
    code: string;
    version: number;
    title: LocalText;
    intro: LocalText | null;
    sections: { title: LocalText | null }[];
    questions: DescribedQuestion[];
  };
  /** At this overall score or below the tablet shows the other questions; above it, it sends at once. */
  followUpAtMost: number;
}

/** What a paired tablet renders: its desk, the areas to choose from, and the counter survey. */
export async function kioskSurvey(db: Db, device: KioskDevice): Promise<KioskSurvey | undefined> {
  const [desk, version] = await Promise.all([findKioskDesk(db, device.deskId), counterVersion(db)]);
  if (!desk) return undefined;
  const def = version.definition;
  return {
    desk: { code: desk.code, name: desk.name },
    unitName: desk.unitName,
    serviceAreas: desk.serviceAreas,
    idleSeconds: desk.idleSeconds,
    survey: {
      versionId: version.id,
      code: version.surveyCode,
      version: version.version,
      title: def.title,
      intro: def.intro ?? null,
      sections: def.sections.map((s) => ({ title: s.title ?? null })),
      questions: describeQuestions(def),
    },
    followUpAtMost: COUNTER_FOLLOW_UP_AT_MOST,
  };
}
