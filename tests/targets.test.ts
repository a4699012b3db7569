import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { parseDateInput } from '../analysis/local-time.ts';
import { formatPercentVi, parsePercentVi } from '../analysis/vi-number.ts';
import { seedDemo } from '../server/features/demo/demo.ts';
import { formatThreshold, readTargetForm } from '../server/features/targets/target-rules.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// Plan targets: typed as Vietnamese percentages, shown as "≥ 90%", kept to
// the official's subtree, audited, and seeded from the plans in the seeds.

async function targetAudit(db: Db) {
  return db
    .selectFrom('audit_event')
    .select(['action', 'actor_user_id', 'unit_id'])
    .where('action', 'like', 'target.%')
    .orderBy('id')
    .execute();
}

async function targets(db: Db) {
  return db.selectFrom('plan_target').selectAll().orderBy('id').execute();
}

const VALID = {
  serviceArea: '',
  metric: 'satisfaction_rate',
  factorKey: '',
  comparison: 'gte',
  threshold: '90,5',
  validFrom: '2026-01-01',
  validTo: '31/12/2026',
  sourcePlan: 'Kế hoạch số 12/KH-UBND ngày 10/01/2026 của UBND xã Tân Hội',
  sourceClause: 'Mục II.2: mức độ hài lòng đạt tối thiểu 90,5%',
};

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const mine = await createCentre(db, 'Xã Tân Hội');
  const other = await createCentre(db, 'Xã Bình Minh');
  const official = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, mine.communeId) });
  return { app, db, mine, other, official };
}

t.test('percentages are read and written the vi-VN way', async (t) => {
  t.equal(parsePercentVi('90'), 0.9);
  t.equal(parsePercentVi('90,5'), 0.905);
  t.equal(parsePercentVi(' 90,5 % '), 0.905);
  t.equal(parsePercentVi('90.5'), 0.905, 'a dot is a decimal mark too');
  t.equal(parsePercentVi('99,75'), 0.9975);
  t.equal(parsePercentVi('100'), 1);
  t.equal(parsePercentVi('0'), 0);
  for (const bad of ['', 'chín mươi', '-5', '100,5', '101', '90,555', '1.000', '90,']) {
    t.equal(parsePercentVi(bad), undefined, `"${bad}" is refused`);
  }
  t.equal(formatThreshold('gte', 0.9), '≥ 90%');
  t.equal(formatThreshold('gt', 0.995), '> 99,5%');
  t.equal(formatThreshold('lt', 0.01), '< 1%');
  t.equal(formatPercentVi(0.905), '90,5%');
  t.equal(formatPercentVi(null), '—');
  t.equal(parseDateInput('31/12/2026'), '2026-12-31');
  t.equal(parseDateInput('2026-02-28'), '2026-02-28');
  t.equal(parseDateInput('31/02/2026'), undefined, 'no 31 February');
  t.equal(parseDateInput('12/31/2026'), undefined, 'month first is not Vietnamese');
});

t.test('the form checks every field and says what is wrong in Vietnamese', async (t) => {
  const ok = readTargetForm({ ...VALID, unitId: '7' });
  t.ok(ok.ok);
  if (ok.ok) {
    t.equal(ok.input.threshold, 0.905);
    t.equal(ok.input.validTo, '2026-12-31', 'dd/mm/yyyy is accepted');
    t.equal(ok.input.serviceAreaCode, null, 'no service area: all of them');
    t.equal(ok.input.factorKey, null);
  }
  const bad = readTargetForm({
    unitId: 'x',
    metric: 'factor_rate',
    factorKey: '',
    comparison: 'about',
    threshold: '120',
    validFrom: '2026-12-31',
    validTo: '2026-01-01',
    sourcePlan: '  ',
  });
  t.notOk(bad.ok);
  if (!bad.ok) {
    t.same(Object.keys(bad.errors).sort(), ['comparison', 'factorKey', 'sourcePlan', 'threshold', 'unitId', 'validTo']);
    t.match(bad.errors.threshold, /từ 0 đến 100/);
    t.match(bad.errors.validTo, /sau ngày bắt đầu/);
    t.equal(bad.values.threshold, '120', 'what was typed is kept');
  }
  const impossible = readTargetForm({ ...VALID, unitId: '7', comparison: 'gt', threshold: '100' });
  t.notOk(impossible.ok, '"more than 100%" can never be met');
});

t.test('an official adds, edits and deletes a target; each change is audited', async (t) => {
  const { db, mine, official } = await setup(t);
  const empty = await official.get('/staff/targets');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /Chưa có chỉ tiêu nào/);
  const form = await official.get('/staff/targets/new');
  t.equal(form.statusCode, 200);
  t.match(form.body, new RegExp(`<option value="${mine.centreId}"`), 'the centre below can be chosen');

  const invalid = await official.post('/staff/targets', {
    ...VALID,
    unitId: String(mine.communeId),
    threshold: 'chín mươi',
    sourcePlan: '',
  });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /Mức chỉ tiêu là số phần trăm từ 0 đến 100/);
  t.match(invalid.body, /Vui lòng ghi kế hoạch là căn cứ/);
  t.match(invalid.body, /value="chín mươi"/, 'the form keeps what was typed');
  t.match(invalid.body, /id="validTo"[^>]*value="31\/12\/2026"/, 'a date comes back as typed, dd/mm/yyyy');
  t.equal((await targets(db)).length, 0);

  const created = await official.post('/staff/targets', { ...VALID, unitId: String(mine.communeId) });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, '/staff/targets?done=created');
  const [row] = await targets(db);
  t.equal(row?.threshold, '0.905000');
  t.equal(row?.unit_id, mine.communeId);
  t.equal(row?.service_area_code, null);
  const list = await official.get('/staff/targets?done=created');
  t.match(list.body, /Đã thêm chỉ tiêu/);
  t.match(list.body, /≥ 90,5%/);
  t.match(list.body, /01\/01\/2026 – 31\/12\/2026/);
  t.match(list.body, /Kế hoạch số 12\/KH-UBND ngày 10\/01\/2026 của UBND xã Tân Hội/);
  t.match(list.body, /Tất cả lĩnh vực/);

  const edit = await official.get(`/staff/targets/${row!.id}`);
  t.equal(edit.statusCode, 200);
  t.match(edit.body, /name="threshold" inputmode="decimal" value="90,5"/, 'the threshold is shown as typed');
  const changed = await official.post(`/staff/targets/${row!.id}`, {
    ...VALID,
    unitId: String(mine.centreId),
    serviceArea: 'dat-dai',
    metric: 'factor_rate',
    factorKey: 'staff',
    comparison: 'gte',
    threshold: '85',
  });
  t.equal(changed.statusCode, 303);
  const after = await official.get('/staff/targets');
  t.match(after.body, /≥ 85%/);
  t.match(after.body, /Tỷ lệ hài lòng theo yếu tố: Công chức trực tiếp giải quyết công việc/);
  t.match(after.body, /Đất đai/);

  const deleted = await official.post(`/staff/targets/${row!.id}/delete`);
  t.equal(deleted.statusCode, 303);
  t.equal((await targets(db)).length, 0);
  const audit = await targetAudit(db);
  t.same(
    audit.map((a) => a.action),
    ['target.create', 'target.update', 'target.delete'],
  );
  t.ok(
    audit.every((a) => a.actor_user_id !== null),
    'the actor is recorded',
  );
  t.equal(audit[1]?.unit_id, mine.centreId, 'the unit the target applies to');
});

t.test('a manager reads targets but cannot change them', async (t) => {
  const { app, db, mine, official } = await setup(t);
  await official.post('/staff/targets', { ...VALID, unitId: String(mine.communeId) });
  const [row] = await targets(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.communeId) });
  const list = await manager.get('/staff/targets');
  t.equal(list.statusCode, 200);
  t.match(list.body, /≥ 90,5%/);
  t.notMatch(list.body, /href="\/staff\/targets\/new"/);
  const view = await manager.get(`/staff/targets/${row!.id}`);
  t.equal(view.statusCode, 200);
  t.notMatch(view.body, /<form method="post" action="\/staff\/targets/, 'read-only');
  t.equal((await manager.get('/staff/targets/new')).statusCode, 403);
  t.equal((await manager.post('/staff/targets', { ...VALID, unitId: String(mine.communeId) })).statusCode, 403);
  t.equal(
    (await manager.post(`/staff/targets/${row!.id}`, { ...VALID, unitId: String(mine.communeId) })).statusCode,
    403,
  );
  t.equal((await manager.post(`/staff/targets/${row!.id}/delete`)).statusCode, 403);
  t.equal((await targets(db)).length, 1);
});

// Another commune's users asking for our targets by id (404, as for no such id), their lists and
// forms (nothing of ours) and nothing changed: the cross-unit matrix (tests/cross-unit.test.ts).
t.test('a target cannot be set on a unit outside the subtree', async (t) => {
  const { app, db, mine, other } = await setup(t);
  const stranger = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, other.communeId) });
  const intoOurs = await stranger.post('/staff/targets', { ...VALID, unitId: String(mine.communeId) });
  t.equal(intoOurs.statusCode, 422);
  t.match(intoOurs.body, /thuộc phạm vi của Ông\/Bà/, 'says why');
  t.same(await targets(db), [], 'nothing stored');
});

t.test('targets set above a unit are shown to it, read-only', async (t) => {
  const { app, db, mine } = await setup(t);
  const provinceOfficial = await staffClient(app, db, {
    role: 'official',
    unitCode: await unitCode(db, mine.provinceId),
  });
  const res = await provinceOfficial.post('/staff/targets', {
    ...VALID,
    unitId: String(mine.provinceId),
    threshold: '80',
    sourcePlan: 'Kế hoạch số 201/KH-UBND ngày 16/4/2026 của UBND tỉnh',
  });
  t.equal(res.statusCode, 303);
  const [row] = await targets(db);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: await unitCode(db, mine.centreId) });
  const list = await manager.get('/staff/targets');
  t.match(list.body, /Chỉ tiêu do cấp trên đặt/);
  t.match(list.body, /≥ 80%/);
  t.match(list.body, /Kế hoạch số 201\/KH-UBND/);
  t.notMatch(list.body, new RegExp(`href="/staff/targets/${row!.id}"`), 'no link to edit it');
  t.equal((await manager.get(`/staff/targets/${row!.id}`)).statusCode, 404, 'it is not in the subtree');
});

t.test('the demo seed adds the targets of the seed plans with their sources', async (t) => {
  const { db } = await testApp(t);
  await seedDemo(db, { days: 3, now: new Date('2026-12-04T05:00:00Z') });
  const rows = await db
    .selectFrom('plan_target as t')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .select([
      'u.code',
      'u.kind',
      't.metric',
      't.comparison',
      't.threshold',
      't.service_area_code',
      't.source_plan',
      sql<string>`to_char(t.valid_from, 'YYYY-MM-DD')`.as('valid_from'),
    ])
    .orderBy('t.id')
    .execute();
  t.ok(
    rows.every((r) => r.kind === 'commune'),
    'on the commune or ward whose plan sets them',
  );
  // The current year's demo targets are labelled as such, never as a plan the commune adopted.
  const DEMO = /^Chỉ tiêu minh họa \(dữ liệu mẫu\)/;
  const demo = rows.filter((r) => DEMO.test(r.source_plan));
  const planned = rows.filter((r) => !DEMO.test(r.source_plan));
  const of = (code: string) => planned.filter((r) => r.code === code);
  t.equal(demo.length, 7 * 4 + 3, 'every demo commune: overall ≥ 90% and three areas ≥ 85%; three dossier targets');
  t.ok(
    demo.every((r) => r.valid_from === '2026-01-01'),
    'this year',
  );
  const satisfaction = demo.filter((r) => r.metric === 'satisfaction_rate');
  t.equal(satisfaction.length, 7 * 4);
  t.ok(satisfaction.every((r) => r.comparison === 'gte'));
  // The dossier targets the plans set for other years, at their levels, for this year's volumes;
  // Đình Lập's own target is for 2026 already, so it gets no copy.
  const copyOf = (code: string) =>
    `Chỉ tiêu minh họa (dữ liệu mẫu), theo mức của ${planned.find((r) => r.code === code)!.source_plan}`;
  t.strictSame(
    demo
      .filter((r) => r.metric !== 'satisfaction_rate')
      .map((r) => [r.code, r.metric, r.comparison, r.threshold, r.source_plan]),
    [
      ['hoi-an-dong', 'late_rate', 'lt', '0.010000', copyOf('hoi-an-dong')],
      ['tien-phong', 'on_time_rate', 'gt', '0.950000', copyOf('tien-phong')],
      ['tien-phong', 'early_rate', 'gte', '0.800000', copyOf('tien-phong')],
    ],
  );
  t.equal(of('tan-hoi').length, 0, 'Tân Hội sets no measurable target');
  t.equal(of('ha-tien').length, 0, 'Hà Tiến sets no measurable target');

  const tienPhong = of('tien-phong');
  t.ok(tienPhong.every((r) => r.source_plan === 'Kế hoạch số 04/KH-UBND ngày 12/01/2024 của UBND xã Tiền Phong'));
  const find = (list: typeof rows, metric: string, area: string | null = null) =>
    list.find((r) => r.metric === metric && r.service_area_code === area);
  t.match(find(tienPhong, 'satisfaction_rate'), { comparison: 'gte', threshold: '0.900000' });
  for (const area of ['dat-dai', 'xay-dung', 'dau-tu-kinh-doanh']) {
    t.match(find(tienPhong, 'satisfaction_rate', area), { comparison: 'gte', threshold: '0.850000' }, area);
  }
  t.match(find(tienPhong, 'on_time_rate'), { comparison: 'gt', threshold: '0.950000' });
  t.match(find(tienPhong, 'feedback_handled_rate'), { comparison: 'gte', threshold: '1.000000' });
  t.match(find(tienPhong, 'training_rate'), { comparison: 'gte', threshold: '1.000000' });

  const dinhLap = of('dinh-lap');
  t.ok(dinhLap.every((r) => r.source_plan === 'Kế hoạch số 235/KH-UBND ngày 06/7/2026 của UBND xã Đình Lập'));
  t.match(find(dinhLap, 'on_time_rate'), { comparison: 'gt', threshold: '0.990000' });
  t.match(find(dinhLap, 'feedback_handled_rate'), { comparison: 'gte', threshold: '1.000000' });
  t.match(find(of('hoi-an-dong'), 'late_rate'), { comparison: 'lt', threshold: '0.010000' });
});
