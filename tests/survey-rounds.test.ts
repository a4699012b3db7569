import t from 'tap';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import { bulkRow, quickVersionId } from './helpers/aggregate-data.ts';
import { unitCode } from './helpers/fixtures.ts';
import { ADMIN, roundCommune } from './helpers/round-setup.ts';
import { staffClient } from './helpers/staff.ts';

// Survey rounds (issue 16): an official plans a round with a sample size
// from N and quotas per area; managers follow the progress; nothing of one
// commune's rounds reaches another's officials.

const _admin = ADMIN;

const setup = roundCommune;

const form = (unitId: number, more: Record<string, string> = {}) => ({
  unitId: String(unitId),
  code: 'quy-2-2026',
  survey: 'sipas-quick',
  fieldworkFrom: '01/04/2026',
  fieldworkTo: '30/06/2026',
  populationSource: 'typed',
  population: '1.000',
  referenceFrom: '01/01/2026',
  referenceTo: '28/02/2026',
  margin: '5',
  allocation: 'proportional',
  ...more,
});

async function quotas(db: Db) {
  const rows = await db.selectFrom('survey_round_quota').selectAll().orderBy('service_area_code').execute();
  return Object.fromEntries(rows.map((r) => [r.service_area_code, r.quota]));
}

const roundIdOf = (location: unknown) => Number(/^\/staff\/rounds\/(\d+)\?done=created$/.exec(String(location))?.[1]);

t.test('an official creates a round with a typed N; quotas follow the volumes and sum to n', async (t) => {
  const { db, mine, official } = await setup(t);
  const list = await official.get('/staff/rounds');
  t.equal(list.statusCode, 200);
  t.match(list.body, 'Tạo đợt khảo sát');
  const res = await official.post('/staff/rounds', form(mine.communeId));
  t.equal(res.statusCode, 303, res.body.slice(0, 300));
  const id = roundIdOf(res.headers.location);
  t.ok(id > 0, 'sent to the round');
  // 1000 / 3.5 = 285.7 → 286; 60/30/10 %: 171.6, 85.8, 28.6 → 172, 86, 28 by largest remainder.
  t.same(await quotas(db), { 'dat-dai': 172, 'ho-tich': 86, 'y-te': 28 });
  const round = await db.selectFrom('survey_round').selectAll().executeTakeFirstOrThrow();
  t.equal(round.population, 1000);
  t.equal(round.population_source, 'typed');
  t.equal(Number(round.margin), 0.05);
  const page = await official.get(String(res.headers.location));
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Đã tạo đợt khảo sát.');
  t.match(page.body, 'N = <strong>1.000</strong>');
  t.match(page.body, '<strong>286</strong>');
  t.match(page.body, '01/04/2026 – 30/06/2026');
  const audit = await db
    .selectFrom('audit_event')
    .select(['action', 'unit_id'])
    .where('action', 'like', 'round.%')
    .execute();
  t.same(audit, [{ action: 'round.create', unit_id: mine.communeId }]);
  const again = await official.post('/staff/rounds', form(mine.communeId));
  t.equal(again.statusCode, 422, 'the same code twice in a unit is refused');
  t.match(again.body, 'Đơn vị đã có một đợt khảo sát với mã này.');
});

t.test('N from the volumes of the reference period', async (t) => {
  const { db, mine, official } = await setup(t);
  const res = await official.post(
    '/staff/rounds',
    form(mine.communeId, { populationSource: 'volumes', population: '', referenceTo: '31/01/2026' }),
  );
  t.equal(res.statusCode, 303, res.body.slice(0, 300));
  // January: N = 300 + 150 + 50 = 500 → 500 / 2.25 = 222.2 → 223;
  // 133.8, 66.9, 22.3 → floors 221, the two left to .9 (hộ tịch) and .8 (đất đai).
  t.same(await quotas(db), { 'dat-dai': 134, 'ho-tich': 67, 'y-te': 22 });
  const round = await db.selectFrom('survey_round').selectAll().executeTakeFirstOrThrow();
  t.equal(round.population, 500);
  t.equal(round.population_source, 'volumes');
  // Before any volumes: nothing to take N from.
  const empty = await official.post(
    '/staff/rounds',
    form(mine.communeId, {
      code: 'nam-2025',
      populationSource: 'volumes',
      referenceFrom: '01/01/2025',
      referenceTo: '31/12/2025',
    }),
  );
  t.equal(empty.statusCode, 422);
  t.match(empty.body, 'Chưa có số liệu hồ sơ đã giải quyết');
});

t.test('quotas are edited, and progress counts the round’s responses that are not suspect', async (t) => {
  const { db, mine, official } = await setup(t);
  const id = roundIdOf((await official.post('/staff/rounds', form(mine.communeId))).headers.location);
  const bad = await official.post(`/staff/rounds/${id}/quotas`, {
    'quota.dat-dai': '150',
    'quota.ho-tich': 'nhiều',
    'quota.y-te': '36',
  });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, 'Vui lòng nhập số phiếu là số nguyên từ 0 trở lên.');
  t.match(bad.body, 'value="nhiều"', 'what was typed is shown again');
  t.same(await quotas(db), { 'dat-dai': 172, 'ho-tich': 86, 'y-te': 28 }, 'nothing stored');
  const ok = await official.post(`/staff/rounds/${id}/quotas`, {
    'quota.dat-dai': '150',
    'quota.ho-tich': '100',
    'quota.y-te': '36',
  });
  t.equal(ok.statusCode, 303);
  t.same(await quotas(db), { 'dat-dai': 150, 'ho-tich': 100, 'y-te': 36 });
  t.equal(
    (await db.selectFrom('audit_event').select('action').where('action', '=', 'round.quotas').execute()).length,
    1,
  );

  const v = await quickVersionId(db);
  const at = new Date('2026-04-10T09:00:00+07:00');
  const where = (serviceArea: string) => ({ unitId: mine.centreId, deskId: null, serviceArea });
  const overall = [{ key: 'overall', kind: 'scale' as const, value: 5 }];
  await insertResponsesBulk(db, [
    bulkRow(v, at, where('dat-dai'), overall),
    bulkRow(v, at, where('dat-dai'), overall),
    bulkRow(v, at, where('dat-dai'), overall),
    bulkRow(v, at, where('dat-dai'), overall),
    bulkRow(v, at, where('ho-tich'), overall),
    bulkRow(v, at, where('y-te'), overall),
  ]);
  const ids = (await db.selectFrom('response').select('id').orderBy('id').execute()).map((r) => r.id);
  // Five entered for the round, one of them suspect; the last response belongs to no round.
  await db.updateTable('response').set({ round_id: id }).where('id', 'in', ids.slice(0, 5)).execute();
  await db.updateTable('response').set({ suspect: true, suspect_reason: 'test' }).where('id', '=', ids[0]!).execute();
  const page = await official.get(`/staff/rounds/${id}`);
  t.equal(page.statusCode, 200);
  // Đất đai 3 of 150 = 2%; hộ tịch 1 of 100 = 1%; y tế 0 of 36.
  t.match(page.body, '<progress max="100" value="2"');
  t.match(page.body, '<progress max="100" value="1"');
  t.match(page.body, 'Đã có: <strong>4</strong>');
});

t.test('managers and clerks read the rounds but cannot create or edit them', async (t) => {
  const { app, db, mine, official } = await setup(t);
  // A round of the centre itself: a manager reads the rounds of their own subtree.
  const id = roundIdOf((await official.post('/staff/rounds', form(mine.centreId))).headers.location);
  const centre = await unitCode(db, mine.centreId);
  const manager = await staffClient(app, db, { role: 'manager', unitCode: centre });
  const list = await manager.get('/staff/rounds');
  t.equal(list.statusCode, 200);
  t.notMatch(list.body, 'action="/staff/rounds"', 'no form to create one');
  t.equal((await manager.get(`/staff/rounds/${id}`)).statusCode, 200);
  t.equal((await manager.post('/staff/rounds', form(mine.centreId, { code: 'cua-quan-ly' }))).statusCode, 403);
  t.equal((await manager.post(`/staff/rounds/${id}/quotas`, { 'quota.dat-dai': '1' })).statusCode, 403);
  // Clerks read the rounds too: they print and enter the forms.
  const clerk = await staffClient(app, db, { role: 'staff', unitCode: centre });
  t.equal((await clerk.get('/staff/rounds')).statusCode, 200);
  t.equal((await clerk.get(`/staff/rounds/${id}`)).statusCode, 200);
  t.equal((await clerk.post(`/staff/rounds/${id}/quotas`, { 'quota.dat-dai': '1' })).statusCode, 403);
  t.equal((await db.selectFrom('survey_round').select('id').execute()).length, 1);
  t.same(await quotas(db), { 'dat-dai': 172, 'ho-tich': 86, 'y-te': 28 });
});

t.test('another commune’s official gets a 404 and changes nothing', async (t) => {
  const { app, db, mine, other, official } = await setup(t);
  const id = roundIdOf((await official.post('/staff/rounds', form(mine.communeId))).headers.location);
  const stranger = await staffClient(app, db, { role: 'official', unitCode: await unitCode(db, other.communeId) });
  t.equal((await stranger.get(`/staff/rounds/${id}`)).statusCode, 404);
  t.equal((await stranger.post(`/staff/rounds/${id}/quotas`, { 'quota.dat-dai': '1' })).statusCode, 404);
  const list = await stranger.get('/staff/rounds');
  t.notMatch(list.body, 'quy-2-2026', "the other commune's round is not listed");
  const create = await stranger.post('/staff/rounds', form(mine.communeId, { code: 'chen-ngang' }));
  t.equal(create.statusCode, 422);
  t.match(create.body, 'Vui lòng chọn một đơn vị thuộc phạm vi của Ông/Bà.');
  t.equal((await db.selectFrom('survey_round').select('id').execute()).length, 1);
  t.same(await quotas(db), { 'dat-dai': 172, 'ho-tich': 86, 'y-te': 28 });
});

t.test('bad input is shown again with Vietnamese errors and nothing is stored', async (t) => {
  const { db, mine, official } = await setup(t);
  const res = await official.post(
    '/staff/rounds',
    form(mine.communeId, {
      code: 'Quý 2',
      survey: 'khong-co',
      fieldworkFrom: '31/02/2026',
      fieldworkTo: '01/03/2026',
      population: 'nhiều',
      referenceFrom: '15/01/2026',
      margin: '0',
    }),
  );
  t.equal(res.statusCode, 422);
  for (const text of [
    'Mã đợt gồm 2–64 ký tự',
    'Vui lòng nhập ngày bắt đầu theo dạng ngày/tháng/năm',
    'Vui lòng nhập số hồ sơ (tổng thể N)',
    'Kỳ tham chiếu phải gồm trọn các tháng',
    'Vui lòng nhập sai số cho phép',
  ]) {
    t.match(res.body, text);
  }
  t.match(res.body, 'value="Quý 2"', 'the values are kept');
  t.match(res.body, 'value="nhiều"');
  t.match(res.body, 'value="15/01/2026"');
  const unknownSurvey = await official.post('/staff/rounds', form(mine.communeId, { survey: 'khong-co' }));
  t.equal(unknownSurvey.statusCode, 422);
  t.match(unknownSurvey.body, 'Vui lòng chọn phiếu khảo sát trong danh sách.');
  const late = await official.post('/staff/rounds', form(mine.communeId, { fieldworkTo: '01/03/2026' }));
  t.match(late.body, 'Ngày kết thúc phải từ ngày bắt đầu trở đi.');
  t.equal((await db.selectFrom('survey_round').select('id').execute()).length, 0);
  t.same(await quotas(db), {});
});
