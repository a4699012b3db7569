import { sql } from 'kysely';
import t from 'tap';
import { ensureDataset } from '../bench/dataset.ts';
import { rawReportCounts } from '../bench/raw-report.ts';
import { testDatabase } from './helpers/harness.ts';

// The bench's dataset generator and its raw-rows baseline, at a tiny size:
// what the bench relies on is that the requested rows are there, that a
// second run reuses them, that the aggregates were rebuilt to match the raw
// rows, and that the baseline counts what a report counts.

t.test('ensureDataset makes the rows asked for, reuses them, and the baseline counts them', async (t) => {
  const { db } = await testDatabase(t);
  const lines: string[] = [];
  const opts = { responses: 3_000, communes: 60, chunk: 1_000, log: (l: string) => lines.push(l) };
  const info = await ensureDataset(db, opts);

  t.equal(info.reused, false);
  t.equal(info.responses, 3_000);
  t.ok(
    lines.some((l) => l.includes('3,000 / 3,000 responses')),
    'progress is logged per chunk',
  );

  const counts = await sql<{ responses: string; answers: string; communes: string; desks: string; units: string }>`
    select (select count(*) from response) as responses,
           (select count(*) from answer) as answers,
           (select count(*) from unit where kind = 'commune') as communes,
           (select count(*) from desk) as desks,
           (select count(*) from unit) as units`.execute(db);
  const c = counts.rows[0];
  t.equal(Number(c?.responses), 3_000, 'the responses asked for');
  t.equal(Number(c?.answers), info.answers, 'answers as reported');
  t.equal(Number(c?.communes), 60);
  t.equal(Number(c?.units), info.units);
  t.equal(Number(c?.desks), info.desks);
  // sipas-quick v2: the overall item always, the five factor items mostly, a few optional ones.
  const perResponse = info.answers / info.responses;
  t.ok(perResponse > 5 && perResponse < 7, `${perResponse.toFixed(2)} answers a response`);

  // Every response is in 2025 (local time), at a desk of its unit serving its area, on a working day.
  const odd = await sql<{ n: string }>`
    select count(*) as n from response r
     where aggregate_day(r.submitted_at) not between '2025-01-01' and '2025-12-31'
        or extract(isodow from aggregate_day(r.submitted_at)) = 7
        or not exists (select 1 from desk d join desk_service_area s on s.desk_id = d.id
                        where d.id = r.desk_id and d.unit_id = r.unit_id and s.service_area_code = r.service_area_code)`.execute(
    db,
  );
  t.equal(Number(odd.rows[0]?.n), 0, 'dates, desks and areas are consistent');

  // The triggers were off during the load; the rebuilt aggregates must match the raw rows.
  const agg = await sql<{ answers: string; responses: string }>`
    select (select sum(n) from answer_daily) as answers, (select sum(n) from response_daily) as responses`.execute(db);
  t.equal(Number(agg.rows[0]?.answers), info.answers, 'answer_daily sums to the answers');
  t.equal(Number(agg.rows[0]?.responses), 3_000, 'response_daily sums to the responses');
  const user = await sql<{ role: string }>`select current_setting('session_replication_role') as role`.execute(db);
  t.equal(user.rows[0]?.role, 'origin', 'triggers are back on for the pooled connection');
  const indexes = await sql<{ n: string }>`
    select count(*) as n from pg_indexes where indexname in ('response_desk_time_idx', 'response_unit_time_idx')`.execute(
    db,
  );
  t.equal(Number(indexes.rows[0]?.n), 2, 'the indexes dropped for the load are back');
  // Built on every partition, not on the parent alone (pg_get_indexdef says ON ONLY for those).
  const built = await sql<{ invalid: string; missing: string }>`
    select (select count(*) from pg_index where indrelid = 'response'::regclass and not indisvalid) as invalid,
           (select count(*) from pg_inherits p
              join pg_class c on c.oid = p.inhrelid
             where p.inhparent = 'response'::regclass
               and not exists (select 1 from pg_index i join pg_class x on x.oid = i.indexrelid
                                where i.indrelid = c.oid and x.relname like '%desk_id_submitted_at_idx')) as missing`.execute(
    db,
  );
  t.same(built.rows[0], { invalid: '0', missing: '0' }, 'every index valid, on every partition');
  // A dataset made before that mend gets its indexes built at the next run.
  await sql`drop index response_desk_time_idx`.execute(db);
  await sql`create index response_desk_time_idx on only response (desk_id, submitted_at)`.execute(db);
  t.equal((await ensureDataset(db, opts)).reused, true);
  const mended = await sql<{ valid: boolean }>`
    select indisvalid as valid from pg_index where indexrelid = 'response_desk_time_idx'::regclass`.execute(db);
  t.same(mended.rows, [{ valid: true }], 'the index left on the parent alone is built on every partition');
  // A response stored after the generated ones (a bench's submission still in
  // flight at its clean-up) is taken out when the dataset is reused.
  await sql`insert into response (submission_id, payload_hash, survey_version_id, unit_id, desk_id,
                                  service_area_code, channel, locale, submitted_at)
            select gen_random_uuid(), payload_hash, survey_version_id, unit_id, desk_id,
                   service_area_code, channel, locale, submitted_at from response where id = 1`.execute(db);
  t.equal((await ensureDataset(db, opts)).reused, true, 'reused, not generated again');
  const left = await sql<{ n: string; top: string }>`select count(*) as n, max(id) as top from response`.execute(db);
  t.same(left.rows[0], { n: '3000', top: '3000' }, 'the straggler is gone');

  // A new response still gets an id after the generated ones.
  const next = await sql<{ id: string }>`
    select nextval(pg_get_serial_sequence('submission', 'response_id')) as id`.execute(db);
  t.ok(Number(next.rows[0]?.id) > 3_000, 'the identity sequence is past the generated ids');
  // Issue 19: the year's rows sit in its monthly partitions, none in the default one.
  const months = await sql<{ part: string; n: number }>`
    select tableoid::regclass::text as part, count(*)::int as n from response group by 1 order by 1`.execute(db);
  t.same(
    months.rows.map((r) => r.part),
    Array.from({ length: 12 }, (_, i) => `response_y2025m${String(i + 1).padStart(2, '0')}`),
    'one partition per month of 2025',
  );
  const unregistered = await sql<{ n: number }>`
    select count(*)::int as n from response r where not exists (select 1 from submission s where s.response_id = r.id)`.execute(
    db,
  );
  t.equal(unregistered.rows[0]?.n, 0, 'every response has its submission id registered');

  // Run again: reused at once.
  const again = await ensureDataset(db, opts);
  t.equal(again.reused, true);
  t.same(again.sample, info.sample);
  t.equal(again.answers, info.answers);

  // The sample units are a commune, a province holding it or not, and the root.
  const sample = await sql<{ id: number; path: string; kind: string }>`
    select id, path, kind from unit where id in (${info.sample.communeId}, ${info.sample.provinceId}, ${info.sample.rootId})`.execute(
    db,
  );
  const byId = new Map(sample.rows.map((r) => [r.id, r]));
  t.equal(byId.get(info.sample.communeId)?.kind, 'commune');
  t.equal(byId.get(info.sample.communeId)?.path, info.sample.communePath);
  t.equal(byId.get(info.sample.provinceId)?.kind, 'province');
  t.equal(byId.get(info.sample.provinceId)?.path, info.sample.provincePath);
  t.equal(byId.get(info.sample.rootId)?.path, info.sample.rootPath);

  // The baseline over the root and the year: the non-suspect scale answers, all responses.
  const raw = await rawReportCounts(db, { scopePath: info.sample.rootPath, from: '2025-01-01', to: '2025-12-31' });
  const expected = await sql<{ items: string; responses: string }>`
    select (select count(*) from answer a join response r on r.id = a.response_id
             where a.value_num is not null and not r.suspect) as items,
           (select count(*) from response) as responses`.execute(db);
  t.equal(
    raw.items.reduce((a, x) => a + x.n, 0),
    Number(expected.rows[0]?.items),
  );
  t.equal(
    raw.responses.reduce((a, x) => a + x.n, 0),
    3_000,
  );
  t.ok(
    raw.responses.some((r) => r.suspect),
    'flagged responses are counted apart',
  );
  const provinces = await sql<{ path: string }>`select path from unit where parent_id = ${info.sample.rootId}`.execute(
    db,
  );
  const children = new Set(provinces.rows.map((r) => r.path));
  t.ok(
    raw.items.every((i) => children.has(i.childPath)) && raw.responses.every((r) => children.has(r.childPath)),
    'child paths are the root’s direct children',
  );
  t.ok(
    raw.items.every((i) => ['1', '2', '3', '4', '5'].includes(i.value)),
    'scale values only',
  );
  const sorted = [...raw.items].sort((a, b) =>
    a.childPath < b.childPath
      ? -1
      : a.childPath > b.childPath
        ? 1
        : a.serviceAreaCode.localeCompare(b.serviceAreaCode) ||
          a.indicatorKey.localeCompare(b.indicatorKey) ||
          a.value.localeCompare(b.value),
  );
  t.same(raw.items, sorted, 'items come sorted');

  // A commune over a quarter: its own path, and its counts agree with the aggregates.
  const commune = await rawReportCounts(db, {
    scopePath: info.sample.communePath,
    from: '2025-04-01',
    to: '2025-06-30',
  });
  t.ok(
    commune.responses.every((r) => r.childPath === info.sample.communePath),
    'a commune counts under its own path',
  );
  const daily = await sql<{ n: string | null }>`
    select sum(n) as n from response_daily
     where unit_id = ${info.sample.communeId} and day between '2025-04-01' and '2025-06-30'`.execute(db);
  t.equal(
    commune.responses.reduce((a, r) => a + r.n, 0),
    Number(daily.rows[0]?.n ?? 0),
    'the period is cut at local midnight like the aggregates',
  );
});

t.test('another size replaces the dataset; the same seed gives the same rows', async (t) => {
  const { db } = await testDatabase(t);
  const fingerprint = async () =>
    (
      await sql<{ h: string }>`
        select md5(string_agg(concat_ws(',', r.id, r.unit_id, r.desk_id, r.service_area_code, r.channel,
                                        r.submitted_at, r.suspect, a.indicator_key, a.value_num, a.value_option),
                              ';' order by r.id, a.indicator_key)) as h
          from response r join answer a on a.response_id = r.id`.execute(db)
    ).rows[0]?.h;
  const first = await ensureDataset(db, { responses: 1_500, communes: 40, chunk: 400 });
  const print = await fingerprint();
  const bigger = await ensureDataset(db, { responses: 2_000, communes: 40 });
  t.equal(bigger.reused, false);
  const n = await sql<{ n: string }>`select count(*) as n from response`.execute(db);
  t.equal(Number(n.rows[0]?.n), 2_000, 'the old rows are gone');
  const back = await ensureDataset(db, { responses: 1_500, communes: 40 });
  t.equal(back.reused, false);
  t.same(back.sample, first.sample, 'the same tree');
  t.equal(await fingerprint(), print, 'the same rows, whatever the chunk size');
  const other = await ensureDataset(db, { responses: 1_500, communes: 50, seed: 2 });
  const units = await sql<{ n: string }>`select count(*) as n from unit where kind = 'commune'`.execute(db);
  t.equal(Number(units.rows[0]?.n), 50, 'another tree replaces the old one');
  t.equal(other.reused, false);
});
