import { sql } from 'kysely';
import t from 'tap';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { testDatabase } from './helpers/harness.ts';
import { messageOf, rejection } from './helpers/refused.ts';

// The rules the schema itself enforces whatever the application code does:
// published survey versions are frozen, a unit's path follows its parents,
// an answer holds one valid value, and a response has no personal data.

t.test('published survey versions cannot be changed or deleted', async (t) => {
  const { db } = await testDatabase(t);
  const versions = await db
    .selectFrom('survey_version')
    .innerJoin('survey', 'survey.id', 'survey_version.survey_id')
    .select(['survey_version.id', 'survey.code', 'survey_version.version', 'survey_version.definition'])
    .orderBy('survey_version.id')
    .execute();
  t.same(
    versions.map((v) => [v.code, v.version]).sort(),
    [
      ['papi-xa', 1],
      ['sipas-counter', 1],
      ['sipas-full', 1],
      ['sipas-quick', 1],
      ['sipas-quick', 2],
    ],
    'every shipped version of the surveys is published',
  );
  const quick = versions.find((v) => v.code === 'sipas-quick');
  if (!quick) return;

  const update = await rejection(
    t,
    sql`update survey_version set definition = '{}'::jsonb where id = ${quick.id}`.execute(db),
    'changing a definition',
  );
  t.match(messageOf(update), /immutable/);
  const bump = await rejection(
    t,
    sql`update survey_version set version = 2 where id = ${quick.id}`.execute(db),
    'renumbering',
  );
  t.match(messageOf(bump), /immutable/);
  const del = await rejection(
    t,
    sql`delete from survey_version where id = ${quick.id}`.execute(db),
    'deleting a version',
  );
  t.match(messageOf(del), /immutable/);

  const after = await db
    .selectFrom('survey_version')
    .select(['version', 'definition'])
    .where('id', '=', quick.id)
    .executeTakeFirst();
  t.equal(after?.version, 1, 'still version 1');
  t.same(after?.definition, quick.definition, 'definition unchanged');
  const { rows } = await sql<{ n: string }>`select count(*) as n from survey_version`.execute(db);
  t.equal(Number(rows[0]?.n), versions.length, 'nothing deleted');
});

t.test("a unit's path is set from its parents, follows a move and is never written by hand", async (t) => {
  const { db } = await testDatabase(t);
  const provinceId = await insertUnit(db, {
    code: 'tinh-thu',
    name: 'Tỉnh Thử Nghiệm',
    kind: 'province',
    parent_id: null,
  });
  const communeId = await insertUnit(db, {
    code: 'xa-thu',
    name: 'Xã Thử Nghiệm',
    kind: 'commune',
    parent_id: provinceId,
  });
  const centreId = await insertUnit(db, {
    code: 'tt-thu',
    name: 'Trung tâm Phục vụ hành chính công Xã Thử Nghiệm',
    kind: 'centre',
    parent_id: communeId,
  });
  const pathOf = async (id: number) =>
    (await db.selectFrom('unit').select('path').where('id', '=', id).executeTakeFirst())?.path;

  t.equal(await pathOf(provinceId), `/${provinceId}/`);
  t.equal(await pathOf(communeId), `/${provinceId}/${communeId}/`);
  t.equal(await pathOf(centreId), `/${provinceId}/${communeId}/${centreId}/`);

  const subtree = await db
    .selectFrom('unit')
    .select('id')
    .where('path', 'like', `/${provinceId}/%`)
    .orderBy('id')
    .execute();
  t.same(
    subtree.map((u) => u.id),
    [provinceId, communeId, centreId],
    'the province subtree is one prefix match',
  );

  const otherProvince = await insertUnit(db, {
    code: 'tinh-khac',
    name: 'Tỉnh Khác',
    kind: 'province',
    parent_id: null,
  });
  // A province merger (issue 17): the commune and everything under it follow.
  await sql`update unit set parent_id = ${otherProvince} where id = ${communeId}`.execute(db);
  t.equal(await pathOf(communeId), `/${otherProvince}/${communeId}/`, 'a moved unit takes its new parent');
  t.equal(await pathOf(centreId), `/${otherProvince}/${communeId}/${centreId}/`, 'its subtree follows');
  const cycle = await rejection(
    t,
    sql`update unit set parent_id = ${centreId} where id = ${communeId}`.execute(db),
    'moving a unit under its own subtree',
  );
  t.match(messageOf(cycle), /own subtree/);
  t.equal(await pathOf(communeId), `/${otherProvince}/${communeId}/`, 'the refused move changed nothing');

  await sql`update unit set path = '/forged/', name = 'Xã Đổi Tên' where id = ${centreId}`.execute(db);
  t.equal(await pathOf(centreId), `/${otherProvince}/${communeId}/${centreId}/`, 'the path cannot be written directly');
  const renamed = await db.selectFrom('unit').select('name').where('id', '=', centreId).executeTakeFirst();
  t.equal(renamed?.name, 'Xã Đổi Tên', 'other columns still update');
});

/** A response to the quick survey in a new centre, for answer rows to hang on. */
async function createResponse(db: Db): Promise<string> {
  const version = await db
    .selectFrom('survey_version')
    .innerJoin('survey', 'survey.id', 'survey_version.survey_id')
    .select('survey_version.id')
    .where('survey.code', '=', 'sipas-quick')
    .executeTakeFirstOrThrow();
  const unitId = await insertUnit(db, { code: 'tt-tra-loi', name: 'Trung tâm', kind: 'centre', parent_id: null });
  const row = await db
    .insertInto('response')
    .values({
      submission_id: '0b8f5a9e-3c1d-4e2f-9a7b-6c5d4e3f2a1b',
      payload_hash: 'x'.repeat(64),
      survey_version_id: version.id,
      unit_id: unitId,
      desk_id: null,
      service_area_code: 'ho-tich',
      channel: 'qr',
      suspect_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

t.test('an answer row holds exactly one valid value', async (t) => {
  const { db } = await testDatabase(t);
  const responseId = await createResponse(db);
  const answer = (
    indicator_key: string,
    values: { value_num?: number | null; value_option?: string | null; value_text?: string | null },
  ) =>
    db
      .insertInto('answer')
      .values({
        response_id: responseId,
        submitted_at: db.selectFrom('response').select('submitted_at').where('id', '=', responseId),
        indicator_key,
        value_num: null,
        value_option: null,
        value_text: null,
        ...values,
      })
      .execute();

  await answer('staff', { value_num: 5 });
  await answer('trips', { value_option: '3plus' });
  await answer('comment', { value_text: 'Tốt' });
  t.pass('one value per row is accepted');

  await rejection(t, answer('access', { value_num: 4, value_option: 'yes' }), 'a number and an option');
  await rejection(t, answer('access', { value_num: 4, value_text: 'tốt' }), 'a number and a text');
  await rejection(t, answer('access', {}), 'no value at all');
  await rejection(t, answer('overall', { value_num: 6 }), 'value_num 6');
  await rejection(t, answer('overall', { value_num: 0 }), 'value_num 0');
  await rejection(t, answer('Overall', { value_num: 4 }), 'an indicator key with uppercase');

  const rows = await db
    .selectFrom('answer')
    .select('indicator_key')
    .where('response_id', '=', responseId)
    .orderBy('indicator_key')
    .execute();
  t.same(
    rows.map((r) => r.indicator_key),
    ['comment', 'staff', 'trips'],
    'only the valid rows were stored',
  );
});

t.test('the response table has no column for personal data', async (t) => {
  const { db } = await testDatabase(t);
  const { rows } = await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns
    where table_schema = 'public' and table_name = 'response'`.execute(db);
  const columns = rows.map((r) => r.column_name);
  t.ok(
    columns.includes('submission_id') && columns.includes('submitted_at'),
    `the table's columns are read: ${columns.join(', ')}`,
  );
  for (const word of ['ip', 'address', 'name', 'phone', 'email', 'user_agent']) {
    t.same(
      columns.filter((c) => c.includes(word)),
      [],
      `no column name contains "${word}"`,
    );
  }
  t.same(
    rows.filter((r) => r.data_type === 'inet' || r.data_type === 'cidr').map((r) => r.column_name),
    [],
    'no network address column',
  );
});
