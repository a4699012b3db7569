import { wholeMonths } from '../../../analysis/dossiers.ts';
import { todayIso } from '../../../analysis/local-time.ts';
import type { Answer } from '../../../surveys/answers.ts';
import { PAPI_XA_REVERSED_KEYS } from '../../../surveys/papi-xa.ts';
import { questionsOf } from '../../../surveys/schema.ts';
import type { Actor } from '../../platform/auth/scope.ts';
import type { Db } from '../../platform/db/connect.ts';
import { findUnitId } from '../organisation/unit-repository.ts';
import { insertImportedForms } from '../rounds/round-form-repository.ts';
import { checkEntry, type EntryContext, entryContext, formResponseRow } from '../rounds/round-form-service.ts';
import { findRound, type RoundRecord, roundQuotas } from '../rounds/round-repository.ts';
import type { RoundInput } from '../rounds/round-rules.ts';
import { createRound } from '../rounds/round-service.ts';
import { insertResponseRows } from '../submission/response-repository.ts';
import { demoAnswers } from './demo.ts';
import { mulberry32 } from './demo-random.ts';
import { AREA_MOOD, DEMO_COMMUNES } from './demo-units.ts';

// Two survey rounds (issue 16) at the first demo commune, so that a first
// start shows a round's page and the dashboard's "Kết quả điều tra theo mẫu":
// a SIPAS round over the two whole months before this one, its N the centre's
// dossiers of the three months before that, about 85% of each quota keyed; and
// a PAPI-aligned commune round over the same months, N typed. Forms are
// stored as a file import stores them (counted at once, source 'import'), one
// transaction per round. They draw from their own fixed seed, so the rest of
// the demo comes out the same with or without them.

export const DEMO_ROUNDS_SEED = 20261205;
/** Share of each quota the demo's fieldwork reached, roughly. */
export const DEMO_ROUND_FILL = 0.85;
/** Forms of the demo's PAPI round. */
export const DEMO_PAPI_FORMS = 120;
/** Paper forms are filled in by people the round picked: less eager than those who scan a poster. */
const PAPER_MOOD_GAP = 0.06;

const DEMO_ACTOR: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'demo' };

/** 'YYYY-MM-DD' of the first day of the month `offset` months from year y, month m (1–12). */
function monthStart(y: number, m: number, offset: number): string {
  const d = new Date(Date.UTC(y, m - 1 + offset, 1));
  return d.toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' of the last day of the month `offset` months from year y, month m. */
function monthEnd(y: number, m: number, offset: number): string {
  const d = new Date(Date.UTC(y, m + offset, 0));
  return d.toISOString().slice(0, 10);
}

/**
 * The demo rounds' calendar at `now`: fieldwork the two whole months before
 * the current month (so entirely past), reference the three months before it.
 */
export function demoRoundPeriods(now: Date) {
  const [y, m] = todayIso(now).split('-').map(Number) as [number, number];
  const fieldworkFrom = monthStart(y, m, -2);
  const fieldworkTo = monthEnd(y, m, -1);
  const referenceFrom = monthStart(y, m, -5);
  const referenceTo = monthEnd(y, m, -3);
  return {
    year: Number(fieldworkFrom.slice(0, 4)),
    fieldworkFrom,
    fieldworkTo,
    reference: { from: referenceFrom, to: referenceTo, months: wholeMonths(referenceFrom, referenceTo)! },
  };
}

/** The weekdays from `from` to `to`, inclusive, none after `today`. */
function weekdays(from: string, to: string, today: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t);
    const iso = d.toISOString().slice(0, 10);
    if (iso > today) break;
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(iso);
  }
  return out;
}

/** Answers as a clerk types them from paper: '1'..'5', 'na', an option code, text. */
function typed(answers: readonly Answer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of answers) out[a.key] = a.kind === 'na' ? 'na' : String(a.value);
  return out;
}

/** Plausible item means (0–1) by PAPI dimension: procedures and services do well, e-governance lags. */
const PAPI_LEVEL: Record<string, number> = {
  participation: 0.55,
  transparency: 0.5,
  accountability: 0.5,
  corruption: 0.68,
  procedures: 0.78,
  services: 0.74,
  environment: 0.45,
  egovernance: 0.38,
};

const PAPI_COMMENTS = [
  'Mong xã công khai thêm thông tin về thu, chi ngân sách.',
  'Đường liên thôn xuống cấp, đề nghị sửa chữa.',
  'Cán bộ một cửa nhiệt tình, làm thủ tục nhanh.',
  'Rác thải ở khu chợ chưa được thu gom thường xuyên.',
  'Nên hướng dẫn người cao tuổi nộp hồ sơ trực tuyến.',
];

/** One respondent's answers to the PAPI-aligned questionnaire, as typed from paper. */
function papiAnswers(rand: () => number, ctx: EntryContext): Record<string, string> {
  const reversed = new Set(PAPI_XA_REVERSED_KEYS);
  // Some people see their commune in a better light than others.
  const outlook = (rand() - 0.5) * 0.3;
  const out: Record<string, string> = {};
  for (const q of questionsOf(ctx.definition)) {
    const [head, dimension] = q.key.split('.');
    if (head === 'papi') {
      if (rand() < 0.03) continue; // left blank
      const p = Math.min(0.97, Math.max(0.05, (PAPI_LEVEL[dimension!] ?? 0.6) + outlook));
      if (q.type === 'choice') {
        if (rand() < 0.1) out[q.key] = 'na';
        else {
          const good = reversed.has(q.key) ? 'no' : 'yes';
          out[q.key] = rand() < p ? good : good === 'yes' ? 'no' : 'yes';
        }
      } else if (q.type === 'scale') {
        if (rand() < 0.06) out[q.key] = 'na';
        else {
          const noise = (rand() + rand() - 1) * 1.6;
          out[q.key] = String(Math.min(5, Math.max(1, Math.round(1 + 4 * p + noise))));
        }
      }
    } else if (q.key === 'overall') {
      const noise = (rand() + rand() - 1) * 1.6;
      out.overall = String(Math.min(5, Math.max(1, Math.round(3.9 + 4 * outlook + noise))));
    } else if (q.key === 'comment' && rand() < 0.1) {
      out.comment = PAPI_COMMENTS[Math.floor(rand() * PAPI_COMMENTS.length)]!;
    }
  }
  return out;
}

interface DraftForm {
  surveyedOn: string;
  serviceArea: string;
  answers: Record<string, string>;
}

/** Stores the forms as counted imports, serials 1..k by day, in one transaction. */
async function storeForms(
  db: Db,
  round: RoundRecord,
  ctx: EntryContext,
  centreId: number,
  drafts: DraftForm[],
  now: Date,
) {
  const sorted = [...drafts].sort((a, b) => (a.surveyedOn < b.surveyedOn ? -1 : a.surveyedOn > b.surveyedOn ? 1 : 0));
  const forms = sorted.map((d, i) => {
    const raw = {
      serial: i + 1,
      surveyedOn: d.surveyedOn,
      unitId: centreId,
      serviceArea: d.serviceArea,
      answers: d.answers,
    };
    const checked = checkEntry(ctx, round, raw, now);
    if (!checked.ok) {
      throw new Error(`demo round ${round.code}: form ${i + 1} refused: ${JSON.stringify(checked.problems)}`);
    }
    return { entry: checked.entry, row: formResponseRow(round, checked, now) };
  });
  await db.transaction().execute(async (trx) => {
    const ids = await insertResponseRows(
      trx,
      forms.map((f) => f.row).sort((a, b) => (a.submissionId < b.submissionId ? -1 : 1)),
    );
    await insertImportedForms(
      trx,
      round.id,
      forms.map((f) => ({ entry: f.entry, responseId: ids.get(f.row.submissionId)! })),
      'import',
      null,
    );
  });
  return forms.length;
}

async function newRound(db: Db, input: RoundInput): Promise<RoundRecord> {
  const created = await createRound(db, DEMO_ACTOR, input);
  if (!created.ok) throw new Error(`demo round ${input.code}: ${JSON.stringify(created.errors)}`);
  return (await findRound(db, created.id))!;
}

/**
 * The first demo commune's two rounds and their forms (after its centre's
 * dossier volumes exist); the number of forms stored.
 */
export async function seedDemoRounds(db: Db, now: Date): Promise<number> {
  const c = DEMO_COMMUNES[0]!;
  const communeId = await findUnitId(db, c.commune.code);
  const centreId = await findUnitId(db, c.centre.code);
  if (!communeId || !centreId) throw new Error(`demo commune ${c.commune.code} is not seeded`);
  const rand = mulberry32(DEMO_ROUNDS_SEED);
  const p = demoRoundPeriods(now);
  const days = weekdays(p.fieldworkFrom, p.fieldworkTo, todayIso(now));
  const day = () => days[Math.floor(rand() * days.length)]!;

  // SIPAS: N from the centre's dossiers, quotas in proportion to them.
  const sipas = await newRound(db, {
    unitId: communeId,
    code: `dot-1-${p.year}`,
    surveyCode: 'sipas-quick',
    fieldworkFrom: p.fieldworkFrom,
    fieldworkTo: p.fieldworkTo,
    populationSource: 'volumes',
    population: null,
    reference: p.reference,
    margin: 0.05,
    allocation: 'proportional',
  });
  const sipasCtx = await entryContext(db, sipas);
  if (!sipasCtx.units.some((u) => u.id === centreId)) throw new Error('demo round: the centre takes no forms');
  const sipasForms: DraftForm[] = [];
  for (const { code, quota } of await roundQuotas(db, sipas.id)) {
    const mood = Math.min(0.99, Math.max(0.3, (AREA_MOOD[code] ?? 0.9) + (c.moodShift ?? 0) - PAPER_MOOD_GAP));
    const k = Math.round(quota * (DEMO_ROUND_FILL - 0.05 + 0.1 * rand()));
    for (let i = 0; i < k; i++) {
      sipasForms.push({
        surveyedOn: day(),
        serviceArea: code,
        answers: typed(demoAnswers(rand, mood, c.neutralShare ?? 0.07)),
      });
    }
  }
  let forms = await storeForms(db, sipas, sipasCtx, centreId, sipasForms, now);

  // PAPI: the commune's residents, N typed, the same quota in each area.
  const papi = await newRound(db, {
    unitId: communeId,
    code: `papi-${p.year}`,
    surveyCode: 'papi-xa',
    fieldworkFrom: p.fieldworkFrom,
    fieldworkTo: p.fieldworkTo,
    populationSource: 'typed',
    population: 5_000,
    reference: null,
    margin: 0.05,
    allocation: 'equal',
  });
  const papiCtx = await entryContext(db, papi);
  const papiForms: DraftForm[] = [];
  for (let i = 0; i < DEMO_PAPI_FORMS; i++) {
    papiForms.push({
      surveyedOn: day(),
      serviceArea: papiCtx.areas[Math.floor(rand() * papiCtx.areas.length)]!,
      answers: papiAnswers(rand, papiCtx),
    });
  }
  forms += await storeForms(db, papi, papiCtx, centreId, papiForms, now);
  return forms;
}
