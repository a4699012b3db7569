import { type Kysely, sql } from 'kysely';
import type { Database } from '../server/platform/db/schema.ts';
import { AREA_MOOD, AREA_WEIGHT, PLACE_NAMES, PROVINCES } from './dataset-profile.ts';
import { apportion, gaussian, prng } from './dataset-random.ts';

// The bench dataset's unit tree (dataset.ts): provinces, communes, their
// desks and the service areas each serves, decided with a seeded PRNG, and
// the sampling cells (desk × service area) responses are drawn from.

type Conn = Kysely<Database>;

export interface Tree {
  rootId: number;
  rootPath: string;
  provinces: { id: number; path: string; weight: number }[];
  communes: { id: number; path: string; weight: number; mood: number }[];
  desks: number;
  /** The sampling cells: one per (desk, service area). */
  cells: { unitId: number; deskId: number; area: string; weight: number; mood: number }[];
}

export async function buildTree(
  conn: Conn,
  o: { seed: number; communes: number; provinces: number; rebuild: boolean },
): Promise<Tree> {
  const rand = prng(o.seed * 7919 + 17);
  const areas = (
    await conn.selectFrom('service_area').select('code').where('active', '=', true).orderBy('sort_order').execute()
  ).map((a) => a.code);
  if (areas.length < 2) throw new Error('the bench needs the shipped service areas');

  // Provinces: uneven commune counts (40–150 at full size), the big cities busier per commune.
  const provinceNames = PROVINCES.slice(0, o.provinces);
  const communeCounts = apportion(
    o.communes,
    provinceNames.map(() => 40 + 110 * rand()),
  );
  const provinceBoost = provinceNames.map((_, i) => (i < 2 ? 2.2 : i < 6 ? 1.4 : 0.8 + 0.4 * rand()));
  const provinceMood = provinceNames.map(() => 0.12 * gaussian(rand));

  // Communes: log-normal volume, and a few big urban wards many times the median.
  const communeSpecs = communeCounts.flatMap((count, p) =>
    Array.from({ length: count }, () => {
      const big = rand() < 0.03;
      const weight = (provinceBoost[p] as number) * Math.exp(0.7 * gaussian(rand)) * (big ? 5 + 7 * rand() : 1);
      const mood = Math.min(4.8, Math.max(3.0, 4.15 + (provinceMood[p] as number) + 0.28 * gaussian(rand)));
      return { province: p, weight, mood, urban: big || rand() < 0.25 };
    }),
  );

  if (o.rebuild) {
    await conn.insertInto('unit').values({ code: 'viet-nam', name: 'Việt Nam', kind: 'other' }).execute();
  }
  const root = await conn
    .selectFrom('unit')
    .select(['id', 'path'])
    .where('code', '=', 'viet-nam')
    .executeTakeFirstOrThrow();
  const provinceCode = (p: number) => `tinh-${String(p + 1).padStart(2, '0')}`;
  const communeCode = (c: number) => `xa-${String(c + 1).padStart(4, '0')}`;
  const deskCode = (c: number, k: number) => `x${String(c + 1).padStart(4, '0')}-q${k + 1}`;

  // Desks: 1–3 per commune (big ones 3), each serving 2–6 areas drawn by weight.
  const deskSpecs = communeSpecs.flatMap((c, ci) => {
    const count = c.weight > 4 ? 3 : 1 + Math.floor(rand() * 3);
    return Array.from({ length: count }, (_, k) => {
      const take = 2 + Math.floor(rand() * Math.min(5, areas.length - 1));
      // Weighted sampling without replacement (Efraimidis–Spirakis keys).
      const served = areas
        .map((code) => ({ code, key: Math.log(1 - rand()) / (AREA_WEIGHT[code] ?? 0.03) }))
        .sort((a, b) => b.key - a.key)
        .slice(0, take)
        .map((a) => a.code);
      return { commune: ci, k, share: [1, 0.7, 0.5][k] as number, served };
    });
  });

  if (o.rebuild) {
    await conn
      .insertInto('unit')
      .values(
        provinceNames.map((name, i) => ({
          code: provinceCode(i),
          name,
          kind: 'province' as const,
          parent_id: root.id,
        })),
      )
      .execute();
  }
  const provinceRows = await conn
    .selectFrom('unit')
    .select(['id', 'code', 'path'])
    .where('kind', '=', 'province')
    .where('parent_id', '=', root.id)
    .execute();
  const provinceByCode = new Map(provinceRows.map((r) => [r.code, r]));
  const provinceRow = (p: number) => {
    const row = provinceByCode.get(provinceCode(p));
    if (!row) throw new Error(`bench province ${provinceCode(p)} is missing`);
    return row;
  };

  if (o.rebuild) {
    const rows = communeSpecs.map((c, ci) => ({
      code: communeCode(ci),
      name: `${c.urban ? 'Phường' : 'Xã'} ${PLACE_NAMES[ci % PLACE_NAMES.length]}${ci >= PLACE_NAMES.length ? ` ${Math.floor(ci / PLACE_NAMES.length) + 1}` : ''}`,
      kind: 'commune' as const,
      parent_id: provinceRow(c.province).id,
    }));
    for (let i = 0; i < rows.length; i += 2000)
      await conn
        .insertInto('unit')
        .values(rows.slice(i, i + 2000))
        .execute();
  }
  const communeRows = await conn
    .selectFrom('unit')
    .select(['id', 'code', 'path'])
    .where('kind', '=', 'commune')
    .where('code', 'like', 'xa-%')
    .execute();
  const communeByCode = new Map(communeRows.map((r) => [r.code, r]));
  const communeRow = (ci: number) => {
    const row = communeByCode.get(communeCode(ci));
    if (!row) throw new Error(`bench commune ${communeCode(ci)} is missing`);
    return row;
  };

  if (o.rebuild) {
    const rows = deskSpecs.map((d) => ({
      unit_id: communeRow(d.commune).id,
      code: deskCode(d.commune, d.k),
      name: `Quầy ${d.k + 1}`,
    }));
    for (let i = 0; i < rows.length; i += 2000)
      await conn
        .insertInto('desk')
        .values(rows.slice(i, i + 2000))
        .execute();
  }
  const deskByCode = new Map(
    (await conn.selectFrom('desk').select(['id', 'code']).execute()).map((r) => [r.code, r.id] as const),
  );
  const deskId = (c: number, k: number) => {
    const id = deskByCode.get(deskCode(c, k));
    if (id === undefined) throw new Error(`bench desk ${deskCode(c, k)} is missing`);
    return id;
  };
  if (o.rebuild) {
    const rows = deskSpecs.flatMap((d) =>
      d.served.map((code) => ({ desk_id: deskId(d.commune, d.k), service_area_code: code })),
    );
    for (let i = 0; i < rows.length; i += 5000) {
      await conn
        .insertInto('desk_service_area')
        .values(rows.slice(i, i + 5000))
        .execute();
    }
  }

  // Sampling cells: a commune's volume split over its desks × areas by desk share and area weight.
  const mix = communeSpecs.map(() => 0);
  for (const d of deskSpecs) {
    for (const a of d.served) mix[d.commune] = (mix[d.commune] ?? 0) + d.share * (AREA_WEIGHT[a] ?? 0.03);
  }
  const cells = deskSpecs.flatMap((d) => {
    const c = communeSpecs[d.commune] as (typeof communeSpecs)[number];
    return d.served.map((area) => ({
      unitId: communeRow(d.commune).id,
      deskId: deskId(d.commune, d.k),
      area,
      weight: (c.weight * d.share * (AREA_WEIGHT[area] ?? 0.03)) / (mix[d.commune] as number),
      mood: c.mood + (AREA_MOOD[area] ?? 0),
    }));
  });

  const provinceWeight = provinceNames.map(() => 0);
  for (const c of communeSpecs) provinceWeight[c.province] = (provinceWeight[c.province] ?? 0) + c.weight;
  return {
    rootId: root.id,
    rootPath: root.path,
    provinces: provinceNames.map((_, p) => ({
      id: provinceRow(p).id,
      path: provinceRow(p).path,
      weight: provinceWeight[p] as number,
    })),
    communes: communeSpecs.map((c, ci) => ({
      id: communeRow(ci).id,
      path: communeRow(ci).path,
      weight: c.weight,
      mood: c.mood,
    })),
    desks: deskSpecs.length,
    cells,
  };
}

/**
 * Deletes an earlier bench tree (another seed or size). Plain deletes, not
 * TRUNCATE … CASCADE, which would follow app_user into survey_version; rows
 * other tables keep on these units (API keys, targets) make it fail loudly.
 */
export async function removeTree(conn: Conn): Promise<void> {
  const root = await conn.selectFrom('unit').select('path').where('code', '=', 'viet-nam').executeTakeFirst();
  if (!root) return;
  const inTree = sql`(select id from unit where path like ${`${root.path}%`})`;
  await sql`delete from desk_service_area where desk_id in (select id from desk where unit_id in ${inTree})`.execute(
    conn,
  );
  await sql`delete from desk where unit_id in ${inTree}`.execute(conn);
  await sql`delete from unit where path like ${`${root.path}%`}`.execute(conn);
}
