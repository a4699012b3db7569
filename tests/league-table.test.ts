import t from 'tap';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { insertResponsesBulk } from '../server/features/submission/response-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { Answer } from '../surveys/answers.ts';
import { bulkRow, quickVersionId } from './helpers/aggregate-data.ts';
import { testApp } from './helpers/harness.ts';
import { staffClient } from './helpers/staff.ts';

// A province official compares the communes honestly: the table sorts by
// rate, by responses and by the interval's lower bound, and the funnel plot
// marks who is really above or below the rest; a small commune with a low
// rate is not called worse than chance allows.

const overall = (v: number): Answer[] => [{ key: 'overall', kind: 'scale', value: v }];

/** A province with four communes: 90/100, 60/100, 150/200 and 9/12 satisfied (pooled 309/412 = 75,0%). */
async function province(db: Db) {
  const provinceId = await insertUnit(db, {
    code: 'tinh-so-sanh',
    name: 'Tỉnh So Sánh',
    kind: 'province',
    parent_id: null,
  });
  const version = await quickVersionId(db);
  const rows = [];
  for (const [name, satisfied, n] of [
    ['Xã An', 90, 100],
    ['Xã Bình', 60, 100],
    ['Xã Cường', 150, 200],
    ['Xã Đông', 9, 12],
  ] as const) {
    const communeId = await insertUnit(db, {
      code: `x-${n}-${satisfied}`,
      name,
      kind: 'commune',
      parent_id: provinceId,
    });
    const deskId = await insertDesk(db, {
      unitId: communeId,
      code: `q-${n}-${satisfied}`,
      name: 'Quầy 1',
      serviceAreas: ['ho-tich'],
    });
    for (let i = 0; i < n; i++) {
      const at = new Date(Date.UTC(2026, 1, 2 + (i % 20), 3));
      rows.push(
        bulkRow(version, at, { unitId: communeId, deskId, serviceArea: 'ho-tich' }, overall(i < satisfied ? 5 : 2)),
      );
    }
  }
  await insertResponsesBulk(db, rows);
  return provinceId;
}

const namesInOrder = (html: string) => {
  const table = html.slice(html.indexOf('id="children"'));
  return [...table.matchAll(/<th scope="row" class="plain">(Xã [^<]+)<\/th>/g)].map((m) => m[1]);
};

t.test('the communes sort by rate, responses and lower bound; the funnel marks who is outside', async (t) => {
  const { app, db } = await testApp(t);
  const provinceId = await province(db);
  const official = await staffClient(app, db, { role: 'official', unitCode: 'tinh-so-sanh' });
  const query = `unitId=${provinceId}&period=custom&from=2026-02-01&to=2026-02-28`;

  const byName = await official.get(`/staff/reports?${query}`);
  t.equal(byName.statusCode, 200);
  t.same(namesInOrder(byName.body), ['Xã An', 'Xã Bình', 'Xã Cường', 'Xã Đông'], 'by name by default');
  const sorted = async (sort: string) =>
    namesInOrder((await official.get(`/staff/reports?${query}&sort=${sort}`)).body);
  t.same(await sorted('rate'), ['Xã An', 'Xã Cường', 'Xã Đông', 'Xã Bình'], 'by rate: 90%, 75%, 75%, 60%');
  t.same(await sorted('n'), ['Xã Cường', 'Xã An', 'Xã Bình', 'Xã Đông'], 'by responses');
  // Lower bounds: An 82,6%, Cường 68,6%, Đông 46,8%, Bình 50,2%: the small commune drops below Bình.
  t.same(await sorted('lower'), ['Xã An', 'Xã Cường', 'Xã Bình', 'Xã Đông'], 'by the lower bound of the interval');
  t.same(await sorted('nonsense'), ['Xã An', 'Xã Bình', 'Xã Cường', 'Xã Đông'], 'an unknown key falls back to names');

  const body = byName.body;
  t.match(body, /So sánh các đơn vị trực thuộc/, 'the funnel plot is drawn');
  t.match(body, /Mặt bằng chung 75,0%/, 'around the pooled rate');
  t.match(body, /Xã An: 90,0%, 100 phiếu, cao hơn rõ rệt/);
  t.match(body, /Xã Bình: 60,0%, 100 phiếu, thấp hơn rõ rệt/);
  t.match(body, /Xã Đông: 75,0%, 12 phiếu, trong giới hạn/);
  t.match(body, /<circle[^>]+fill="#2e7d32"/, 'a point above the funnel in green');
  t.match(body, /Cao hơn rõ rệt<\/td>/, 'and the comparison in the table');
  t.match(body, /Thấp hơn rõ rệt<\/td>/);

  const api = await official.get(`/staff/reports?${query}&sort=rate`);
  t.notMatch(api.body, /<th scope="row" class="plain">1\./, 'no bare rank numbers');
});

t.test('the report API carries the comparison of each child', async (t) => {
  const { app, db } = await testApp(t);
  const provinceId = await province(db);
  const { createApiKey } = await import('../server/features/access/api-key-service.ts');
  const key = await createApiKey(db, { unitCode: 'tinh-so-sanh', role: 'official', label: 'test' });
  const res = await app.inject({
    url: '/api/v1/reports/satisfaction?unit=tinh-so-sanh&from=2026-02-01&to=2026-02-28',
    headers: { authorization: `Bearer ${key!.key}` },
  });
  t.equal(res.statusCode, 200, res.body);
  const r = res.json();
  t.equal(r.unit.id, provinceId);
  t.equal(r.childrenPooledRate, 309 / 412);
  t.same(
    Object.fromEntries(
      r.children.map((c: { unit: { name: string }; comparison: string }) => [c.unit.name, c.comparison]),
    ),
    { 'Xã An': 'above', 'Xã Bình': 'below', 'Xã Cường': 'within', 'Xã Đông': 'within' },
  );
});
