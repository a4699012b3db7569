import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { connect } from '../server/platform/db/connect.ts';
import { startEmbedded } from '../server/platform/db/embedded.ts';
import { freePort, ROOT } from '../tests/helpers/process.ts';
import type { DatasetInfo } from './dataset.ts';
import { type BenchSettings, log, stopAll } from './harness.ts';
import { national } from './national.ts';
import { reports } from './report-bench.ts';
import { type Figure, gitCommit, machine, printTable, writeResults } from './results.ts';
import { submissions } from './submission-bench.ts';

// `npm run bench`: the platform against its own physical baselines, measured
// in one run on this machine (bench/README.md). Starts everything itself:
// a real PostgreSQL (embedded unless DATABASE_URL is set), the server and a
// baseline server as separate processes, and drives them with autocannon
// from this process. The write side is in submission-bench.ts, the reports
// in report-bench.ts.

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    national: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    out: { type: 'string' },
  },
});
const SMOKE = args.smoke;
const NATIONAL = args.national;
const SIZES = (args.sizes ?? (SMOKE ? '20000' : NATIONAL ? '20000000' : '1000000,10000000'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const SECONDS = Number(args.seconds ?? (SMOKE ? 2 : 10));
const CONNECTIONS = Number(args.connections ?? 64);
const REPORT_RUNS = SMOKE ? 3 : 7;
const settings: BenchSettings = { smoke: SMOKE, seconds: SECONDS, connections: CONNECTIONS, reportRuns: REPORT_RUNS };
const OUT = path.resolve(
  ROOT,
  args.out ?? `${SMOKE ? '.tap/bench-smoke' : 'bench/results'}${NATIONAL ? '-national' : ''}.json`,
);
const DATA_DIR = process.env.BENCH_DATA_DIR ?? (SMOKE ? undefined : path.join(ROOT, 'bench/.data'));
/** The national bench's own PostgreSQL keeps its data here (national-db.ts). */
const NATIONAL_DIR = process.env.BENCH_NATIONAL_DIR ?? (SMOKE ? undefined : path.join(ROOT, 'bench/.national'));

/** The ordinary bench: its own PostgreSQL (embedded unless DATABASE_URL is set), writes, then reports at each size. */
async function ordinary(figures: Figure[]): Promise<{ postgres: string; datasets: DatasetInfo[] }> {
  let adminUrl = process.env.DATABASE_URL;
  let stopDb = async () => {};
  const tmp = DATA_DIR ? undefined : mkdtempSync(path.join(os.tmpdir(), 'hl-bench-'));
  if (!adminUrl) {
    const embedded = await startEmbedded({ dir: DATA_DIR ?? tmp ?? '', port: await freePort() });
    adminUrl = embedded.adminUrl;
    stopDb = embedded.stop;
  }
  const cleanUp = async () => {
    await stopAll();
    await stopDb();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const admin = connect({ url: adminUrl, poolMax: 1 });
    const postgres = (await sql<{ v: string }>`select version() as v`.execute(admin)).rows[0]?.v ?? '';
    await admin.destroy();
    const datasets: DatasetInfo[] = [];
    await submissions(figures, adminUrl, settings);
    for (const size of SIZES) datasets.push(await reports(figures, adminUrl, size, settings));
    return { postgres, datasets };
  } finally {
    await cleanUp();
  }
}

async function main() {
  const figures: Figure[] = [];
  const { postgres, datasets, ...more } = NATIONAL
    ? await national(figures, settings, {
        responses: SIZES[0] ?? 20_000_000,
        communes: SMOKE ? 200 : undefined,
        dir: NATIONAL_DIR,
      })
    : await ordinary(figures);
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
    // The national bench's profile of each submission run: cores per part, busiest statements.
    ...more,
  });
  log(`written ${path.relative(ROOT, OUT)}`);
  const missed = figures.filter((f) => f.met === false).length;
  log(missed ? `${missed} goal(s) missed` : 'every goal met');
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
