import http from 'node:http';
import net from 'node:net';
import { loadConfig } from '../server/platform/config.ts';
import { request, sleep } from './http.ts';
import { loggedFailures, type Scenario, stopServer } from './scenario.ts';

// Slow clients (issue 11): 2,000 connections that send their headers and
// then trickle the body one byte a second, the attack that held the server
// with no timeouts until /healthz went dark. The server runs with its
// shipped defaults: every trickler must be cut (a 408) within the request
// timeout plus one check tick, and /healthz, probed on a new connection
// every 100 ms, must answer within 1 s the whole time.

const TRICKLERS = 2_000;
/** Source addresses on loopback, so that one address never runs out of ports. */
const SOURCES = Array.from({ length: 8 }, (_, i) => `127.0.0.${11 + i}`);
/** Under the body limit (64 KB), or the server answers 413 at once. */
const BODY_BYTES = 10_000;
const PROBE_EVERY_MS = 100;
const PROBE_LIMIT_MS = 1_000;

interface Trickler {
  socket: net.Socket;
  openedAt: number;
  connected: boolean;
  closedAt?: number;
  received: string;
}

function open(base: URL, localAddress: string): Trickler {
  const socket = net.connect({ port: Number(base.port), host: base.hostname, localAddress });
  const t: Trickler = { socket, openedAt: performance.now(), connected: false, received: '' };
  socket.on('connect', () => {
    t.connected = true;
    socket.write(
      `POST /api/v1/responses HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\nContent-Length: ${BODY_BYTES}\r\n\r\n{`,
    );
  });
  socket.on('data', (d) => (t.received += d.toString('latin1')));
  socket.on('error', () => {});
  socket.on('close', () => (t.closedAt = performance.now()));
  return t;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;

export const trickle: Scenario = {
  name: 'trickle ×2000 connections',
  async run(ctx, say) {
    const defaults = loadConfig({}).http;
    // Cut by the server within its timeout and one check tick (at most 1 s,
    // server/app.ts), with room for a busy machine.
    const cutWithinMs = defaults.requestTimeout + 1_000 + 5_000;
    const server = await ctx.startServer();
    const base = new URL(server.url);
    const probeAgent = new http.Agent({ keepAlive: false });
    const tricklers: Trickler[] = [];
    const probes: { ms: number; ok: boolean }[] = [];
    let running = true;
    // One timer feeds every open trickler a byte a second.
    const drip = setInterval(() => {
      for (const t of tricklers) if (t.connected && t.closedAt === undefined) t.socket.write('1');
    }, 1_000);
    const prober = (async () => {
      while (running) {
        const r = await request(server.url, { method: 'GET', path: '/healthz', timeoutMs: 5_000 }, probeAgent);
        probes.push({ ms: r.reply?.ms ?? 5_000, ok: r.reply?.status === 200 });
        await sleep(PROBE_EVERY_MS);
      }
    })();
    try {
      const t0 = performance.now();
      for (let i = 0; i < TRICKLERS; i++) {
        tricklers.push(open(base, SOURCES[i % SOURCES.length]!));
        // Waves of 100 every 100 ms: a steady attack, not a SYN flood. Past
        // the accept queue (511) the kernel drops a SYN and the client tries
        // again a second later, which would time the kernel, not the server.
        if (i % 100 === 99) await sleep(100);
      }
      const opened = performance.now();
      while (tricklers.some((t) => !t.connected && t.closedAt === undefined) && performance.now() < opened + 5_000) {
        await sleep(100);
      }
      const connected = tricklers.filter((t) => t.connected).length;
      const openAfterOpening = tricklers.filter((t) => t.closedAt === undefined).length;
      say(`  ${connected} trickling connections open in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // Bounded: the server's timeout ends them, or the scenario does.
      const deadline = performance.now() + cutWithinMs + 5_000;
      while (tricklers.some((t) => t.closedAt === undefined) && performance.now() < deadline) await sleep(250);
      running = false;
      await prober;
      const leftOpen = tricklers.filter((t) => t.closedAt === undefined).length;
      for (const t of tricklers) t.socket.destroy();
      const lived = tricklers.filter((t) => t.closedAt !== undefined).map((t) => t.closedAt! - t.openedAt);
      const cut408 = tricklers.filter((t) => /^HTTP\/1\.1 408 /.test(t.received)).length;
      const ms = probes.map((p) => p.ms).sort((a, b) => a - b);
      const probesFailed = probes.filter((p) => !p.ok || p.ms > PROBE_LIMIT_MS).length;
      const longestMs = Math.round(Math.max(0, ...lived));
      // A body cut short is the client's doing, not the database's.
      const misreadAsDatabase = (server.output().match(/database unavailable/g) ?? []).length;
      say(`  ${cut408} cut with a 408, longest held ${longestMs} ms; ${probes.length} health probes`);
      return {
        name: this.name,
        target: `every trickler cut within ${Math.round(cutWithinMs / 1000)} s; /healthz answers within 1 s throughout`,
        figures: {
          tricklingOpened: connected,
          openAfterOpening,
          cutWith408: cut408,
          leftOpen,
          requestTimeoutMs: defaults.requestTimeout,
          longestHeldMs: longestMs,
          healthProbes: probes.length,
          healthFailedOrSlow: probesFailed,
          healthP50Ms: Math.round(percentile(ms, 50)),
          healthP99Ms: Math.round(percentile(ms, 99)),
          healthMaxMs: Math.round(ms.at(-1) ?? 0),
          misreadAsDatabase,
        },
        pass:
          connected === TRICKLERS &&
          openAfterOpening === TRICKLERS &&
          cut408 === TRICKLERS &&
          leftOpen === 0 &&
          longestMs <= cutWithinMs &&
          probes.length >= 50 &&
          probesFailed === 0 &&
          misreadAsDatabase === 0,
        notes: loggedFailures(server.output()),
      };
    } finally {
      running = false;
      clearInterval(drip);
      for (const t of tricklers) t.socket.destroy();
      probeAgent.destroy();
      await stopServer(server.child);
    }
  },
};
