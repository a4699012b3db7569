import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import { todayIso } from '../analysis/local-time.ts';
import { migrateToLatest } from '../server/platform/db/migrate.ts';
import { rawAggregates, rawMonthly, storedAggregates, storedMonthly } from './helpers/aggregate-data.ts';
import { databaseBefore } from './helpers/before-migration.ts';
import { VALID_FORM_ANSWERS } from './helpers/fixtures.ts';
import { staffClient } from './helpers/staff.ts';
import { postApi, postForm, SECRET, tokenFor } from './helpers/stuffing-form.ts';
import { form, issue, setup } from './helpers/transaction-codes.ts';

// Responses through a one-time receipt code have a channel of their own,
// `code` ("Mã trên giấy hẹn"), apart from the desk's poster (`qr`): stored
// so, counted so in the aggregates, the report API and the dashboard, and
// the rows stored as `qr` before (issue 13) moved by the migration.

t.test('a response through a one-time code is stored and counted as code, a poster one as qr', async (t) => {
  const { app, db, desk, key, centreCode } = await setup(t, { formSecret: SECRET });
  const res = await issue(app, key, { desk: desk.code, serviceArea: 'dat-dai' });
  t.equal(res.statusCode, 201);
  const url = new URL(res.json().url).pathname;
  // With a genuine render token, as a phone that opened the page a minute ago: neither is flagged.
  // Each page view has its own token: one used twice would flag the second response.
  const fields = (secondsAgo: number) => ({ ...VALID_FORM_ANSWERS, renderToken: tokenFor(desk.code, secondsAgo) });
  const sent = await app.inject({ method: 'POST', url, ...form({ ...fields(60), submissionId: randomUUID() }) });
  t.equal(sent.statusCode, 200);
  const poster = await postForm(app, desk.code, { ...fields(90), serviceArea: 'dat-dai' }, '203.0.113.7');
  t.equal(poster.statusCode, 200);

  // Only the form may claim the two citizen channels: a machine client cannot pass its posts off as receipts.
  const claimed = await postApi(app, desk.code, { overall: 5 }, randomUUID(), 'code');
  t.equal(claimed.statusCode, 422, 'the API refuses channel code…');
  t.match(claimed.json(), { code: 'validation.failed', errors: [{ path: 'channel' }] }, '…for its channel');

  const stored = await db.selectFrom('response').select(['channel', 'verified', 'suspect']).orderBy('id').execute();
  t.same(
    stored,
    [
      { channel: 'code', verified: true, suspect: false },
      { channel: 'qr', verified: false, suspect: false },
    ],
    'the code response under code, verified; the poster one under qr',
  );
  const daily = await db.selectFrom('response_daily').select(['channel', 'n']).orderBy('channel').execute();
  t.same(daily, [
    { channel: 'code', n: 1 },
    { channel: 'qr', n: 1 },
  ]);

  const today = todayIso(new Date());
  const report = await app.inject({
    method: 'GET',
    url: `/api/v1/reports/satisfaction?unit=${centreCode}&from=${today}&to=${today}`,
    headers: { authorization: `Bearer ${key}` },
  });
  t.equal(report.statusCode, 200);
  t.same(report.json().channels, { code: 1, qr: 1 }, 'the report API counts them apart');

  const official = await staffClient(app, db, { role: 'official', unitCode: centreCode });
  const page = await official.get(`/staff/reports?unitId=${desk.centreId}&period=custom&from=${today}&to=${today}`);
  t.equal(page.statusCode, 200);
  const channels = page.body.slice(page.body.indexOf('Số phiếu theo kênh'));
  t.match(channels, /Mã trên giấy hẹn/, 'the dashboard names the channel');
  t.match(channels, /Mã QR tại quầy/);
});

t.test('the migration moves old code responses from qr to code, and the aggregates with them', async (t) => {
  const { db, unitId, versionId } = await databaseBefore(t, '2026-12-05T1300_code-channel');
  // Plain SQL, as the form stored them then: a one-time code's response was a verified `qr`.
  const store = async (channel: string, verified: boolean, overall: number | null) => {
    const { rows } = await sql<{ id: string }>`
      insert into response (submission_id, payload_hash, survey_version_id, unit_id, service_area_code, channel,
                            verified, submitted_at)
      values (${randomUUID()}, 'x', ${versionId}, ${unitId}, 'ho-tich', ${channel}, ${verified},
              '2026-11-20T03:00:00Z')
      returning id`.execute(db);
    const id = rows[0]!.id;
    // Answers only before the migration: the test after it is about the channel alone.
    if (overall !== null) {
      await sql`insert into answer (response_id, indicator_key, value_num) values (${id}, 'overall', ${overall})`.execute(
        db,
      );
    }
    return id;
  };
  const throughCode = await store('qr', true, 5);
  const secondCode = await store('qr', true, 2);
  const poster = await store('qr', false, 4);
  const kiosk = await store('kiosk', false, 3);
  await t.rejects(store('code', true, 5), /response_channel_check/, 'before: no such channel');

  await migrateToLatest(db);
  const channel = async (id: string) =>
    (await db.selectFrom('response').select('channel').where('id', '=', id).executeTakeFirstOrThrow()).channel;
  t.equal(await channel(throughCode), 'code', 'a verified qr response moves to code');
  t.equal(await channel(secondCode), 'code');
  t.equal(await channel(poster), 'qr', 'a poster response stays qr');
  t.equal(await channel(kiosk), 'kiosk');
  t.strictSame(await storedAggregates(db), await rawAggregates(db), 'the daily aggregates moved with the rows');
  t.strictSame(await storedMonthly(db), await rawMonthly(db), 'and the monthly ones');
  const monthly = await db.selectFrom('response_monthly').select(['channel', 'n']).orderBy('channel').execute();
  t.same(monthly, [
    { channel: 'code', n: 2 },
    { channel: 'kiosk', n: 1 },
    { channel: 'qr', n: 1 },
  ]);
  t.ok(await store('code', true, null), 'after: the channel is accepted');
});
