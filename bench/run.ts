import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { createApiKey } from '../server/features/access/api-key-service.ts';
import { insertDesk } from '../server/features/organisation/desk-repository.ts';
import { insertUnit } from '../server/features/organisation/unit-repository.ts';
import { unitPostersPdf } from '../server/features/posters-codes/poster-service.ts';
import type { Actor } from '../server/platform/auth/scope.ts';
import { connect, type Db } from '../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { startEmbedded } from '../server/platform/db/embedded.ts';
import { prepareDatabase } from '../server/setup.ts';
import { freePort, ROOT, startServer } from '../tests/helpers/process.ts';
import { ensureDataset } from './dataset.ts';
import { load, submissionBody } from './load.ts';
import { rawReportCounts } from './raw-report.ts';
import { type Figure, gitCommit, machine, printTable, writeResults } from './results.ts';

// `npm run bench`: the platform against its own physical baselines, measured
// in one run on this machine (bench/README.md). Starts everything itself:
// a real PostgreSQL (embedded unless DATABASE_URL is set), the server and a
// baseline server as separate processes, and drives them with autocannon
// from this process.

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    out: { type: 'string' },
  },
});
const SMOKE = args.smoke;
const SIZES = (args.sizes ?? (SMOKE ? '20000' : '1000000,10000000'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const SECONDS = Number(args.seconds ?? (SMOKE ? 2 : 10));
const CONNECTIONS = Number(args.connections ?? 64);
const REPORT_RUNS = SMOKE ? 3 : 7;
const OUT = path.resolve(ROOT, args.out ?? (SMOKE ? '.tap/bench-smoke.json' : 'bench/results.json'));
const DATA_DIR = process.env.BENCH_DATA_DIR ?? (SMOKE ? undefined : path.join(ROOT, 'bench/.data'));
// Many desks, as in a national roll-out: 64 citizens at once are rarely at one desk.
const COMMUNES = 250;
const DESKS_PER_COMMUNE = 4;
const POSTER_DESKS = 20;

const log = (line: string) => process.stdout.write(`${line}\n`);

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Peak resident memory of a process so far (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) / 1024 : Number.NaN;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Median of `runs` timings after one warm-up call; fewer runs when a call takes long. */
async function medianMs<T>(runs: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const first = await timed(fn);
  const n = first.ms > 10_000 ? 1 : first.ms > 2_000 ? 3 : runs;
  const times: number[] = [];
  let value = first.value;
  for (let i = 0; i < n; i++) {
    const t = await timed(fn);
    times.push(t.ms);
    value = t.value;
  }
  return { ms: median(times), value };
}

const processes: ChildProcess[] = [];
async function start(env: Record<string, string>, script?: string) {
  const server = await startServer({ LOG_LEVEL: 'warn', SEED_DEMO: 'never', ...env }, 120_000, script);
  processes.push(server.child);
  return server;
}
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A fresh database for the write benchmarks: one province, 250 communes, about 1,000 desks. */
async function writeDatabase(adminUrl: string) {
  const name = 'hl_bench_write';
  const admin = connect({ url: adminUrl, poolMax: 1 });
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
  await createDatabaseIfMissing(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const db = connect({ url, poolMax: 4 });
  await prepareDatabase(db, { seedDemo: false });
  const province = await insertUnit(db, {
    code: 'bench-tinh',
    name: 'Tỉnh Đo Kiểm',
    kind: 'province',
    parent_id: null,
  });
  const desks: string[] = [];
  let posterUnit = 0;
  for (let c = 0; c < COMMUNES; c++) {
    const unit = await insertUnit(db, {
      code: `bench-xa-${c + 1}`,
      name: `Xã Đo Kiểm ${c + 1}`,
      kind: 'commune',
      parent_id: province,
    });
    if (c === 0) posterUnit = unit;
    const count = c === 0 ? POSTER_DESKS : DESKS_PER_COMMUNE;
    for (let d = 0; d < count; d++) {
      const code = `bench-${c + 1}-q${d + 1}`;
      await insertDesk(db, { unitId: unit, code, name: `Quầy ${d + 1}`, serviceAreas: ['ho-tich', 'dat-dai'] });
      desks.push(code);
    }
  }
  // Kiosk apps and one-stop software post with a submit key of their province.
  const key = await createApiKey(db, { unitCode: 'bench-tinh', role: 'submit', channels: ['kiosk'], label: 'bench' });
  if (!key) throw new Error('no submit key');
  return { url, db, desks, posterUnit, submitHeaders: { authorization: `Bearer ${key.key}` } };
}

async function submissions(figures: Figure[], adminUrl: string) {
  const { url, db, desks, posterUnit, submitHeaders } = await writeDatabase(adminUrl);
  const baseline = await start({ DATABASE_URL: url }, 'bench/baseline-server.ts');
  const server = await start({ DATABASE_URL: url });
  const spec = { connections: CONNECTIONS, seconds: SECONDS, method: 'POST' as const };

  log(`submissions: ${CONNECTIONS} connections, ${SECONDS} s each`);
  const plain = await load({ ...spec, url: `${baseline.url}/plain`, body: submissionBody(desks) });
  const ours = await load({
    ...spec,
    url: `${server.url}/api/v1/responses`,
    headers: submitHeaders,
    body: submissionBody(desks),
  });
  // A route that refuses everything is broken, not slow: fail even the smoke run.
  if (ours.okWithWarmUp === 0) throw new Error(`no submission acknowledged (${ours.errors} errors)`);
  const rss = peakRssMb(server.child.pid ?? 0);
  const stored = Number((await sql<{ n: string }>`select count(*) as n from response`.execute(db)).rows[0]?.n ?? 0);
  // Every acknowledged submission must be in the database. A few more may be:
  // those in flight when each run stopped (its connections cut), at most one per connection.
  if (stored < ours.okWithWarmUp || stored > ours.okWithWarmUp + 2 * CONNECTIONS) {
    throw new Error(`${ours.okWithWarmUp} submissions acknowledged, ${stored} stored`);
  }
  figures.push(
    {
      id: 'submissions.rps',
      label: 'submissions (POST /api/v1/responses)',
      value: ours.rps,
      unit: 'req/s',
      baseline: { label: 'plain INSERT route', value: plain.rps },
      ratio: ours.rps / plain.rps,
      goal: '≥ 1.0×',
      met: ours.rps / plain.rps >= 1,
      note: `${ours.errors} errors; ${ours.okWithWarmUp} acknowledged (warm-up included), all stored (${stored} with those cut at the end of each run)`,
    },
    {
      id: 'submissions.p50',
      label: 'submission latency p50',
      value: ours.p50,
      unit: 'ms',
      baseline: { label: 'plain INSERT route', value: plain.p50 },
    },
    {
      id: 'submissions.p99',
      label: 'submission latency p99',
      value: ours.p99,
      unit: 'ms',
      baseline: { label: 'plain INSERT route', value: plain.p99 },
      goal: '≤ 50 ms',
      met: ours.p99 <= 50,
    },
    {
      id: 'submissions.errors',
      label: 'submission errors (non-2xx, timeouts)',
      value: ours.errors,
      unit: '',
      goal: '0',
      met: ours.errors === 0,
    },
    {
      id: 'memory.peak_rss',
      label: 'server peak RSS (through the submission run)',
      value: rss,
      unit: 'MB',
      goal: '≤ 250 MB',
      met: rss <= 250,
    },
  );

  log('citizen page');
  const desk = desks[0] ?? '';
  // As a phone asks for it (the static route's reply is too small to compress either way).
  const phone = { 'accept-encoding': 'gzip, deflate, br' };
  const page = await load({
    connections: CONNECTIONS,
    seconds: SECONDS,
    url: `${server.url}/q/${desk}`,
    headers: phone,
  });
  const statik = await load({
    connections: CONNECTIONS,
    seconds: SECONDS,
    url: `${baseline.url}/static`,
    headers: phone,
  });
  const bytes = await pageBytes(`${server.url}/q/${desk}`);
  figures.push(
    {
      id: 'page.rps',
      label: 'citizen page (GET /q/{desk})',
      value: page.rps,
      unit: 'req/s',
      baseline: { label: 'static JSON route', value: statik.rps },
      ratio: page.rps / statik.rps,
      goal: '≥ 0.35×',
      met: page.rps / statik.rps >= 0.35,
      note: `p99 ${page.p99} ms, ${page.errors} errors`,
    },
    {
      id: 'page.bytes',
      label: 'citizen page with its assets, gzipped',
      value: bytes / 1024,
      unit: 'KB',
      goal: '≤ 30 KB',
      met: bytes <= 30 * 1024,
    },
  );

  log('posters');
  const admin: Actor = { userId: null, keyId: null, role: 'admin', unitId: null, unitPath: '/', label: 'bench' };
  const poster = await medianMs(3, async () => {
    const pdf = await unitPostersPdf(db, admin, posterUnit, 'a4', 'https://hailong.example.gov.vn');
    if (pdf.status !== 'ok') throw new Error(`posters: ${pdf.status}`);
    return pdf.pdf.length;
  });
  figures.push({
    id: 'posters.seconds',
    label: `posters of one centre (${POSTER_DESKS} desks, one A4 PDF)`,
    value: poster.ms / 1000,
    unit: 's',
    note: `${Math.round(poster.value / 1024)} KB`,
  });

  await stop(server.child);
  await stop(baseline.child);
  await db.destroy();
}

/** The page and every script, style sheet and image it links to, each gzipped as sent. */
async function pageBytes(url: string): Promise<number> {
  const html = await (await fetch(url)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)]
    .map((m) => m[1] ?? '')
    .filter((a) => /\.(js|css|png|svg|ico|woff2?)(\?|$)/.test(a));
  let total = gzipSync(html).length;
  for (const asset of new Set(assets)) {
    const body = Buffer.from(await (await fetch(new URL(asset, url))).arrayBuffer());
    total += gzipSync(body).length;
  }
  return total;
}

interface ReportScope {
  id: string;
  label: string;
  unitId: number;
  path: string;
  from: string;
  to: string;
  goalMs?: number;
}

async function reports(figures: Figure[], adminUrl: string, size: number) {
  const name = `hl_bench_r${size}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const db = connect({ url, poolMax: 4 });
  await prepareDatabase(db, { seedDemo: false });
  // The smoke run keeps the tree small too: its point is that everything runs.
  const communes = SMOKE ? 200 : undefined;
  const data = await ensureDataset(db, { responses: size, communes, log: (l) => log(`  ${l}`) });
  log(
    `reports at ${size.toLocaleString('en-US')} responses: ${data.reused ? 'dataset reused' : `dataset generated in ${Math.round(data.seconds)} s`}`,
  );
  const tenMillion = size >= 10_000_000;
  const scopes: ReportScope[] = [
    {
      id: 'commune_year',
      label: 'one commune, one year',
      unitId: data.sample.communeId,
      path: data.sample.communePath,
      from: '2025-01-01',
      to: '2025-12-31',
      goalMs: tenMillion ? 50 : undefined,
    },
    {
      id: 'province_quarter',
      label: 'one province, one quarter',
      unitId: data.sample.provinceId,
      path: data.sample.provincePath,
      from: '2025-04-01',
      to: '2025-06-30',
      goalMs: tenMillion ? 200 : undefined,
    },
    {
      id: 'country_year',
      label: 'whole country, one year',
      unitId: data.sample.rootId,
      path: data.sample.rootPath,
      from: '2025-01-01',
      to: '2025-12-31',
      goalMs: tenMillion ? 1000 : undefined,
    },
  ];
  const rootCode = await codeOf(db, data.sample.rootId);
  const key = await createApiKey(db, { unitCode: rootCode, role: 'official', label: 'bench' });
  if (!key) throw new Error('no API key');
  const server = await start({ DATABASE_URL: url });
  const headers = { authorization: `Bearer ${key.key}` };
  const sizeLabel = size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`;

  for (const s of scopes) {
    const code = await codeOf(db, s.unitId);
    const query = `${server.url}/api/v1/reports/satisfaction?unit=${code}&from=${s.from}&to=${s.to}`;
    const ours = await medianMs(REPORT_RUNS, async () => {
      const res = await fetch(query, { headers });
      if (res.status !== 200) throw new Error(`report ${res.status}: ${await res.text()}`);
      return (await res.json()) as { channels: Record<string, number>; flaggedExcluded: number };
    });
    const raw = await medianMs(3, () => rawReportCounts(db, { scopePath: s.path, from: s.from, to: s.to }));
    const rawResponses = raw.value.responses.reduce((a, r) => a + r.n, 0);
    const reported = Object.values(ours.value.channels).reduce((a, n) => a + n, 0) + ours.value.flaggedExcluded;
    const ratio = raw.ms / ours.ms;
    const goals = [s.goalMs ? `≤ ${s.goalMs} ms` : '', s.id === 'country_year' && tenMillion ? '≥ 20× faster' : '']
      .filter(Boolean)
      .join(', ');
    figures.push({
      id: `reports.${sizeLabel}.${s.id}`,
      label: `report at ${sizeLabel}: ${s.label}`,
      value: ours.ms,
      unit: 'ms',
      baseline: { label: 'same counts from raw rows', value: raw.ms },
      ratio,
      goal: goals || undefined,
      met: goals
        ? (!s.goalMs || ours.ms <= s.goalMs) && (s.id !== 'country_year' || !tenMillion || ratio >= 20)
        : undefined,
      note: `${rawResponses.toLocaleString('en-US')} responses in scope; report ${reported === rawResponses ? 'agrees with' : `DISAGREES (${reported}) with`} the raw count`,
    });
    if (reported !== rawResponses)
      throw new Error(`report for ${s.label} counts ${reported}, raw rows ${rawResponses}`);
  }
  await stop(server.child);
  await db.destroy();
  return data;
}

async function codeOf(db: Db, unitId: number): Promise<string> {
  return (await db.selectFrom('unit').select('code').where('id', '=', unitId).executeTakeFirstOrThrow()).code;
}

async function main() {
  let adminUrl = process.env.DATABASE_URL;
  let stopDb = async () => {};
  const tmp = DATA_DIR ? undefined : mkdtempSync(path.join(os.tmpdir(), 'hl-bench-'));
  if (!adminUrl) {
    const embedded = await startEmbedded({ dir: DATA_DIR ?? tmp ?? '', port: await freePort() });
    adminUrl = embedded.adminUrl;
    stopDb = embedded.stop;
  }
  const cleanUp = async () => {
    await Promise.all(processes.map(stop));
    await stopDb();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

  try {
    const admin = connect({ url: adminUrl, poolMax: 1 });
    const postgres = (await sql<{ v: string }>`select version() as v`.execute(admin)).rows[0]?.v ?? '';
    await admin.destroy();
    const figures: Figure[] = [];
    const datasets = [];
    await submissions(figures, adminUrl);
    for (const size of SIZES) datasets.push(await reports(figures, adminUrl, size));

    const table = printTable(figures);
    log(`\n${table}\n`);
    writeResults(OUT, {
      date: new Date().toISOString(),
      commit: gitCommit(),
      smoke: SMOKE,
      machine: machine(postgres.split(' on ')[0] ?? postgres),
      settings: { connections: CONNECTIONS, seconds: SECONDS, reportRuns: REPORT_RUNS, sizes: SIZES },
      datasets: datasets.map(({ sample: _, ...d }) => d),
      figures,
    });
    log(`written ${path.relative(ROOT, OUT)}`);
    const missed = figures.filter((f) => f.met === false).length;
    log(missed ? `${missed} goal(s) missed` : 'every goal met');
  } finally {
    await cleanUp();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
