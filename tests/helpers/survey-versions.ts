import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { insertDesk } from '../../server/features/organisation/desk-repository.ts';
import type { Db } from '../../server/platform/db/connect.ts';
import { SHIPPED_HISTORY, SHIPPED_SURVEYS } from '../../surveys/instruments.ts';
import { questionsOf, type SurveyDefinition } from '../../surveys/schema.ts';
import { createCentre, unitCode, VALID_FORM_ANSWERS } from './fixtures.ts';
import { testApp } from './harness.ts';
import { formBody, type StaffClient, staffClient } from './staff.ts';

// What the tests of survey versions and their assignment share: a commune
// with a desk, a neighbour commune, a manager and an administrator; the
// definition the publish page offers; the versions stored; answers posted.

export const QUICK = SHIPPED_SURVEYS.find((s) => s.code === 'sipas-quick')!;
/** How many versions of the quick survey a new database has: those shipped with the platform. */
export const QUICK_SHIPPED_VERSIONS = SHIPPED_HISTORY.find((h) => h.code === 'sipas-quick')!.versions.length;
export const NEW_STAFF_WORDING = 'Thái độ, hướng dẫn của công chức tiếp nhận hồ sơ';

export async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const desk = await insertDesk(db, {
    unitId: mine.centreId,
    code: `tan-hoi-q1-${mine.centreId}`,
    name: 'Quầy Tân Hội',
    serviceAreas: ['dat-dai'],
  });
  const deskCode = `tan-hoi-q1-${mine.centreId}`;
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  // Surveys are shared by every unit, so only an administrator publishes.
  const admin = await staffClient(app, db, { role: 'admin' });
  return { app, db, mine, other, desk, deskCode, manager, admin };
}

/** The JSON the publish page offers, as a browser would post it back. */
export async function offeredDefinition(client: StaffClient, code = 'sipas-quick'): Promise<SurveyDefinition> {
  const page = await client.get(`/staff/surveys/${code}/publish`);
  const raw = /<textarea[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)?.[1] ?? '';
  const text = raw
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  return JSON.parse(text);
}

export function reworded(def: SurveyDefinition, key: string, vi: string): SurveyDefinition {
  const copy = structuredClone(def);
  for (const s of copy.sections) for (const q of s.questions) if (q.key === key) q.text.vi = vi;
  return copy;
}

export const versionsOf = (db: Db, code = 'sipas-quick') =>
  db
    .selectFrom('survey_version as v')
    .innerJoin('survey as s', 's.id', 'v.survey_id')
    .select(['v.id', 'v.version', 'v.definition', 'v.published_by', 'v.wording_changed_keys'])
    .where('s.code', '=', code)
    .orderBy('v.version')
    .execute();

/** Every scale item of the full survey rated 4. */
export const FULL_ANSWERS = Object.fromEntries(
  questionsOf(SHIPPED_SURVEYS.find((s) => s.code === 'sipas-full')!)
    .filter((q) => q.type === 'scale')
    .map((q) => [q.key, '4']),
);

export async function answer(app: FastifyInstance, deskCode: string, answers = VALID_FORM_ANSWERS) {
  const res = await app.inject({
    method: 'POST',
    url: `/q/${deskCode}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: formBody({ ...answers, submissionId: randomUUID() }),
  });
  if (res.statusCode !== 200) throw new Error(`survey post: ${res.statusCode}`);
}
