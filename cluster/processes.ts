import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';

// What every part of the cluster needs to run: child processes that are
// always stopped again (in reverse order, on failure and on Ctrl-C too),
// PostgreSQL's tools as the `postgres` user (it refuses root), and a wait
// for a port to answer.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** uid/gid of the `postgres` system user when we are root; nothing otherwise. */
export function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root needs a `postgres` system user');
  return { uid, gid: id('-g') };
}

/** The first of `paths` that exists, or undefined. */
export const firstExisting = (paths: string[]) => paths.find((p) => existsSync(p));

/** Runs a command to completion; rejects with its output when it fails. */
export function run(cmd: string, args: string[], opts: SpawnOptions = {}, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${out.trim()}`));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
export async function waitForPort(port: number, what: string, child?: ChildProcess, timeoutMs = 30_000) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const s = tcpConnect({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    if (performance.now() > until) throw new Error(`${what} did not listen on ${port} in ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A long-running child whose output is kept for the report when it fails. */
export interface Daemon {
  name: string;
  child: ChildProcess;
  output(): string;
}

export function startDaemon(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Daemon {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => keep(Buffer.from(`spawn failed: ${err.message}\n`)));
  return { name, child, output: () => out };
}

/** Sends `signal`, waits for the exit; SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/**
 * What was started, stopped in reverse order by `stopAll`. Children are also
 * SIGKILLed when this process exits however it exits, so that an uncaught
 * error or a second Ctrl-C leaves no PostgreSQL or load balancer behind.
 */
export class Teardown {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];
  private readonly children = new Set<ChildProcess>();

  constructor() {
    process.once('exit', () => {
      for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }

  add(name: string, stop: () => Promise<void>) {
    this.steps.push({ name, stop });
  }

  watch(child: ChildProcess) {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
  }

  async stopAll(say: (line: string) => void) {
    for (const step of this.steps.splice(0).reverse()) {
      await step.stop().catch((err: Error) => say(`  could not stop ${step.name}: ${err.message}`));
    }
  }
}
