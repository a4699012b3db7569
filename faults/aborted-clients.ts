import { randomUUID } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { ANSWERS, submission, submitAuth } from './context.ts';
import { pool, request, sleep } from './http.ts';
import { retryingLoad } from './load.ts';
import { type Scenario, stopServer } from './scenario.ts';

// Phones that lose the connection half-way through sending, 500 times, while
// every submission is stuck (ODK Central's pool jams on exactly this and
// accepts nothing until restarted). A lock held by the suite makes every
// submission transaction wait. Submissions go through the group commit
// (server/features/submission/submission-batcher.ts): the stuck ones hold one pool
// connection per lane and wait in memory, so the rest of the pool must stay
// free for everything else (a health check during the lock). After the lock
// goes, no connection may be left "idle in transaction", every acknowledged
// submission is stored and a normal submission still succeeds.

const HALF_SENT = 500;
/** Bodies sent in full and the connection cut before the answer: a second way to vanish. */
const CUT_BEFORE_ANSWER = 250;
/** The server's DB_POOL_MAX default. */
const POOL_MAX = 10;
/** Group-commit lanes (submission-batcher.ts): at most this many connections wait on the lock. */
const LANES = 2;

function rawPost(
  base: string,
  path: string,
  contentType: string,
  body: string,
  sendBytes: number,
  holdMs: number,
  extraHeaders = '',
) {
  const url = new URL(base);
  return new Promise<void>((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const bytes = Buffer.from(body);
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${contentType}\r\nContent-Length: ${bytes.length}\r\n${extraHeaders}\r\n`,
      );
      socket.write(bytes.subarray(0, sendBytes));
      setTimeout(() => socket.destroy(), holdMs);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

function cut(base: string, desk: string, full: boolean, form: boolean) {
  const submissionId = randomUUID();
  const answers = Object.fromEntries(Object.entries(ANSWERS).map(([k, v]) => [k, String(v)]));
  const [path, type, body] = form
    ? [`/q/${desk}`, 'application/x-www-form-urlencoded', new URLSearchParams({ ...answers, submissionId }).toString()]
    : ['/api/v1/responses', 'application/json', JSON.stringify({ desk, answers: ANSWERS, submissionId })];
  const bytes = Buffer.byteLength(body);
  const auth = form ? '' : `Authorization: ${submitAuth()}\r\n`;
  return rawPost(base, path, type, body, full ? bytes : Math.floor(bytes / 2), 5 + Math.random() * 40, auth);
}

export const abortedClients: Scenario = {
  name: 'aborted clients ×500',
  async run(ctx, say) {
    const [busy, half, whole] = [await ctx.desk(), await ctx.desk(), await ctx.desk()];
    const server = await ctx.startServer();
    const probe = new pg.Client({ connectionString: ctx.cluster.adminUrl, application_name: 'hl-faults-probe' });
    const locker = new pg.Client({ connectionString: ctx.url, application_name: 'hl-faults-lock' });
    await Promise.all([probe.connect(), locker.connect()]);
    const count = async (condition: string) =>
      (
        await probe.query(`select count(*)::int as n from pg_stat_activity
          where datname = 'hl_faults' and application_name = 'hai-long' and ${condition}`)
      ).rows[0].n as number;
    try {
      await locker.query('begin');
      await locker.query('lock table response in exclusive mode');
      const load = retryingLoad({
        ids: Array.from({ length: 600 }, () => randomUUID()),
        desk: busy.code,
        concurrency: 200,
        base: () => server.url,
      });
      const until = performance.now() + 5_000;
      while ((await count(`wait_event_type = 'Lock'`)) < 1 && performance.now() < until) await sleep(20);
      await sleep(300);
      const blockedBefore = await count(`wait_event_type = 'Lock'`);
      const jobs = [
        ...Array.from({ length: HALF_SENT }, (_, i) => ({ desk: half.code, full: false, form: i % 2 === 1 })),
        ...Array.from({ length: CUT_BEFORE_ANSWER }, (_, i) => ({ desk: whole.code, full: true, form: i % 2 === 1 })),
      ];
      const t0 = performance.now();
      await pool(jobs, 50, (job) => cut(server.url, job.desk, job.full, job.form));
      const cutSeconds = (performance.now() - t0) / 1000;
      const blockedAfter = await count(`wait_event_type = 'Lock'`);
      const health = await request(server.url, { method: 'GET', path: '/healthz', timeoutMs: 5_000 });
      await locker.query('rollback');
      say(
        `  ${jobs.length} connections cut in ${cutSeconds.toFixed(1)} s with ${blockedBefore}→${blockedAfter} of ${POOL_MAX} pool connections blocked; health check ${health.reply?.status ?? health.error}`,
      );
      const r = await load.done;
      await sleep(500);
      // The measurement itself must be able to see a stuck connection.
      const stuck = new pg.Client({ connectionString: ctx.url, application_name: 'hai-long' });
      await stuck.connect();
      await stuck.query('begin');
      await stuck.query('select 1');
      const probeSeesStuck = (await count(`state like 'idle in transaction%'`)) === 1;
      await stuck.end();
      await sleep(200);
      const idleInTransaction = await count(`state like 'idle in transaction%'`);
      const storedBusy = await ctx.stored(busy.id);
      const after = await request(server.url, submission(busy.code));
      // Seen once under a loaded machine (ECONNREFUSED) and never again: say what the server did.
      if (after.error) {
        const { exitCode, signalCode } = server.child;
        say(`  the server did not answer (${after.error}); exit ${exitCode}, signal ${signalCode}; its last output:`);
        say(server.output().slice(-3000));
      }
      const storedHalf = await ctx.stored(half.id);
      const lost = [...r.acknowledged].filter((id) => !storedBusy.ids.has(id)).length;
      return {
        name: this.name,
        target:
          'stuck submissions hold at most one connection per lane; no connection idle in transaction afterwards; a normal submission still succeeds',
        figures: {
          halfSentThenCut: HALF_SENT,
          cutBeforeAnswer: CUT_BEFORE_ANSWER,
          poolConnectionsBlocked: `${blockedBefore}→${blockedAfter} of ${POOL_MAX}`,
          healthDuringLock: health.reply?.status ?? health.error ?? 'none',
          probeSeesStuckTransaction: probeSeesStuck,
          idleInTransaction,
          submissionAfterwards: after.reply?.status ?? after.error ?? 'none',
          storedFromHalfSent: storedHalf.responses,
          concurrentLoadStored: storedBusy.responses,
          acknowledgedNotStored: lost,
          other5xx: r.other5xx,
        },
        pass:
          blockedBefore >= 1 &&
          blockedBefore <= LANES &&
          blockedAfter >= 1 &&
          health.reply?.status === 200 &&
          probeSeesStuck &&
          idleInTransaction === 0 &&
          after.reply?.status === 201 &&
          storedHalf.responses === 0 &&
          storedBusy.responses === 600 &&
          lost === 0 &&
          r.other5xx === 0,
      };
    } finally {
      await Promise.all([probe.end(), locker.end()]);
      await stopServer(server.child);
    }
  },
};
