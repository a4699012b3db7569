import { sql } from 'kysely';
import t from 'tap';
import { isBalanced, type MonthVolumes } from '../analysis/dossiers.ts';
import { seedDemo } from '../server/features/demo/demo.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { testApp, testDatabase } from './helpers/harness.ts';

// The demo's dossier volumes (issue 14): rows that add up and follow on from
// month to month, a survey that answers 5–40% of each month's dossiers, and
// the timeliness the seed plans' targets are judged on.

// A Friday at noon in Vietnam: December 2026 so far has four working days.
const NOW = new Date('2026-12-04T05:00:00Z');

interface Row extends MonthVolumes {
  unit: string;
  serviceArea: string;
}

async function volumes(db: Db): Promise<Row[]> {
  const { rows } = await sql<Row>`
    select u.code as unit, v.service_area_code as "serviceArea", to_char(v.month, 'YYYY-MM') as month,
           v.received_online as "receivedOnline", v.received_direct as "receivedDirect",
           v.carried_over as "carriedOver", v.resolved_early as "resolvedEarly",
           v.resolved_on_time as "resolvedOnTime", v.resolved_late as "resolvedLate",
           v.pending_on_time as "pendingOnTime", v.pending_overdue as "pendingOverdue",
           v.dissatisfied_or_complained as "dissatisfiedOrComplained", v.complaints,
           v.complaints_on_time as "complaintsOnTime"
      from dossier_volume v join unit u on u.id = v.unit_id
     order by u.code, v.service_area_code, v.month`.execute(db);
  return rows;
}

const resolved = (r: MonthVolumes) => r.resolvedEarly + r.resolvedOnTime + r.resolvedLate;
const pending = (r: MonthVolumes) => r.pendingOnTime + r.pendingOverdue;

/** Early, on-time (early + on time) and late rates of a centre's rows in a year, all areas together. */
function rates(rows: Row[], unit: string, year: string, area?: string) {
  const sel = rows.filter((r) => r.unit === unit && r.month.startsWith(year) && (!area || r.serviceArea === area));
  const sum = (f: (r: Row) => number) => sel.reduce((s, r) => s + f(r), 0);
  const n = sum(resolved);
  return {
    early: sum((r) => r.resolvedEarly) / n,
    onTime: sum((r) => r.resolvedEarly + r.resolvedOnTime) / n,
    late: sum((r) => r.resolvedLate) / n,
    dissatisfied: sum((r) => r.dissatisfiedOrComplained ?? 0) / n,
    complaints: sum((r) => r.complaints ?? 0),
    complaintsOnTime: sum((r) => r.complaintsOnTime ?? 0),
  };
}

t.test('the demo seeds balanced volumes at its centres, sized on their responses', async (t) => {
  const { db } = await testApp(t);
  const summary = await seedDemo(db, { now: NOW });
  const rows = await volumes(db);
  // 7 centres × 9 areas × January 2024 to December 2026.
  t.equal(rows.length, 7 * 9 * 36);
  t.equal(summary.volumeRows, rows.length);
  t.ok(
    rows.every((r) => r.unit.endsWith('-tt')),
    'at the centres, where the responses are',
  );

  const unbalanced = rows.filter((r) => !isBalanced(r));
  t.strictSame(unbalanced, [], 'received + carried over = resolved + pending, every row');
  const broken = rows.filter((r, i) => {
    const prev = rows[i - 1];
    if (r.month === '2024-01') return false;
    return !prev || prev.unit !== r.unit || prev.serviceArea !== r.serviceArea || r.carriedOver !== pending(prev);
  });
  t.strictSame(broken, [], "every month carries over the previous month's pending dossiers");
  t.ok(
    rows.every((r) => r.complaintsOnTime! <= r.complaints! && r.complaints! <= r.dissatisfiedOrComplained!),
    'complaints handled on time within the complaints, complained-about dossiers counted in X',
  );

  const { rows: counts } = await sql<{ unit: string; area: string; month: string; n: number }>`
    select u.code as unit, r.service_area_code as area,
           to_char(r.submitted_at at time zone 'Asia/Ho_Chi_Minh', 'YYYY-MM') as month, count(*)::int as n
      from response r join unit u on u.id = r.unit_id
     where r.round_id is null -- a survey round's forms are a sample of their own (demo-rounds.ts)
     group by 1, 2, 3`.execute(db);
  t.ok(counts.length > 7 * 9 * 4, 'responses in most areas of four months and more');
  const byKey = new Map(rows.map((r) => [`${r.unit} ${r.serviceArea} ${r.month}`, r]));
  const outside = counts.filter((c) => {
    const v = byKey.get(`${c.unit} ${c.area} ${c.month}`);
    return !v || c.n / resolved(v) < 0.05 || c.n / resolved(v) > 0.4;
  });
  t.strictSame(outside, [], 'where a month has responses, they are 5–40% of its resolved dossiers');

  // The seed plans' targets, judged on the rows as the report does.
  const dinhLap = rates(rows, 'dinh-lap-tt', '2026');
  t.ok(dinhLap.onTime > 0.99 && dinhLap.onTime < 0.995, `Đình Lập 2026: just above 99% on time (${dinhLap.onTime})`);
  const tienPhong = rates(rows, 'tien-phong-tt', '2024');
  t.ok(tienPhong.onTime > 0.95, `Tiền Phong 2024: above 95% on time (${tienPhong.onTime})`);
  t.ok(tienPhong.early < 0.8, `Tiền Phong 2024: below 80% early (${tienPhong.early})`);
  const tienPhongNow = rates(rows, 'tien-phong-tt', '2026');
  t.ok(tienPhongNow.early > tienPhong.early && tienPhongNow.early < 0.8, 'better since, not yet there');
  const hoiAnDong = rates(rows, 'hoi-an-dong-tt', '2025');
  t.ok(hoiAnDong.late < 0.01, `Hội An Đông 2025: below 1% late (${hoiAnDong.late})`);
  t.ok(rates(rows, 'hoi-an-dong-tt', '2026').late < 0.01, 'and this year');
  const hoiAnTay = rates(rows, 'hoi-an-tay-tt', '2026');
  for (const code of ['hoi-an', 'hoi-an-dong']) {
    const ward = rates(rows, `${code}-tt`, '2026');
    t.ok(hoiAnTay.late > 3 * ward.late && hoiAnTay.early < ward.early, `Hội An Tây visibly worse than ${code}`);
  }
  for (const code of ['tan-hoi', 'hoi-an-dong', 'ha-tien', 'dinh-lap', 'tien-phong', 'hoi-an', 'hoi-an-tay']) {
    const land = rates(rows, `${code}-tt`, '2026', 'dat-dai');
    const civil = rates(rows, `${code}-tt`, '2026', 'ho-tich');
    t.ok(land.late > civil.late && land.early < civil.early, `${code}: land slower than civil status`);
    // QĐ 766: a small share of dissatisfied or complained-about dossiers, a few complaints a month, mostly on time.
    const all = rates(rows, `${code}-tt`, '2025');
    t.ok(all.dissatisfied >= 0.005 && all.dissatisfied <= 0.025, `${code}: X is ${all.dissatisfied}`);
    t.ok(all.complaints >= 12 && all.complaints <= 100, `${code}: ${all.complaints} complaints in 2025`);
    t.ok(all.complaintsOnTime >= 0.6 * all.complaints, `${code}: mostly handled on time`);
  }
});

t.test('the same volumes on every machine; the past the same on every day', async (t) => {
  // A few days of responses are enough here (and seed three times faster).
  const seeded = async (now: Date) => {
    const { db } = await testDatabase(t);
    await seedDemo(db, { now, days: 5 });
    return volumes(db);
  };
  const first = await seeded(NOW);
  t.strictSame(await seeded(NOW), first, 'two seeds with the same now');
  // A month later: the months before either seed's responses are unchanged.
  const later = await seeded(new Date('2027-01-04T05:00:00Z'));
  const before = (rows: Row[]) => rows.filter((r) => r.month < '2026-08');
  t.strictSame(before(later), before(first), 'a month later, the same January 2024 to July 2026');
  t.equal(later.length, 7 * 9 * 37);
});
