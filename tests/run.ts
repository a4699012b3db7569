import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '../server/platform/db/connect.ts';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { startEmbedded } from '../server/platform/db/embedded.ts';
import { prepareDatabase } from '../server/setup.ts';
import { freePort } from './helpers/process.ts';
import { type CheckResult, startStaticChecks } from './helpers/static-checks.ts';
import { countResults, failedTests } from './helpers/tap-count.ts';
import { describeFile, planGroups, writeGroupEntries } from './helpers/test-groups.ts';

// The test command: a real PostgreSQL (embedded, or DATABASE_URL's server),
// one migrated template database that each test file clones for itself, then
// tap. Ends with the line CI reads: "N passed, N failed, N skipped" (a
// skipped test is never counted as passed).

const TEMPLATE = `hl_template_${process.pid}`;
// Per run, so that runs side by side do not read each other's results.
const RAW_TAP = path.resolve(`.tap/raw-${process.pid}.tap`);
const GROUPS_DIR = path.resolve(`.tap/groups-${process.pid}`);
const E2E = path.join('tests', 'e2e') + path.sep;
// Tests that start the server or the CLI as processes (a few core-seconds
// each): `npm run test:processes`, beside the browser tests.
const PROCESSES = path.join('tests', 'processes') + path.sep;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // A whole run (npm test) type-checks and lints too, side by side with the tests.
  const checks = args.length ? Promise.resolve<CheckResult[]>([]) : startStaticChecks();
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  let tmp: string | undefined;
  if (!adminUrl) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'hl-test-'));
    const embedded = await startEmbedded({ dir: tmp, port: await freePort(), settings: THROWAWAY });
    adminUrl = embedded.adminUrl;
    stop = embedded.stop;
    // Ctrl-C must not leave the test cluster running.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void embedded.stop().finally(() => process.exit(130)));
    }
  }
  const templateUrl = withDatabase(adminUrl, TEMPLATE);
  try {
    await createDatabaseIfMissing(adminUrl, TEMPLATE);
    const db = connect({ url: templateUrl, poolMax: 2 });
    await prepareDatabase(db, { seedDemo: false });
    const { sql } = await import('kysely');
    const version = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(db);
    await db.destroy();

    await tapBuild();
    const { files, timeout } = processes(args);
    const tapArgs = [
      'tap',
      '--reporter',
      process.env.TAP_REPORTER ?? (process.stdout.isTTY ? 'base' : 'terse'),
      '--output-file',
      RAW_TAP,
      '--jobs',
      String(jobs()),
      '--timeout',
      String(timeout),
      ...files,
    ];
    const code = await new Promise<number>((resolve) => {
      const child = spawn('npx', tapArgs, {
        stdio: 'inherit',
        env: {
          ...process.env,
          TEST_ADMIN_URL: adminUrl,
          TEST_TEMPLATE_DB: TEMPLATE,
          // CREATE DATABASE … STRATEGY exists from PostgreSQL 15 (tests/helpers/harness.ts).
          TEST_DB_STRATEGY: Number(version.rows[0]?.v) >= 150_000 ? 'file_copy' : 'wal_log',
        },
      });
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    });
    const raw = readFileSync(RAW_TAP, 'utf8');
    const { passed, failed, skipped } = countResults(raw);
    // CI's log holds no reporter output (not a terminal): name what failed.
    const names = failed ? failedTests(raw) : [];
    for (const name of names.slice(0, 50)) process.stdout.write(`\nfailed: ${name}`);
    if (names.length) process.stdout.write(names.length > 50 ? `\n… and ${names.length - 50} more\n` : '\n');
    rmSync(RAW_TAP, { force: true });
    rmSync(GROUPS_DIR, { recursive: true, force: true });
    const failedChecks = (await checks).filter((c) => !c.ok);
    for (const c of failedChecks) process.stdout.write(`\n${c.name} failed:\n${c.output}\n`);
    const failures = (code !== 0 && failed === 0 ? 1 : failed) + failedChecks.length;
    // Where everything a test needs was installed (.ci/run with Chromium),
    // a skip hides a test that did not run: it fails the run.
    const noSkips = process.env.HL_NO_SKIPS === '1';
    if (noSkips && skipped > 0)
      process.stdout.write(`\n${skipped} skipped where nothing may be skipped (HL_NO_SKIPS=1)\n`);
    process.stdout.write(`\n${passed} passed, ${failures} failed, ${skipped} skipped\n`);
    return failures === 0 && !(noSkips && skipped > 0) ? 0 : 1;
  } finally {
    await dropDatabase(adminUrl, TEMPLATE).catch(() => {});
    await stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Test files side by side. tap's default on a 2-core machine is one at a
 * time (it leaves a core free), yet most files spend part of their time
 * waiting: on PostgreSQL, on a server or CLI process they started, on a
 * browser, on a timeout they test. Each file has its own database and its
 * own processes, so they do not see each other. One more than the cores
 * (measured on 2 cores: 2, 3 and 4 jobs within noise of each other, 4 the
 * slowest; the run is CPU-bound once the waits overlap). TEST_JOBS overrides it.
 */
function jobs(): number {
  const asked = Number(process.env.TEST_JOBS);
  if (Number.isInteger(asked) && asked > 0) return asked;
  return os.availableParallelism() + 1;
}

/**
 * The embedded cluster is thrown away after the run: it need not survive a
 * crash, so it skips flushing to disk and writes the least WAL (each file
 * clones and drops a database, and the writes of a whole run are many), and
 * it is not vacuumed (autovacuum's workers would visit hundreds of
 * short-lived databases). Measured on 2 cores: a run of 253 s took 226 s
 * with these. Never done to a DATABASE_URL server.
 */
const THROWAWAY: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  autovacuum: 'off',
};

/**
 * What tap runs: the test files, packed into shared processes when there are
 * more than enough to keep every job busy (tests/helpers/test-groups.ts), and
 * the time limit per process (package.json's, times the files it holds).
 */
function processes(args: string[]): { files: string[]; timeout: number } {
  const perFile = Number(JSON.parse(readFileSync('package.json', 'utf8')).tap?.timeout ?? 30);
  // A whole run leaves the browser and process tests to `npm run test:e2e`
  // and `npm run test:processes` (.ci/run runs all three).
  const all = args.length
    ? testFiles(args)
    : testFiles(['tests']).filter((f) => !f.startsWith(E2E) && !f.startsWith(PROCESSES));
  const grouped = process.env.TEST_GROUPS !== '0' && all.length > 2 * jobs();
  if (!grouped) return { files: all, timeout: perFile };
  // Seven files a process: each tap process costs about 3 core-seconds to start.
  const groups = planGroups(all.map(describeFile), 7);
  return {
    files: writeGroupEntries(groups, GROUPS_DIR),
    timeout: perFile * Math.max(...groups.map((g) => g.length)),
  };
}

/** tap takes files, not folders: `tests/run.ts tests/e2e` runs the test files inside the folder. */
function testFiles(args: string[]): string[] {
  return args.flatMap((arg) => {
    if (!existsSync(arg) || !statSync(arg).isDirectory()) return [arg];
    const files = readdirSync(arg, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.join(arg, f))
      .sort();
    if (!files.length) throw new Error(`no *.test.ts files in ${arg}`);
    return files;
  });
}

/**
 * tap compiles its plugin set into node_modules and only notices a changed
 * set (ours leaves out its TypeScript plugin) after a run has failed with the
 * old one. Build it once per install, before the first run.
 */
async function tapBuild() {
  // tap builds its runner for the plugins package.json names; built again
  // whenever that list changes (the marker holds the list it was built for).
  const marker = path.resolve('node_modules/.tap-plugins-built');
  const plugins = `${JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).tap?.plugin ?? [])}\n`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === plugins) return;
  const code = await new Promise<number | null>((resolve) => {
    spawn('npx', ['tap', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] }).on('exit', resolve);
  });
  if (code !== 0) throw new Error('tap build failed');
  writeFileSync(marker, plugins);
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function dropDatabase(adminUrl: string, name: string) {
  const db = connect({ url: adminUrl, poolMax: 1 });
  try {
    const { sql } = await import('kysely');
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(db);
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`Test setup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.stdout.write('\n0 passed, 1 failed, 0 skipped\n');
    process.exit(1);
  },
);
