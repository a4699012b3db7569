import { type ChildProcess, spawn } from 'node:child_process';
import { childEnv, freePort, ROOT } from '../tests/helpers/process.ts';
import { stopChild, type Teardown } from './processes.ts';

// The app nodes: `tsx server/server.ts` processes, each on a fixed loopback
// port that the load balancer knows, so a node killed and started again comes
// back at the same address. Pooled queries go through PgBouncer
// (DATABASE_URL, transaction pooling); the LISTEN connections and the job
// runner hold a session, and go through PgBouncer's session-pooled entry
// (DATABASE_DIRECT_URL); reports read from the replica (DATABASE_REPLICA_URL).

export const PUBLIC_URL = 'https://khaosat.example.gov.vn';

export interface Node {
  name: string;
  port: number;
  /** http://127.0.0.1:port, straight to this node. */
  url: string;
  /** Start output and warnings of the current process. */
  output(): string;
  /** The current process's pid (the national bench reads its CPU time). */
  pid(): number | undefined;
  /** As a crash would: SIGKILL, no chance to finish anything. */
  kill(): Promise<void>;
  /** Starts the node again at the same address. */
  start(): Promise<void>;
}

export interface NodeSettings {
  pooledUrl: string;
  directUrl: string;
  env?: Record<string, string>;
}

export async function createNode(name: string, settings: NodeSettings, teardown: Teardown): Promise<Node> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = () => '';
  const node: Node = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output(),
    pid: () => child?.pid,
    async kill() {
      if (child) await stopChild(child, 'SIGKILL');
    },
    async start() {
      const env = {
        DATABASE_URL: settings.pooledUrl,
        DATABASE_DIRECT_URL: settings.directUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        SEED_DEMO: 'never',
        LOG_LEVEL: 'warn',
        PUBLIC_URL,
        // The load balancer's X-Forwarded-For names the client.
        TRUST_PROXY: '127.0.0.1',
        ...settings.env,
      };
      child = spawn(process.execPath, ['--import', 'tsx', 'server/server.ts'], {
        cwd: ROOT,
        env: childEnv(env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // Watched from the spawn on, so that Ctrl-C during a start stops it too.
      teardown.watch(child);
      let out = '';
      output = () => out;
      await untilReady(
        child,
        (d) => (out = (out + d).slice(-50_000)),
        () => out,
      );
    },
  };
  teardown.add(`node ${name}`, async () => {
    if (child) await stopChild(child, 'SIGTERM', 12_000);
  });
  return node;
}

/** Resolves when the server prints its ready line (as tests/helpers/process.ts startServer waits). */
function untilReady(child: ChildProcess, keep: (d: Buffer) => void, out: () => string, timeoutMs = 90_000) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start in ${timeoutMs} ms:\n${out()}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      keep(d);
      if (/Server ready:\s+http:\/\//.test(out())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before it was ready:\n${out()}`));
    });
  });
}
