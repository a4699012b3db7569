import { type Kysely, sql } from 'kysely';
import { latestVersion } from '../server/features/surveys/survey-version-repository.ts';
import type { Db } from '../server/platform/db/connect.ts';
import type { Database } from '../server/platform/db/schema.ts';
import { type Question, questionsOf } from '../surveys/schema.ts';

// The bench dataset: a national unit tree (34 provinces, ~3,300 communes,
// their desks and service areas) and a year (2025) of responses with answers,
// spread the way a real deployment's would be. Bench-only: it truncates the
// response and aggregate tables and, when the tree differs (another seed or
// commune count), deletes the old tree.
//
// How it is made fast. The small things (tree, weights, sampling tables) are
// decided here with a seeded PRNG; the bulk rows are made inside PostgreSQL
// by INSERT … SELECT over generate_series, one statement per chunk of days
// inserting the responses and (in a data-modifying CTE) their answers. COPY
// would mean building ~70 M answer lines (at 10 M responses) in Node, sending
// them and having the server parse them again: strictly more work for the
// one busy core than generating the same rows server-side, and it needs a
// client library we do not ship. Randomness is hash-based (hashint8extended
// of the row number and a stream number), so the same seed gives the same
// rows whatever the chunk size. Each response's commune, desk and service
// area are drawn with Walker's alias method (two hash draws, two small
// joins); its day comes from exact per-day counts, so rows are inserted in
// time order, like a live system's, and a commune's responses are spread over
// the whole table rather than clustered (which would flatter the raw-rows
// baseline). During the load user triggers are off (session_replication_role
// = replica: no per-statement aggregate upserts, no foreign-key checks) and
// the secondary indexes of response and answer are dropped and rebuilt at the
// end with a sort, much cheaper than maintaining them row by row once they
// outgrow the buffer cache (1 M responses: 45 s load + 12 s index builds,
// against 97 s loading with the indexes in place; keepIndexes measures it).
// The aggregates are then rebuilt from the raw rows.

export interface DatasetOptions {
  responses: number;
  seed?: number;
  /** Communes in the tree; 3,300 by default, fewer for tests. */
  communes?: number;
  /** Provinces; 34 by default (about one per 97 communes when communes is small). */
  provinces?: number;
  /** Responses per INSERT statement, about (whole days are kept together). */
  chunk?: number;
  /** Keep the secondary indexes during the load (only to measure the difference). */
  keepIndexes?: boolean;
  log?: (line: string) => void;
}

export interface DatasetSample {
  communeId: number;
  communePath: string;
  provinceId: number;
  provincePath: string;
  rootId: number;
  rootPath: string;
}

export interface DatasetInfo {
  responses: number;
  answers: number;
  units: number;
  desks: number;
  seconds: number;
  reused: boolean;
  sample: DatasetSample;
}

type Conn = Kysely<Database>;

const YEAR = 2025;
const TZ = 'Asia/Ho_Chi_Minh';

// Vietnam's 34 provincial units since the 2025 reorganisation.
const PROVINCES = [
  'Thành phố Hà Nội',
  'Thành phố Hồ Chí Minh',
  'Thành phố Hải Phòng',
  'Thành phố Đà Nẵng',
  'Thành phố Cần Thơ',
  'Thành phố Huế',
  'Tỉnh Lai Châu',
  'Tỉnh Điện Biên',
  'Tỉnh Sơn La',
  'Tỉnh Lạng Sơn',
  'Tỉnh Quảng Ninh',
  'Tỉnh Thanh Hóa',
  'Tỉnh Nghệ An',
  'Tỉnh Hà Tĩnh',
  'Tỉnh Cao Bằng',
  'Tỉnh Tuyên Quang',
  'Tỉnh Lào Cai',
  'Tỉnh Thái Nguyên',
  'Tỉnh Phú Thọ',
  'Tỉnh Bắc Ninh',
  'Tỉnh Hưng Yên',
  'Tỉnh Ninh Bình',
  'Tỉnh Quảng Trị',
  'Tỉnh Quảng Ngãi',
  'Tỉnh Gia Lai',
  'Tỉnh Khánh Hòa',
  'Tỉnh Lâm Đồng',
  'Tỉnh Đắk Lắk',
  'Tỉnh Đồng Nai',
  'Tỉnh Tây Ninh',
  'Tỉnh Vĩnh Long',
  'Tỉnh Đồng Tháp',
  'Tỉnh Cà Mau',
  'Tỉnh An Giang',
];

const PLACE_NAMES = [
  'Tân An',
  'Bình Minh',
  'Hòa Bình',
  'Phú Lợi',
  'An Phú',
  'Long Hưng',
  'Thạnh Mỹ',
  'Đông Hòa',
  'Tây Sơn',
  'Nam Thành',
  'Hưng Đạo',
  'Quang Trung',
  'Thống Nhất',
  'Tân Lập',
  'Vĩnh Phúc',
  'Phước Long',
  'Hiệp Thành',
  'Trung Hòa',
  'Mỹ Xuyên',
  'Kim Liên',
  'Yên Hòa',
  'Đồng Tâm',
  'Xuân Phương',
  'Cẩm Thạch',
];

// Relative volume of each service area (civil status and land lead); areas
// not listed here get a small share.
const AREA_WEIGHT: Record<string, number> = {
  'ho-tich': 0.22,
  'dat-dai': 0.2,
  'chung-thuc': 0.14,
  'cu-tru': 0.1,
  'lao-dong-xa-hoi': 0.08,
  'dau-tu-kinh-doanh': 0.06,
  'xay-dung': 0.06,
  'bao-hiem': 0.06,
  'y-te': 0.04,
  'giao-duc': 0.04,
};
// How much a service area moves satisfaction (land and construction lower).
const AREA_MOOD: Record<string, number> = {
  'dat-dai': -0.25,
  'xay-dung': -0.15,
  'dau-tu-kinh-doanh': -0.05,
  'ho-tich': 0.1,
  'chung-thuc': 0.1,
  'cu-tru': 0.05,
};
// Per item, on top of the response's mood.
const ITEM_SHIFT: Record<string, number> = { access: 0.05, procedure: -0.05, staff: 0.1, feedback: -0.15 };
const NA_RATE: Record<string, number> = { feedback: 0.06 };
// Optional questions: how often they are answered, and the weights of their options.
const OPTIONAL_RATE: Record<string, number> = { trips: 0.35, timeliness: 0.3, extra_payment: 0.3, comment: 0.05 };
const OPTION_WEIGHT: Record<string, Record<string, number>> = {
  trips: { '1': 78, '2': 17, '3plus': 5 },
  timeliness: { early: 22, on_time: 68, late: 6, not_yet: 4 },
  extra_payment: { no: 97, yes: 3 },
};
const COMMENTS = [
  'Cán bộ hướng dẫn nhiệt tình, chu đáo.',
  'Thời gian chờ hơi lâu vào buổi sáng.',
  'Cần thêm ghế ngồi ở khu vực chờ.',
  'Thủ tục nhanh gọn, tôi rất hài lòng.',
  'Nên niêm yết rõ hơn các khoản phí.',
  'Máy lấy số thứ tự thỉnh thoảng bị hỏng.',
  'Cảm ơn cán bộ đã hỗ trợ tận tình.',
  'Phải đi lại nhiều lần vì thiếu giấy tờ, mong hướng dẫn rõ ngay từ đầu.',
  'Bãi giữ xe chật.',
  'Nhân viên thân thiện, lịch sự.',
];
const REASONS = [
  'desk_rate',
  'desk_rate',
  'burst',
  'burst',
  'burst',
  'too_fast',
  'too_fast',
  'client_rate',
  'honeypot',
];

// Public holidays of 2025 on working days (Tết 25 Jan – 2 Feb, Hùng Kings,
// 30/4–1/5 and the bridge days, National Day); offices are closed.
const HOLIDAYS = new Set([
  '2025-01-01',
  '2025-01-27',
  '2025-01-28',
  '2025-01-29',
  '2025-01-30',
  '2025-01-31',
  '2025-04-07',
  '2025-04-30',
  '2025-05-01',
  '2025-05-02',
  '2025-09-01',
  '2025-09-02',
]);

/** A small seeded PRNG (mulberry32): the tree is the same for the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Splits total into integer parts proportional to weights (exact sum). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  let acc = 0;
  let prev = 0;
  return weights.map((w) => {
    acc += w;
    const next = Math.round((total * acc) / sum);
    const n = next - prev;
    prev = next;
    return n;
  });
}

/** Walker's alias table: draw k uniformly, keep it with probability prob[k], else take alias[k]. */
function aliasTable(weights: number[]): { prob: number[]; alias: number[] } {
  const n = weights.length;
  const sum = weights.reduce((a, w) => a + w, 0);
  const scaled = weights.map((w) => (w * n) / sum);
  const prob = new Array<number>(n).fill(1);
  const alias = weights.map((_, i) => i);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => {
    (p < 1 ? small : large).push(i);
  });
  while (small.length && large.length) {
    const s = small.pop() as number;
    const l = large.pop() as number;
    prob[s] = scaled[s] as number;
    alias[s] = l;
    scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  return { prob, alias };
}

/** A uniform draw in [0, 1) from the hash of a row number and a stream. */
function u(expr: string, stream: number): string {
  return `((hashint8extended(${expr}, ${stream}) & 4294967295)::float8 / 4294967296.0)`;
}
/** About standard normal: four 16-bit slices of one hash, summed. */
function z(expr: string, stream: number): string {
  const h = `hashint8extended(${expr}, ${stream})`;
  const part = (shift: number) => `((${h} >> ${shift}) & 65535)`;
  return `(((${part(0)} + ${part(16)} + ${part(32)} + ${part(48)})::float8 / 65536.0 - 2.0) * 1.7320508)`;
}

interface Marker {
  responses: string;
  seed: number;
  communes: number;
  info: DatasetInfo;
}

interface Tree {
  rootId: number;
  rootPath: string;
  provinces: { id: number; path: string; weight: number }[];
  communes: { id: number; path: string; weight: number; mood: number }[];
  desks: number;
  /** The sampling cells: one per (desk, service area). */
  cells: { unitId: number; deskId: number; area: string; weight: number; mood: number }[];
}

export async function ensureDataset(db: Db, opts: DatasetOptions): Promise<DatasetInfo> {
  const seed = opts.seed ?? 1;
  const communes = opts.communes ?? 3300;
  const provinces = opts.provinces ?? Math.max(2, Math.min(PROVINCES.length, Math.round(communes / 97)));
  const log = opts.log ?? (() => {});
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;

  // One connection throughout: the session settings and temporary tables below belong to it.
  return db.connection().execute(async (conn) => {
    await sql`set statement_timeout = 0`.execute(conn);
    try {
      await sql`create table if not exists bench_dataset (
        responses bigint not null, seed integer not null, communes integer not null,
        generated_at timestamptz not null default now(), seconds numeric not null, info jsonb not null)`.execute(conn);
      await sql`create table if not exists bench_index_def (name text primary key, def text not null)`.execute(conn);
      await restoreIndexes(conn);

      const marker = (
        await sql<Marker>`select responses, seed, communes, info from bench_dataset limit 1`.execute(conn)
      ).rows[0];
      const sameTree = marker && marker.seed === seed && marker.communes === communes;
      if (sameTree && Number(marker.responses) === opts.responses) {
        const top = await sql<{ n: string | null }>`select max(id) as n from response`.execute(conn);
        if (Number(top.rows[0]?.n ?? 0) === opts.responses) return { ...marker.info, reused: true };
      }

      await sql`delete from bench_dataset`.execute(conn);
      await sql`truncate response, answer, answer_daily, response_daily restart identity cascade`.execute(conn);
      if (!sameTree) await removeTree(conn);
      const tree = await buildTree(conn, { seed, communes, provinces, rebuild: !sameTree });
      log(
        `dataset: ${tree.communes.length} communes, ${tree.desks} desks, ${tree.cells.length} desk × area cells (${elapsed().toFixed(1)} s)`,
      );

      const version = await latestVersion(conn, 'sipas-quick');
      if (!version) throw new Error('the sipas-quick survey is not published: run prepareDatabase first');
      await prepareSampling(conn, tree, questionsOf(version.definition), opts.responses);

      const answers = await load(conn, {
        responses: opts.responses,
        chunk: opts.chunk ?? 500_000,
        keepIndexes: opts.keepIndexes ?? false,
        seed,
        surveyVersionId: version.id,
        cells: tree.cells.length,
        log: (done) =>
          log(`dataset: ${millions(done)} / ${millions(opts.responses)} responses (${Math.round(elapsed())} s)`),
        phase: (what) => log(`dataset: ${what} (${Math.round(elapsed())} s)`),
      });

      await sql`select * from aggregates_rebuild()`.execute(conn);
      log(`dataset: aggregates rebuilt (${Math.round(elapsed())} s)`);
      await sql`analyze`.execute(conn);

      const info: DatasetInfo = {
        responses: opts.responses,
        answers,
        units: 1 + tree.provinces.length + tree.communes.length,
        desks: tree.desks,
        seconds: Math.round(elapsed() * 10) / 10,
        reused: false,
        sample: {
          ...median(tree.communes, 'commune'),
          ...median(tree.provinces, 'province'),
          rootId: tree.rootId,
          rootPath: tree.rootPath,
        },
      };
      await sql`insert into bench_dataset (responses, seed, communes, seconds, info)
        values (${opts.responses}, ${seed}, ${communes}, ${info.seconds}, ${JSON.stringify(info)})`.execute(conn);
      log(`dataset: ready, ${millions(opts.responses)} responses, ${millions(answers)} answers (${info.seconds} s)`);
      return info;
    } finally {
      await sql`reset session_replication_role`.execute(conn);
      await sql`reset statement_timeout`.execute(conn);
      await sql`reset maintenance_work_mem`.execute(conn);
      await sql`reset work_mem`.execute(conn);
      await sql`reset synchronous_commit`.execute(conn);
      await sql`discard temp`.execute(conn);
    }
  });
}

function millions(n: number): string {
  return n >= 100_000 ? `${Math.round(n / 100_000) / 10}M` : n.toLocaleString('en-US');
}

function median<K extends 'commune' | 'province'>(
  units: { id: number; path: string; weight: number }[],
  kind: K,
): Record<`${K}Id`, number> & Record<`${K}Path`, string> {
  const sorted = [...units].sort((a, b) => a.weight - b.weight || a.id - b.id);
  const m = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!m) throw new Error(`no ${kind} in the bench tree`);
  return { [`${kind}Id`]: m.id, [`${kind}Path`]: m.path } as Record<`${K}Id`, number> & Record<`${K}Path`, string>;
}

async function buildTree(
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

/** The days of the year with their exact response counts, in order. */
function dayCounts(responses: number): { day: string; first: number; n: number }[] {
  const days: { day: string; weight: number }[] = [];
  for (let t = Date.UTC(YEAR, 0, 1); t < Date.UTC(YEAR + 1, 0, 1); t += 86_400_000) {
    const d = new Date(t);
    const day = d.toISOString().slice(0, 10);
    const dow = d.getUTCDay();
    const month = d.getUTCMonth();
    // Closed on Sundays and holidays; Saturday mornings a little; busier
    // before Tết and at the end of the year, quieter just after Tết.
    let weight = dow === 0 || HOLIDAYS.has(day) ? 0 : dow === 6 ? 0.22 : 1;
    if (month === 0 && d.getUTCDate() < 25) weight *= 1.25;
    if (month === 1 && d.getUTCDate() < 10) weight *= 0.7;
    if (month >= 10) weight *= 1.1;
    days.push({ day, weight });
  }
  const counts = apportion(
    responses,
    days.map((d) => d.weight),
  );
  let first = 1;
  return days.map((d, i) => {
    const n = counts[i] as number;
    const out = { day: d.day, first, n };
    first += n;
    return out;
  });
}

async function prepareSampling(conn: Conn, tree: Tree, questions: Question[], responses: number): Promise<void> {
  const { prob, alias } = aliasTable(tree.cells.map((c) => c.weight));
  await sql`create temp table bench_cell (
    idx integer primary key, prob float8 not null, alias integer not null,
    unit_id integer not null, desk_id integer not null, area text not null, mood float8 not null)`.execute(conn);
  for (let i = 0; i < tree.cells.length; i += 4000) {
    const rows = tree.cells
      .slice(i, i + 4000)
      .map((c, j) => sql`(${i + j}, ${prob[i + j]}, ${alias[i + j]}, ${c.unitId}, ${c.deskId}, ${c.area}, ${c.mood})`);
    await sql`insert into bench_cell values ${sql.join(rows)}`.execute(conn);
  }
  await sql`create temp table bench_mood (unit_id integer, area text, mood float8, primary key (unit_id, area))`.execute(
    conn,
  );
  await sql`insert into bench_mood select distinct on (unit_id, area) unit_id, area, mood from bench_cell`.execute(
    conn,
  );

  const days = dayCounts(responses).filter((d) => d.n > 0);
  await sql`create temp table bench_day (day date primary key, first bigint not null, n integer not null)`.execute(
    conn,
  );
  await sql`insert into bench_day values ${sql.join(days.map((d) => sql`(${d.day}::date, ${d.first}, ${d.n})`))}`.execute(
    conn,
  );

  // The questions of the published version: scale items always answered
  // (sometimes 'na' where allowed), optional ones now and then. Choice
  // options and comments are picked from 100-slot arrays built by weight.
  await sql`create temp table bench_question (
    ord integer primary key, key text not null, kind text not null, present float8 not null,
    na float8 not null, shift float8 not null, slots text[])`.execute(conn);
  const rows = questions.map((q, ord) => {
    const present = q.required ? 1 : (OPTIONAL_RATE[q.key] ?? 0.1);
    if (q.type === 'scale') {
      const na = q.allowNa ? (NA_RATE[q.key] ?? 0.01) : 0;
      return sql`(${ord}, ${q.key}, 'scale', ${present}, ${na}, ${ITEM_SHIFT[q.key] ?? 0}, null)`;
    }
    let slots: string[];
    if (q.type === 'choice') {
      const weights = q.options.map((o, i) => OPTION_WEIGHT[q.key]?.[o.code] ?? 1 / (i + 1));
      slots = q.options.flatMap((o, i) => Array<string>(apportion(100, weights)[i] as number).fill(o.code));
    } else {
      slots = Array.from({ length: 100 }, (_, i) => (COMMENTS[i % COMMENTS.length] as string).slice(0, q.maxLength));
    }
    return sql`(${ord}, ${q.key}, ${q.type}, ${present}, 0, 0, ${slots}::text[])`;
  });
  await sql`insert into bench_question values ${sql.join(rows)}`.execute(conn);
  await sql`analyze bench_cell, bench_mood, bench_day, bench_question`.execute(conn);
}

async function load(
  conn: Conn,
  o: {
    responses: number;
    chunk: number;
    keepIndexes: boolean;
    seed: number;
    surveyVersionId: number;
    cells: number;
    log: (done: number) => void;
    phase: (what: string) => void;
  },
): Promise<number> {
  await sql`set maintenance_work_mem = '1GB'`.execute(conn);
  await sql`set work_mem = '256MB'`.execute(conn);
  await sql`set synchronous_commit = off`.execute(conn);

  // Secondary indexes go for the load (their definitions are kept in a table
  // first, so an interrupted load is repaired by the next run).
  await sql`insert into bench_index_def (name, def)
    select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      from pg_index i
     where i.indrelid in ('response'::regclass, 'answer'::regclass)
       and not i.indisprimary and not i.indisunique and not ${o.keepIndexes}
    on conflict (name) do nothing`.execute(conn);
  const dropped = await sql<{ name: string }>`select name from bench_index_def order by name`.execute(conn);
  for (const { name } of dropped.rows) await sql`drop index if exists ${sql.id(name)}`.execute(conn);
  await sql`set session_replication_role = replica`.execute(conn);

  const s = o.seed * 1000;
  const day = await sql<{ day: string; n: number }>`select day::text as day, n from bench_day order by day`.execute(
    conn,
  );
  let answers = 0;
  let done = 0;
  let from: string | undefined;
  let size = 0;
  const chunks: { from: string; to: string; n: number }[] = [];
  for (const d of day.rows) {
    from ??= d.day;
    size += d.n;
    if (size >= o.chunk) {
      chunks.push({ from, to: d.day, n: size });
      from = undefined;
      size = 0;
    }
  }
  const last = day.rows.at(-1);
  if (from && last) chunks.push({ from, to: last.day, n: size });

  const i = 'g.i';
  const id = 'r.id';
  const item = `${id} * 16 + q.ord`;
  for (const chunk of chunks) {
    const result = await sql`
      with gen as (
        select ${sql.raw(i)} as i, dd.day, extract(isodow from dd.day) = 6 as saturday,
               ${sql.raw(u(i, s + 1))} as u1, ${sql.raw(u(i, s + 2))} as u2
          from bench_day dd
          cross join lateral generate_series(dd.first, dd.first + dd.n - 1) g(i)
         where dd.day between ${chunk.from}::date and ${chunk.to}::date
      ), drawn as (
        select gen.i, gen.day, gen.saturday,
               case when gen.u2 < a.prob then a.idx else a.alias end as cell
          from gen
          join bench_cell a on a.idx = floor(gen.u1 * ${o.cells})::integer
      ), timed as (
        select d.i, c.unit_id, c.desk_id, c.area,
               (d.day + make_interval(secs => case
                  when d.saturday or ${sql.raw(u('d.i', s + 3))} < 0.56
                    then 27000 + 14400 * (${sql.raw(u('d.i', s + 4))} + ${sql.raw(u('d.i', s + 5))}) / 2
                  else 48600 + 12600 * (${sql.raw(u('d.i', s + 4))} + ${sql.raw(u('d.i', s + 5))}) / 2 end))
                 at time zone ${TZ} as submitted_at,
               ${sql.raw(u('d.i', s + 6))} as uc, ${sql.raw(u('d.i', s + 7))} as uf, ${sql.raw(u('d.i', s + 8))} as ur
          from drawn d
          join bench_cell c on c.idx = d.cell
      ), numbered as (
        select t.*, row_number() over (order by t.submitted_at, t.i) as n from timed t
      ), ins as (
        insert into response (id, submission_id, payload_hash, survey_version_id, unit_id, desk_id,
                              service_area_code, channel, locale, submitted_at, suspect, suspect_reason,
                              suspect_review, suspect_reviewed_at)
        overriding system value
        select ${done} + x.n,
               lpad(to_hex(${done} + x.n), 32, '0')::uuid,
               encode(sha256(int8send(${done} + x.n)), 'hex'),
               ${o.surveyVersionId}, x.unit_id, x.desk_id, x.area,
               case when x.uc < 0.85 then 'qr' when x.uc < 0.92 then 'kiosk' when x.uc < 0.97 then 'paper' else 'link' end,
               case when x.uc * 1000 - floor(x.uc * 1000) < 0.005 then 'en' else 'vi' end,
               x.submitted_at,
               x.uf < 0.006 and x.ur < 0.83,
               case when x.uf < 0.006 then (${REASONS}::text[])[1 + floor(x.ur * 1000)::integer % ${REASONS.length}] end,
               case when x.uf < 0.006 and x.ur >= 0.5 then case when x.ur < 0.83 then 'confirmed' else 'cleared' end end,
               case when x.uf < 0.006 and x.ur >= 0.5 then x.submitted_at + interval '1 day' * (1 + 5 * x.ur) end
          from numbered x
         order by x.n
        returning id, unit_id, service_area_code
      )
      insert into answer (response_id, indicator_key, value_num, value_option, value_text)
      select r.id, q.key,
             case when q.kind = 'scale' and ${sql.raw(u(item, s + 20))} >= q.na
                  then least(5, greatest(1, round(m.mood + q.shift
                         + 0.55 * ${sql.raw(z(id, s + 21))} + 0.5 * ${sql.raw(z(item, s + 22))})))::smallint end,
             case when q.kind = 'scale' and ${sql.raw(u(item, s + 20))} < q.na then 'na'
                  when q.kind = 'choice' then q.slots[1 + floor(100 * ${sql.raw(u(item, s + 23))})::integer] end,
             case when q.kind = 'text' then q.slots[1 + floor(100 * ${sql.raw(u(item, s + 23))})::integer] end
        from ins r
        join bench_mood m on m.unit_id = r.unit_id and m.area = r.service_area_code
        cross join bench_question q
       where q.present >= 1 or ${sql.raw(u(item, s + 24))} < q.present
    `.execute(conn);
    answers += Number(result.numAffectedRows ?? 0);
    done += chunk.n;
    o.log(done);
  }

  await sql`reset session_replication_role`.execute(conn);
  await sql`select setval(pg_get_serial_sequence('response', 'id'), greatest(1, (select coalesce(max(id), 0) from response)))`.execute(
    conn,
  );
  for (const { name } of dropped.rows) {
    const def = await sql<{ def: string }>`select def from bench_index_def where name = ${name}`.execute(conn);
    const text = def.rows[0]?.def;
    if (text) await sql.raw(text).execute(conn);
    await sql`delete from bench_index_def where name = ${name}`.execute(conn);
  }
  o.phase(`indexes rebuilt (${dropped.rows.map((r) => r.name).join(', ') || 'none'})`);
  return answers;
}

/**
 * Deletes an earlier bench tree (another seed or size). Plain deletes, not
 * TRUNCATE … CASCADE, which would follow app_user into survey_version; rows
 * other tables keep on these units (API keys, targets) make it fail loudly.
 */
async function removeTree(conn: Conn): Promise<void> {
  const root = await conn.selectFrom('unit').select('path').where('code', '=', 'viet-nam').executeTakeFirst();
  if (!root) return;
  const inTree = sql`(select id from unit where path like ${`${root.path}%`})`;
  await sql`delete from desk_service_area where desk_id in (select id from desk where unit_id in ${inTree})`.execute(
    conn,
  );
  await sql`delete from desk where unit_id in ${inTree}`.execute(conn);
  await sql`delete from unit where path like ${`${root.path}%`}`.execute(conn);
}

/** Recreates indexes a previous, interrupted load dropped. */
async function restoreIndexes(conn: Conn): Promise<void> {
  const left = await sql<{ name: string; def: string }>`select name, def from bench_index_def`.execute(conn);
  for (const { name, def } of left.rows) {
    const exists = await sql<{ x: number }>`select 1 as x from pg_class where oid = to_regclass(${name})`.execute(conn);
    if (!exists.rows.length) await sql.raw(def).execute(conn);
    await sql`delete from bench_index_def where name = ${name}`.execute(conn);
  }
}
