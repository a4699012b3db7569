import { randomUUID } from 'node:crypto';
import { sleep } from './http.ts';
import { retryingLoad } from './load.ts';
import { loggedFailures, type Scenario, stopServer } from './scenario.ts';

// PostgreSQL stopped as a crash stops it (pg_ctl -m immediate) and started
// again, five times while citizens keep submitting. The server process must
// live through it (same pid), answer 503 + Retry-After while the database is
// away rather than hang or crash, and recover by itself.

const N = 2_000;
const RESTARTS = 5;
const DOWN_MS = 1_500;

export const restartDatabase: Scenario = {
  name: 'database restarted ×5',
  async run(ctx, say) {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    const pid = server.child.pid;
    let exited = false;
    server.child.once('exit', () => (exited = true));
    const ids = Array.from({ length: N }, () => randomUUID());
    const load = retryingLoad({ ids, desk: desk.code, concurrency: 200, base: () => server.url, perSecond: 60 });

    const recoverSeconds: number[] = [];
    let restarts = 0;
    let midLoad = 0;
    for (let i = 1; i <= RESTARTS; i++) {
      await sleep(1_500);
      if (load.live.acknowledged.size < N) midLoad++;
      await ctx.cluster.crash();
      await sleep(DOWN_MS);
      await ctx.cluster.start();
      restarts++;
      // Recovery: from the database accepting connections to the server's first 2xx.
      const ready = performance.now();
      const until = ready + 30_000;
      let firstAck: number | undefined;
      while (!firstAck && !exited && performance.now() < until) {
        firstAck = load.live.ackTimes.find((t) => t > ready);
        if (!firstAck) await sleep(20);
      }
      const seconds = firstAck ? (firstAck - ready) / 1000 : Number.POSITIVE_INFINITY;
      recoverSeconds.push(seconds);
      say(`  restart ${i}/${RESTARTS}: server ${exited ? 'DIED' : 'alive'}, first 2xx after ${seconds.toFixed(2)} s`);
      if (exited) {
        load.stop();
        break;
      }
    }
    const r = await load.done;
    const stored = await ctx.stored(desk.id);
    const lost = [...r.acknowledged].filter((id) => !stored.ids.has(id)).length;
    const alive = !exited && server.child.pid === pid;
    await stopServer(server.child);
    const recoverMax = Math.max(...recoverSeconds);
    return {
      name: this.name,
      target: 'no server crash, acknowledged ⊆ stored, stored = N, duplicates = 0, recovers by itself',
      figures: {
        N,
        restarts,
        restartsMidLoad: midLoad,
        serverCrashed: !alive,
        acknowledged: r.acknowledged.size,
        stored: stored.responses,
        duplicates: stored.responses - stored.distinct,
        acknowledgedNotStored: lost,
        partial: stored.partial,
        '503': r.statuses['503'] ?? 0,
        '503WithoutRetryAfter': r.unavailableWithoutRetryAfter,
        other5xx: r.other5xx,
        networkErrors: r.networkErrors,
        slowestAttemptSeconds: round(r.slowestMs / 1000),
        recoverSecondsMean: round(recoverSeconds.reduce((a, b) => a + b, 0) / recoverSeconds.length),
        recoverSecondsMax: round(recoverMax),
      },
      pass:
        alive &&
        restarts === RESTARTS &&
        midLoad === RESTARTS &&
        lost === 0 &&
        stored.responses === N &&
        stored.distinct === N &&
        stored.partial === 0 &&
        r.other5xx === 0 &&
        r.unavailableWithoutRetryAfter === 0 &&
        Number.isFinite(recoverMax),
      notes: [
        ...loggedFailures(server.output()),
        ...(alive ? [] : [`server output:\n${server.output().slice(-3000)}`]),
      ],
    };
  },
};

const round = (x: number) => Math.round(x * 100) / 100;
