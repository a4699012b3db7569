import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { monthRows } from '../server/features/volumes/volume-repository.ts';
import { normaliseRow, type VolumeRowInput } from '../server/features/volumes/volume-rules.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { FieldErrorCode } from '../server/platform/http/api-errors.ts';
import { expectApiError } from './helpers/api.ts';
import { createCentre, unitCode } from './helpers/fixtures.ts';
import { testApp } from './helpers/harness.ts';

// PUT /api/v1/dossier-volumes as the one-stop software uses it: a unit's
// month replaced as a whole, the same body again a no-op, every bad row and
// field named with nothing stored, and only the keys of the unit's subtree.

const URL = '/api/v1/dossier-volumes';
/** Past months (the clock is real): a month not yet begun is refused. */
const OCT = '2025-10';
const SEP = '2025-09';

/** A row that adds up: 10 + 5 + 3 = 4 + 8 + 1 + 4 + 1. */
const row = (serviceArea: string, extra: Record<string, unknown> = {}) => ({
  serviceArea,
  receivedOnline: 10,
  receivedDirect: 5,
  carriedOver: 3,
  resolvedEarly: 4,
  resolvedOnTime: 8,
  resolvedLate: 1,
  pendingOnTime: 4,
  pendingOverdue: 1,
  ...extra,
});

const put = (app: FastifyInstance, key: string | null, payload: unknown) =>
  app.inject({
    method: 'PUT',
    url: URL,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    payload: payload as object,
  });

async function setup(t: Test) {
  const { app, db } = await testApp(t);
  const a = await createCentre(db, 'Xã Số Liệu');
  const codes = {
    province: await unitCode(db, a.provinceId),
    commune: await unitCode(db, a.communeId),
    centre: await unitCode(db, a.centreId),
  };
  const key = async (unit: string, role: 'manager' | 'official' | 'submit') =>
    (await createApiKey(db, { unitCode: unit, role, label: `${role} ${unit}` }))!;
  const manager = await key(codes.centre, 'manager');
  return { app, db, a, codes, key, manager };
}

const audits = (db: Db) =>
  db
    .selectFrom('audit_event')
    .select(['unit_id', 'actor_key_id', 'detail'])
    .where('action', '=', 'dossier_volume.replace')
    .orderBy('id')
    .execute();

/** The rows as stored and read back: sorted by area, optional counts null when not sent. */
const stored = (rows: ReturnType<typeof row>[]) =>
  rows.map((r) => normaliseRow(r as VolumeRowInput)).sort((x, y) => x.serviceArea.localeCompare(y.serviceArea));

t.test('a month is stored, replaced as a whole, and the same body again changes nothing', async (t) => {
  const { app, db, a, codes, manager } = await setup(t);
  const first = [row('ho-tich', { complaints: 2, complaintsOnTime: 1 }), row('dat-dai')];
  const res = await put(app, manager.key, { unit: codes.centre, month: OCT, rows: first });
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json(), { unit: codes.centre, month: OCT, changed: true, rows: 2, warnings: [] });
  t.same(await monthRows(db, a.centreId, OCT), stored(first), 'read back as sent, unknown counts null');

  const again = await put(app, manager.key, { unit: codes.centre, month: OCT, rows: [...first].reverse() });
  t.same(again.json(), { unit: codes.centre, month: OCT, changed: false, rows: 2, warnings: [] }, 'a retry');
  t.equal((await audits(db)).length, 1, 'the same rows in another order log nothing');

  // The next export has only civil status: land is gone, not kept from before.
  const second = [row('ho-tich', { receivedOnline: 12, resolvedOnTime: 10 })];
  const replaced = await put(app, manager.key, { unit: codes.centre, month: OCT, rows: second });
  t.same(replaced.json(), { unit: codes.centre, month: OCT, changed: true, rows: 1, warnings: [] });
  t.same(await monthRows(db, a.centreId, OCT), stored(second), 'areas not in the new body are gone');

  const log = await audits(db);
  t.equal(log.length, 2);
  t.match(log[1], { unit_id: a.centreId, actor_key_id: manager.id });
  t.same(
    log[1]!.detail,
    { month: OCT, source: 'api', previous: stored(first), rows: stored(second) },
    'the audit entry keeps the rows it replaced',
  );

  const cleared = await put(app, manager.key, { unit: codes.centre, month: OCT, rows: [] });
  t.same(cleared.json(), { unit: codes.centre, month: OCT, changed: true, rows: 0, warnings: [] }, '[] clears');
  t.same(await monthRows(db, a.centreId, OCT), []);
});

interface BadCase {
  name: string;
  body: (unit: string) => unknown;
  code: 'validation.failed' | 'volume.invalid';
  errors: [path: string, code: FieldErrorCode][];
}

/** Built around a good row of land: it must not be stored either. */
const withRows =
  (...rows: unknown[]) =>
  (unit: string) => ({ unit, month: OCT, rows: [row('dat-dai'), ...rows] });

const BAD: BadCase[] = [
  {
    name: 'a negative count',
    body: withRows(row('ho-tich', { receivedDirect: -1 })),
    code: 'validation.failed',
    errors: [['rows.1.receivedDirect', 'validation.too_small']],
  },
  {
    name: 'a count that is not an integer',
    body: withRows(row('ho-tich', { carriedOver: 2.5 })),
    code: 'validation.failed',
    errors: [['rows.1.carriedOver', 'validation.invalid_type']],
  },
  {
    name: 'a count missing',
    body: withRows(Object.fromEntries(Object.entries(row('ho-tich')).filter(([k]) => k !== 'pendingOverdue'))),
    code: 'validation.failed',
    errors: [['rows.1.pendingOverdue', 'validation.required']],
  },
  {
    name: 'an unknown field',
    body: withRows(row('ho-tich', { tongSo: 15 })),
    code: 'validation.failed',
    errors: [['rows.1.tongSo', 'validation.unrecognized_keys']],
  },
  {
    name: 'more complaints handled on time than complaints',
    body: withRows(row('ho-tich', { complaints: 2, complaintsOnTime: 3 })),
    code: 'validation.failed',
    errors: [['rows.1.complaintsOnTime', 'validation.custom']],
  },
  {
    name: 'complaints handled on time without the complaints',
    body: withRows(row('ho-tich', { complaintsOnTime: 1 })),
    code: 'validation.failed',
    errors: [['rows.1.complaintsOnTime', 'validation.custom']],
  },
  {
    name: 'a month that is not one',
    body: (unit) => ({ ...withRows()(unit), month: '2025-13' }),
    code: 'validation.failed',
    errors: [['month', 'validation.invalid_format']],
  },
  {
    name: 'two bad rows',
    body: withRows(row('ho-tich', { receivedOnline: -3 }), row('y-te', { resolvedLate: '1' })),
    code: 'validation.failed',
    errors: [
      ['rows.1.receivedOnline', 'validation.too_small'],
      ['rows.2.resolvedLate', 'validation.invalid_type'],
    ],
  },
  {
    name: 'an unknown service area',
    body: withRows(row('khong-co-linh-vuc')),
    code: 'volume.invalid',
    errors: [['rows.1.serviceArea', 'service_area.unknown']],
  },
  {
    name: 'a service area twice, and an unknown one',
    body: withRows(row('ho-tich'), row('dat-dai'), row('khong-co')),
    code: 'volume.invalid',
    errors: [
      ['rows.2.serviceArea', 'volume.duplicate_area'],
      ['rows.3.serviceArea', 'service_area.unknown'],
    ],
  },
  {
    name: 'a month not yet begun',
    body: (unit) => ({ ...withRows()(unit), month: '2099-01' }),
    code: 'volume.invalid',
    errors: [['month', 'volume.future_month']],
  },
];

t.test('each bad row and field is named, and nothing is stored, not even the good rows', async (t) => {
  const { app, db, a, codes, manager } = await setup(t);
  const before = [row('dat-dai', { receivedOnline: 99, resolvedOnTime: 97 })];
  t.equal((await put(app, manager.key, { unit: codes.centre, month: OCT, rows: before })).statusCode, 200);

  for (const c of BAD) {
    const res = await put(app, manager.key, c.body(codes.centre));
    const body = expectApiError(t, res, 422, c.code);
    t.same(
      body.errors.map((e) => [e.path, e.code]),
      c.errors,
      `${c.name}: ${body.errors.map((e) => e.message.en).join('; ')}`,
    );
    for (const e of body.errors) {
      // Vietnamese for the clerk who reads it, not zod's English words.
      t.notMatch(e.message.vi, /Invalid|expected|received|must|Unrecognized/, `${c.name}: ${e.message.vi}`);
      t.match(e.message.vi, /[ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỵỷỹàáèéìíòóùúýõũĩ]/i);
    }
  }
  t.same(await monthRows(db, a.centreId, OCT), stored(before), 'the previous rows stay as they were');
  t.equal((await audits(db)).length, 1, 'no refused body is logged as a change');

  const tooMany = await put(app, manager.key, {
    unit: codes.centre,
    month: OCT,
    rows: Array.from({ length: 201 }, () => row('dat-dai')),
  });
  t.same(
    expectApiError(t, tooMany, 422, 'validation.failed').errors.map((e) => [e.path, e.code]),
    [['rows', 'validation.too_big']],
  );
  const huge = await put(app, manager.key, { unit: codes.centre, month: OCT, rows: [], pad: 'x'.repeat(300_000) });
  expectApiError(t, huge, 413, 'request.body_too_large');
});

t.test('a row that does not add up is stored, with a warning at its path', async (t) => {
  const { app, db, a, codes, manager } = await setup(t);
  const rows = [row('dat-dai'), row('ho-tich', { pendingOverdue: 3 })];
  const res = await put(app, manager.key, { unit: codes.centre, month: OCT, rows });
  t.equal(res.statusCode, 200, res.body);
  const body = res.json();
  t.match(body, { changed: true, rows: 2 });
  t.same(
    body.warnings.map((w: { path: string; code: string }) => [w.path, w.code]),
    [['rows.1', 'volume.unbalanced']],
  );
  t.match(body.warnings[0].message, { vi: /\(18\).*\(20\)/, en: /\(18\).*\(20\)/ }, 'with both sums');
  t.same(await monthRows(db, a.centreId, OCT), stored(rows));
});

t.test('a commune and its centre cannot both hold a month: a dossier would count twice', async (t) => {
  const { app, db, a, codes, key, manager } = await setup(t);
  const official = await key(codes.province, 'official');
  t.equal((await put(app, manager.key, { unit: codes.centre, month: OCT, rows: [row('dat-dai')] })).statusCode, 200);

  const above = await put(app, official.key, { unit: codes.commune, month: OCT, rows: [row('ho-tich')] });
  const err = expectApiError(t, above, 422, 'volume.invalid').errors;
  t.same(
    err.map((e) => [e.path, e.code]),
    [['unit', 'volume.counted_elsewhere']],
  );
  t.same(await monthRows(db, a.communeId, OCT), [], 'the commune holds nothing for that month');

  // Another month is the commune's; then the centre cannot add to it.
  t.equal((await put(app, official.key, { unit: codes.commune, month: SEP, rows: [row('ho-tich')] })).statusCode, 200);
  const below = await put(app, manager.key, { unit: codes.centre, month: SEP, rows: [row('dat-dai')] });
  t.same(
    expectApiError(t, below, 422, 'volume.invalid').errors.map((e) => [e.path, e.code]),
    [['unit', 'volume.counted_elsewhere']],
  );

  // Once the centre clears its month, the commune may hold it.
  t.equal((await put(app, manager.key, { unit: codes.centre, month: OCT, rows: [] })).statusCode, 200);
  t.equal((await put(app, official.key, { unit: codes.commune, month: OCT, rows: [row('ho-tich')] })).statusCode, 200);

  const province = await put(app, official.key, { unit: codes.province, month: '2025-08', rows: [row('y-te')] });
  t.same(
    expectApiError(t, province, 422, 'volume.invalid').errors.map((e) => [e.path, e.code]),
    [['unit', 'volume.unit_kind']],
    'a province is made of its units',
  );
});

t.test("only a manager or official key of the unit's subtree puts its volumes", async (t) => {
  const { app, db, a, codes, key, manager } = await setup(t);
  const rows = [row('dat-dai')];
  t.equal((await put(app, manager.key, { unit: codes.centre, month: OCT, rows })).statusCode, 200);
  const snapshot = async () => ({ rows: await monthRows(db, a.centreId, OCT), audits: (await audits(db)).length });
  const before = await snapshot();
  const other = rows.map((r) => ({ ...r, receivedOnline: 50, resolvedOnTime: 48 }));

  const b = await createCentre(db, 'Xã Khác');
  const bManager = await key(await unitCode(db, b.centreId), 'manager');
  const outside = await put(app, bManager.key, { unit: codes.centre, month: OCT, rows: other });
  const refused = expectApiError(t, outside, 404, 'unit.not_found');
  t.notOk(outside.body.includes(codes.centre), 'names nothing of the other commune');
  const unknown = await put(app, bManager.key, { unit: 'khong-co-don-vi', month: OCT, rows: other });
  t.same(expectApiError(t, unknown, 404, 'unit.not_found'), refused, 'the same as a unit that does not exist');
  // A centre's key does not reach the commune above it either.
  const up = await put(app, manager.key, { unit: codes.commune, month: SEP, rows: other });
  expectApiError(t, up, 404, 'unit.not_found');

  const submit = await key(codes.centre, 'submit');
  expectApiError(
    t,
    await put(app, submit.key, { unit: codes.centre, month: OCT, rows: other }),
    403,
    'auth.role_not_allowed',
  );
  expectApiError(t, await put(app, submit.key, { rows: 'not rows' }), 403, 'auth.role_not_allowed');
  const none = await put(app, null, { unit: codes.centre, month: OCT, rows: other });
  expectApiError(t, none, 401, 'auth.key_required');
  t.equal(none.headers['www-authenticate'], 'Bearer');
  expectApiError(
    t,
    await put(app, `hl_${'x'.repeat(43)}`, { unit: codes.centre, month: OCT, rows: other }),
    401,
    'auth.key_required',
  );
  t.same(await snapshot(), before, 'no refused key changed anything');

  const official = await key(codes.province, 'official');
  const res = await put(app, official.key, { unit: codes.centre, month: OCT, rows: other });
  t.same(res.json(), { unit: codes.centre, month: OCT, changed: true, rows: 1, warnings: [] }, res.body);
  t.equal((await monthRows(db, a.centreId, OCT))[0]?.receivedOnline, 50, "the province's official key works below it");
});
