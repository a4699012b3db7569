import t, { type Test } from 'tap';
import { createUser } from '../server/features/access/auth-service.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import { ensureSurveys, latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import { migrateToLatest } from '../server/platform/db/migrate.ts';
import { SHIPPED_HISTORY, shippedVersions } from '../surveys/instruments.ts';
import { bulkRow } from './helpers/aggregate-data.ts';
import { createDesk } from './helpers/fixtures.ts';
import { testDatabase } from './helpers/harness.ts';
import { versionsOf } from './helpers/survey-versions.ts';

// A deploy that ships a new version of a survey publishes it at start, after
// the versions a database already has; the responses given to an older
// version stay with it; a survey staff have published versions of their own
// is left to them.

/** The history as an earlier release shipped it: version 1 of each survey, and no counter or PAPI survey yet. */
const NEWER_SURVEYS = ['sipas-counter', 'papi-xa'];
const PREVIOUS_RELEASE = SHIPPED_HISTORY.filter((h) => !NEWER_SURVEYS.includes(h.code)).map((h) => ({
  code: h.code,
  versions: h.versions.slice(0, 1),
}));

async function databaseOfPreviousRelease(t: Test) {
  const { db } = await testDatabase(t, { empty: true });
  await migrateToLatest(db);
  t.same(await ensureSurveys(db, shippedVersions(PREVIOUS_RELEASE)), { keptByStaff: [] });
  return db;
}

t.test('the new version is published at start; earlier responses keep their version', async (t) => {
  const db = await databaseOfPreviousRelease(t);
  const v1 = (await latestVersion(db, 'sipas-quick'))!;
  t.equal(v1.version, 1);
  const desk = await createDesk(db, ['ho-tich']);
  const where = { unitId: desk.centreId, deskId: desk.deskId, serviceArea: 'ho-tich' };
  await insertResponsesBulk(db, [
    bulkRow(v1.id, new Date(), where, [
      { key: 'feedback', kind: 'scale', value: 4 },
      { key: 'overall', kind: 'scale', value: 5 },
    ]),
  ]);

  t.same(await ensureSurveys(db, shippedVersions()), { keptByStaff: [] });
  const versions = await versionsOf(db);
  t.same(
    versions.map((v) => [v.version, v.published_by, v.wording_changed_keys]),
    [
      [1, null, []],
      [2, null, []],
    ],
    'version 2 follows version 1, shipped, with no wording changed',
  );
  t.same(versions[1]?.definition, SHIPPED_HISTORY[0]?.versions[1], 'as shipped');
  const latest = (await latestVersion(db, 'sipas-quick'))!;
  t.equal(latest.version, 2, 'citizens now answer version 2');
  t.equal(latest.definition.sections[0]?.questions[0]?.key, 'overall');
  const response = await db.selectFrom('response').select('survey_version_id').executeTakeFirstOrThrow();
  t.equal(response.survey_version_id, v1.id, 'the earlier response keeps version 1');

  t.same(await ensureSurveys(db, shippedVersions()), { keptByStaff: [] });
  t.equal((await versionsOf(db)).length, 2, 'a second start publishes nothing more');
  t.equal((await versionsOf(db, 'sipas-full')).length, 1, 'the full survey has one version still');
  for (const code of NEWER_SURVEYS) {
    t.same(
      (await versionsOf(db, code)).map((v) => [v.version, v.published_by]),
      [[1, null]],
      `${code}, new since that release, is published at start`,
    );
  }
});

t.test('a survey staff have re-published is not overwritten by a deploy', async (t) => {
  const db = await databaseOfPreviousRelease(t);
  const created = await createUser(db, {
    email: 'quan-tri@example.gov.vn',
    name: 'Quản trị',
    password: 'mat-khau-du-dai-1',
    role: 'admin',
  });
  if (created.status !== 'ok') throw new Error(created.status);
  const admin = await db.selectFrom('app_user').select('id').executeTakeFirstOrThrow();
  const survey = await db.selectFrom('survey').select('id').where('code', '=', 'sipas-quick').executeTakeFirstOrThrow();
  const theirs = { ...SHIPPED_HISTORY[0]!.versions[0]!, title: { vi: 'Phiếu của tỉnh', en: 'Our survey' } };
  await db
    .insertInto('survey_version')
    .values({ survey_id: survey.id, version: 2, definition: JSON.stringify(theirs), published_by: admin.id })
    .execute();

  t.same(await ensureSurveys(db, shippedVersions()), { keptByStaff: ['sipas-quick'] }, 'said, for the operator');
  const versions = await versionsOf(db);
  t.same(
    versions.map((v) => [v.version, v.published_by]),
    [
      [1, null],
      [2, admin.id],
    ],
  );
  t.match(versions[1]?.definition, { title: { vi: 'Phiếu của tỉnh' } }, 'their version stays');
});
