import { randomUUID } from 'node:crypto';
import { type Answer, submissionFingerprint } from '../../../surveys/answers.ts';
import { DEFAULT_SURVEY_CODE } from '../../../surveys/instruments.ts';
import type { Db } from '../../platform/db/connect.ts';
import { insertDesk } from '../organisation/desk-repository.ts';
import { findUnitId, insertUnit } from '../organisation/unit-repository.ts';
import { insertResponsesBulk, type NewResponse } from '../submission/response-repository.ts';
import { latestVersion } from '../surveys/survey-version-repository.ts';
import { answerDemoFeedback } from './demo-feedback-repository.ts';
import { DAY_MS, ICT_OFFSET_MS, localYear, mulberry32 } from './demo-random.ts';
import { seedDemoRounds } from './demo-rounds.ts';
import { seedDemoTargets } from './demo-targets.ts';
import { AREA_MOOD, DEMO_COMMENTS, DEMO_COMMUNES, type DemoCommune } from './demo-units.ts';
import { insertDemoVolumes } from './demo-volume-repository.ts';
import { countResponses, demoVolumes } from './demo-volumes.ts';

// Demo data that makes a first start useful: the five communes of the seed
// plans with their centres and desks, a few months of responses drawn from a
// fixed-seed generator (the same data on every machine), and the centres'
// dossier volumes since January 2024, sized on those responses.

export interface SeedSummary {
  units: number;
  desks: number;
  responses: number;
  /** Dossier volume rows: centre × service area × month. */
  volumeRows: number;
  /** Paper forms of the first commune's survey rounds (demo-rounds.ts). */
  roundForms: number;
  skipped: boolean;
}

export async function seedDemo(db: Db, opts: { now?: Date; days?: number } = {}): Promise<SeedSummary> {
  const now = opts.now ?? new Date();
  const days = opts.days ?? 120;
  const first = DEMO_COMMUNES[0]!;
  if (await findUnitId(db, first.commune.code))
    return { units: 0, desks: 0, responses: 0, volumeRows: 0, roundForms: 0, skipped: true };

  const version = await latestVersion(db, DEFAULT_SURVEY_CODE);
  if (!version) throw new Error(`survey ${DEFAULT_SURVEY_CODE} is not published`);
  const rand = mulberry32(20261122);
  let units = 0;
  let desks = 0;
  let responses = 0;
  let volumeRows = 0;
  for (const c of DEMO_COMMUNES) {
    // Wards of one city share its province row: count it once.
    let provinceId = await findUnitId(db, c.province.code);
    if (!provinceId) {
      provinceId = await insertUnit(db, { ...c.province, kind: 'province', parent_id: null });
      units += 1;
    }
    const communeId = await insertUnit(db, { ...c.commune, kind: 'commune', parent_id: provinceId });
    // The targets of the commune's own plan (methodology §5), with their sources.
    await seedDemoTargets(db, c.commune.code, communeId, localYear(now));
    const centreId = await insertUnit(db, { ...c.centre, kind: 'centre', parent_id: communeId });
    units += 2;
    const rows: (NewResponse & { submittedAt: Date })[] = [];
    for (const d of c.desks) {
      const deskId = await insertDesk(db, {
        unitId: centreId,
        code: d.code,
        name: d.name,
        serviceAreas: d.serviceAreas,
      });
      desks += 1;
      for (const r of demoResponses(rand, c, d.serviceAreas, now, days)) {
        rows.push({
          submissionId: randomUUID(),
          payloadHash: submissionFingerprint({ desk: d.code, serviceArea: r.serviceArea, answers: r.answers }),
          surveyVersionId: version.id,
          unitId: centreId,
          deskId,
          serviceArea: r.serviceArea,
          channel: 'qr',
          locale: rand() < 0.03 ? 'en' : 'vi',
          answers: r.answers,
          submittedAt: r.submittedAt,
        });
      }
    }
    await insertResponsesBulk(db, rows);
    responses += rows.length;
    volumeRows += await insertDemoVolumes(db, centreId, demoVolumes(c, countResponses(rows), now));
  }
  // An inbox as a commune that keeps up with it has: most items answered in time.
  await answerDemoFeedback(db, now);
  // Two survey rounds at the first commune, sized on its centre's volumes.
  const roundForms = await seedDemoRounds(db, now);
  return { units, desks, responses, volumeRows, roundForms, skipped: false };
}

function* demoResponses(rand: () => number, c: DemoCommune, areas: string[], now: Date, days: number) {
  const perDesk = c.dailyResponses / 4;
  for (let day = days; day >= 0; day--) {
    const dayStartIct = Math.floor((now.getTime() + ICT_OFFSET_MS) / DAY_MS - day) * DAY_MS;
    const weekday = new Date(dayStartIct).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const count = Math.round(perDesk * (0.5 + rand()));
    for (let i = 0; i < count; i++) {
      // Office hours 7:30–17:00 local time.
      const submittedAt = new Date(dayStartIct - ICT_OFFSET_MS + (7.5 + rand() * 9.5) * 3_600_000);
      if (submittedAt > now) continue;
      const serviceArea = areas[Math.floor(rand() * areas.length)]!;
      const mood = Math.min(0.99, Math.max(0.3, (AREA_MOOD[serviceArea] ?? 0.9) + (c.moodShift ?? 0)));
      yield { serviceArea, submittedAt, answers: demoAnswers(rand, mood, c.neutralShare ?? 0.07) };
    }
  }
}

/**
 * Answers around a respondent's mood: `mood` is the chance that they are
 * satisfied, `neutral` how often a satisfied respondent still answers 3.
 */
export function demoAnswers(rand: () => number, mood: number, neutral: number): Answer[] {
  const happy = rand() < mood;
  const score = () => {
    const x = rand();
    if (happy) return x < 0.45 ? 5 : x < 1 - neutral ? 4 : 3;
    return x < 0.15 ? 1 : x < 0.55 ? 2 : x < 0.85 ? 3 : 4;
  };
  const answers: Answer[] = ['access', 'procedure', 'staff', 'result'].map((key) => ({
    key,
    kind: 'scale',
    value: score(),
  }));
  answers.push(rand() < 0.3 ? { key: 'feedback', kind: 'na' } : { key: 'feedback', kind: 'scale', value: score() });
  answers.push({ key: 'overall', kind: 'scale', value: score() });
  if (rand() < 0.7)
    answers.push({
      key: 'trips',
      kind: 'option',
      value: happy ? (rand() < 0.85 ? '1' : '2') : rand() < 0.5 ? '2' : '3plus',
    });
  if (rand() < 0.6)
    answers.push({
      key: 'timeliness',
      kind: 'option',
      value: happy ? (rand() < 0.4 ? 'early' : 'on_time') : rand() < 0.5 ? 'late' : 'on_time',
    });
  if (rand() < 0.6) answers.push({ key: 'extra_payment', kind: 'option', value: rand() < 0.02 ? 'yes' : 'no' });
  if (rand() < 0.08)
    answers.push({ key: 'comment', kind: 'text', value: DEMO_COMMENTS[Math.floor(rand() * DEMO_COMMENTS.length)]! });
  return answers;
}
