import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort } from '../tests/helpers/process.ts';
import { type Daemon, startDaemon, stopChild, type Teardown, waitForPort } from './processes.ts';

// The load balancer: HAProxy rather than nginx, because Debian's nginx-light
// has only passive health checks (max_fails/fail_timeout: a node is taken out
// after real requests failed on it), while HAProxy asks every node's /healthz
// twice a second and takes a node out after three failed checks, as issue 19
// asks. It retries a request on the other node only when the connection
// failed (the request never reached a node), which is safe for every POST;
// an answer lost after the node got the request is the client's to retry,
// and submissions are idempotent by submissionId for that reason.

export const HAPROXY = '/usr/sbin/haproxy';

export interface NodeState {
  /** UP, DOWN, … */
  state: string;
  /** Requests sent to the node since HAProxy started. */
  sessions: number;
}

export interface Balancer {
  url: string;
  daemon: Daemon;
  /** Each node as HAProxy sees it, from its stats socket. */
  states(): Promise<Record<string, NodeState>>;
}

export async function startBalancer(
  runDir: string,
  nodes: { name: string; port: number }[],
  teardown: Teardown,
): Promise<Balancer> {
  const port = await freePort();
  const cfg = path.join(runDir, 'haproxy.cfg');
  const socket = path.join(runDir, 'haproxy.sock');
  writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 4000',
      `  stats socket ${socket} mode 600 level admin`,
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      // Connection failures only (HAProxy's default retry-on): the request was never sent.
      '  retries 3',
      '  option redispatch',
      '  option forwardfor',
      'frontend web',
      `  bind 127.0.0.1:${port}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance roundrobin',
      '  option httpchk GET /healthz',
      '  http-check expect status 200',
      // A dead node refuses at once: out after 3 × 500 ms. A busy one (argon2
      // sign-ins on 2 cores) may take a while to answer: 2 s before a check fails.
      '  timeout check 2s',
      '  default-server inter 500ms fall 3 rise 2',
      ...nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.port} check`),
      '',
    ].join('\n'),
  );
  const daemon = startDaemon('HAProxy', HAPROXY, ['-f', cfg, '-db'], { cwd: runDir });
  teardown.watch(daemon.child);
  teardown.add(daemon.name, () => stopChild(daemon.child, 'SIGTERM'));
  await waitForPort(port, 'HAProxy', daemon.child).catch((err: Error) => {
    throw new Error(`${err.message}\n${daemon.output()}`);
  });
  return { url: `http://127.0.0.1:${port}`, daemon, states: () => serverStates(socket) };
}

async function serverStates(socket: string): Promise<Record<string, NodeState>> {
  const csv = await new Promise<string>((resolve, reject) => {
    let out = '';
    const s = connect(socket, () => s.write('show stat\n'));
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
  // Columns of `show stat`: pxname, svname, …, stot (8th), …, status (18th).
  const states: Record<string, NodeState> = {};
  for (const line of csv.split('\n')) {
    const cols = line.split(',');
    const [proxy, server] = cols;
    if (proxy === 'nodes' && server && server !== 'BACKEND') {
      states[server] = { state: cols[17] ?? '?', sessions: Number(cols[7] ?? 0) };
    }
  }
  return states;
}

/** Resolves once HAProxy sees every one of `names` in `state`; rejects after `timeoutMs`. */
export async function untilState(balancer: Balancer, names: string[], state: string, timeoutMs = 10_000) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const states = await balancer.states().catch(() => ({}) as Record<string, NodeState>);
    if (names.every((n) => states[n]?.state === state)) return;
    if (performance.now() > until) throw new Error(`HAProxy does not see ${names} ${state}: ${JSON.stringify(states)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
