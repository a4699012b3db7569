import http from 'node:http';
import net from 'node:net';
import t, { type Test } from 'tap';
import { testDatabase } from '../helpers/harness.ts';
import { startServer } from '../helpers/process.ts';

// Slow and idle clients against a real server process (issue 11: with no
// timeouts, trickling connections held the server and /healthz went dark).
// Short limits through the environment keep the test quick.

const REQUEST_TIMEOUT_MS = 3_000;
const HEADERS_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = 20;
/** Node enforces the timeouts on a tick of a tenth of the request timeout (server/app.ts), plus scheduling. */
const SLACK_MS = 1_500;

interface Trickle {
  /** Milliseconds from connecting to the server closing the socket. */
  closedAfter: Promise<number>;
  /** What the server sent before closing. */
  received: () => string;
  sent: () => number;
}

/** Opens a socket, writes `head` at once, then one byte of `drip` each second until the server closes it. */
function trickle(base: string, head: string, drip: string): Trickle {
  const url = new URL(base);
  const socket = net.connect(Number(url.port), url.hostname);
  let received = '';
  let sent = 0;
  const t0 = performance.now();
  socket.on('connect', () => socket.write(head));
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const timer = setInterval(() => {
    if (sent < drip.length && socket.writable) socket.write(drip[sent++]!);
  }, 1_000);
  const closedAfter = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(performance.now() - t0);
    }),
  );
  return { closedAfter, received: () => received, sent: () => sent };
}

/** GET /healthz on a connection of its own, closed afterwards; status and time taken. */
function health(base: string): Promise<{ status: number | string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(`${base}/healthz`, { agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: (err as NodeJS.ErrnoException).code ?? err.message, ms: 0 }));
  });
}

// One server for both: the first scenario ends with every connection closed.
t.test('a server with short timeouts and a connection cap', async (t) => {
  const { url: databaseUrl } = await testDatabase(t);
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    SEED_DEMO: 'never',
    HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
  });
  t.teardown(() => void server.child.kill('SIGKILL'));
  await t.test('trickling and idle clients are cut within their timeouts while /healthz answers', (t) =>
    trickling(t, server.url),
  );
  await t.test('past the connection cap new sockets are dropped, and the server recovers once the hogs are cut', (t) =>
    hogs(t, server.url),
  );
});

async function trickling(t: Test, base: string) {
  const host = new URL(base).host;

  const body = trickle(
    base,
    `POST /api/v1/responses HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
    'x'.repeat(1000),
  );
  const headers = trickle(base, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n`, 'X-Slow: 1\r\n'.repeat(50));
  const idle = trickle(base, '', '');
  await new Promise((r) => setTimeout(r, 1_200));
  const during = await health(base);
  t.equal(during.status, 200, '/healthz answers while they hang on');
  t.ok(during.ms < 1_000, `in ${Math.round(during.ms)} ms`);

  const bodyCut = await body.closedAfter;
  t.ok(bodyCut >= REQUEST_TIMEOUT_MS - 100, `the trickled body stayed until its timeout (${Math.round(bodyCut)} ms)`);
  t.ok(bodyCut <= REQUEST_TIMEOUT_MS + SLACK_MS, 'and was cut within it');
  t.ok(body.sent() < 10, `after ${body.sent()} of 1000 bytes`);
  t.match(body.received(), /^HTTP\/1\.1 408 /, 'with a 408');
  const headersCut = await headers.closedAfter;
  t.ok(headersCut <= HEADERS_TIMEOUT_MS + SLACK_MS, `trickled headers cut after ${Math.round(headersCut)} ms`);
  t.notMatch(headers.received(), /^HTTP\/1\.1 200/, 'without ever being answered');
  const idleCut = await idle.closedAfter;
  t.ok(idleCut <= HEADERS_TIMEOUT_MS + SLACK_MS, `a silent connection cut after ${Math.round(idleCut)} ms`);
  t.equal((await health(base)).status, 200);
}

async function hogs(t: Test, base: string) {
  const hogs = Array.from({ length: MAX_CONNECTIONS }, () => trickle(base, '', ''));
  await new Promise((r) => setTimeout(r, 500));
  const refused = await health(base);
  t.not(refused.status, 200, `one past the cap is dropped (${refused.status})`);
  await Promise.all(hogs.map((h) => h.closedAfter));
  t.equal((await health(base)).status, 200, 'answers again once the idle hogs are cut');
}
