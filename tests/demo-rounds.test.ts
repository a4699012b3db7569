import { sql } from 'kysely';
import t from 'tap';
import { seedDemo } from '../server/features/demo/demo.ts';
import { DEMO_PAPI_FORMS } from '../server/features/demo/demo-rounds.ts';
import { DEMO_COMMUNES } from '../server/features/demo/demo-units.ts';
import { listRoundsInSubtree, roundQuotas } from '../server/features/rounds/round-repository.ts';
import { PAPI_DIMENSION_KEYS, PAPI_DIMENSION_NAMES } from '../surveys/papi-xa.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// The demo's survey rounds (issue 16): a SIPAS round and a PAPI-aligned
// round at the first commune, with their paper forms counted, dated on
// weekdays of a fieldwork that is over, and kept out of the aggregates.

// A Friday at noon in Vietnam: fieldwork October–November 2026, reference July–September.
const NOW = new Date('2026-12-04T05:00:00Z');

t.test('the first demo commune has a SIPAS and a PAPI round with their forms', async (t) => {
  const { app, db } = await testApp(t);
  // A few days of QR responses are enough: the rounds are sized on the volumes.
  const summary = await seedDemo(db, { now: NOW, days: 5 });
  t.equal(summary.skipped, false);

  const commune = DEMO_COMMUNES[0]!.commune.code;
  const unit = await db.selectFrom('unit').select(['id', 'path']).where('code', '=', commune).executeTakeFirstOrThrow();
  const rounds = await listRoundsInSubtree(db, unit.path);
  t.strictSame(rounds.map((r) => r.code).sort(), ['dot-1-2026', 'papi-2026']);
  const sipas = rounds.find((r) => r.code === 'dot-1-2026')!;
  const papi = rounds.find((r) => r.code === 'papi-2026')!;
  t.equal(sipas.surveyCode, 'sipas-quick');
  t.equal(papi.surveyCode, 'papi-xa');
  for (const r of rounds) {
    t.equal(r.unitId, unit.id, `${r.code} is the commune's`);
    t.equal(r.fieldworkFrom, '2026-10-01');
    t.equal(r.fieldworkTo, '2026-11-30');
  }
  t.equal(sipas.populationSource, 'volumes');
  t.equal(sipas.referenceFrom, '2026-07-01');
  t.equal(sipas.referenceTo, '2026-09-30');
  t.equal(sipas.allocation, 'proportional');
  t.equal(papi.populationSource, 'typed');
  t.equal(papi.population, 5000);
  t.equal(papi.allocation, 'equal');

  // The N of the SIPAS round: the centre's resolved dossiers of July–September.
  const { rows: resolved } = await sql<{ n: number }>`
    select sum(resolved_early + resolved_on_time + resolved_late)::int as n
      from dossier_volume v join unit u on u.id = v.unit_id
     where u.code = ${DEMO_COMMUNES[0]!.centre.code} and v.month between '2026-07-01' and '2026-09-01'`.execute(db);
  t.equal(sipas.population, resolved[0]!.n);

  const formsOf = async (roundId: number) => {
    const { rows } = await sql<{ area: string; n: number }>`
      select r.service_area_code as area, count(*)::int as n
        from round_form f join response r on r.id = f.response_id
       where f.round_id = ${roundId} and f.status = 'counted' and f.source = 'import' and r.round_id = ${roundId}
       group by 1`.execute(db);
    return new Map(rows.map((r) => [r.area, r.n]));
  };
  const total = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);

  const sipasQuotas = await roundQuotas(db, sipas.id);
  const sipasN = sipasQuotas.reduce((s, q) => s + q.quota, 0);
  const sipasForms = await formsOf(sipas.id);
  t.ok(sipasN > 100, `n = ${sipasN}`);
  t.ok(
    total(sipasForms) >= 0.8 * sipasN && total(sipasForms) <= 0.9 * sipasN,
    `${total(sipasForms)} forms of ${sipasN}`,
  );
  for (const q of sipasQuotas) {
    const n = sipasForms.get(q.code) ?? 0;
    t.ok(n >= Math.floor(0.75 * q.quota) && n <= q.quota, `${q.code}: ${n} of ${q.quota}`);
  }
  const papiForms = await formsOf(papi.id);
  t.equal(total(papiForms), DEMO_PAPI_FORMS);
  const papiQuotas = await roundQuotas(db, papi.id);
  const quotaSizes = papiQuotas.map((q) => q.quota);
  t.ok(Math.max(...quotaSizes) - Math.min(...quotaSizes) <= 1, `equal allocation: ${quotaSizes.join(', ')}`);
  t.equal(summary.roundForms, total(sipasForms) + DEMO_PAPI_FORMS);

  // Serials 1..k; every form at the centre, on a weekday of the fieldwork, on paper.
  for (const r of rounds) {
    const { rows } = await sql<{ serial: number; day: string; dow: number; channel: string; centre: string }>`
      select f.serial, to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') as day,
             extract(isodow from r.submitted_at at time zone 'Asia/Ho_Chi_Minh')::int as dow,
             r.channel, u.code as centre
        from round_form f join response r on r.id = f.response_id join unit u on u.id = r.unit_id
       where f.round_id = ${r.id} order by f.serial`.execute(db);
    t.strictSame(
      rows.map((x) => x.serial),
      rows.map((_, i) => i + 1),
      `${r.code}: serials 1..k`,
    );
    t.strictSame(
      rows.filter((x) => x.day < r.fieldworkFrom || x.day > r.fieldworkTo || x.dow > 5),
      [],
      `${r.code}: every form on a weekday of the fieldwork`,
    );
    t.ok(
      rows.every((x) => x.channel === 'paper' && x.centre === DEMO_COMMUNES[0]!.centre.code),
      `${r.code}: paper forms of the centre`,
    );
  }

  // The rounds' responses are not in the aggregates.
  const { rows: agg } = await sql<{ paper: number; daily: number; stream: number }>`
    select (select coalesce(sum(n), 0)::int from response_daily where channel = 'paper') as paper,
           (select coalesce(sum(n), 0)::int from response_daily) as daily,
           (select count(*)::int from response where round_id is null) as stream`.execute(db);
  t.equal(agg[0]!.paper, 0, 'no paper responses in response_daily');
  t.equal(agg[0]!.daily, agg[0]!.stream, 'response_daily counts the stream only');

  // The round pages, as an official of the commune.
  const official = await staffClient(app, db, { role: 'official', unitCode: commune });
  const sipasPage = await official.get(`/staff/rounds/${sipas.id}`);
  t.equal(sipasPage.statusCode, 200);
  t.match(sipasPage.body, 'Kết quả điều tra theo mẫu');
  const papiPage = await official.get(`/staff/rounds/${papi.id}`);
  t.equal(papiPage.statusCode, 200);
  for (const d of PAPI_DIMENSION_KEYS) t.match(papiPage.body, PAPI_DIMENSION_NAMES[d].vi, `${d} on the PAPI page`);
  const dash = await official.get('/staff/reports?period=custom&from=01/10/2026&to=30/11/2026');
  t.equal(dash.statusCode, 200);
  t.match(dash.body, 'Kết quả điều tra theo mẫu', 'the dashboard shows the rounds');

  // Seeding again adds nothing.
  const again = await seedDemo(db, { now: NOW, days: 5 });
  t.equal(again.skipped, true);
  t.equal(again.roundForms, 0);
  t.equal((await listRoundsInSubtree(db, unit.path)).length, 2);
});
