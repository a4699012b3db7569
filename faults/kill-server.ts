import { randomUUID } from 'node:crypto';
import type { Server } from './context.ts';
import { sleep } from './http.ts';
import { retryingLoad } from './load.ts';
import { type Scenario, stopServer } from './scenario.ts';

// The server killed with SIGKILL in the middle of the load, five times, and
// started again each time (as systemd or a container runtime would). Clients
// retry with the same submissionId until acknowledged: every acknowledged
// response must be stored, each exactly once, with all its answers.

const N = 2_000;
const KILLS = 5;

export const killServer: Scenario = {
  name: 'server kill -9 ×5',
  async run(ctx, say) {
    const desk = await ctx.desk();
    let server: Server = await ctx.startServer();
    const ids = Array.from({ length: N }, () => randomUUID());
    const load = retryingLoad({ ids, desk: desk.code, concurrency: 200, base: () => server.url, perSecond: 70 });
    let kills = 0;
    let midLoad = 0;
    const downSeconds: number[] = [];
    try {
      for (let i = 1; i <= KILLS; i++) {
        // Let the load run against this server before killing it.
        const acked = load.live.acknowledged.size;
        const until = performance.now() + 10_000;
        while (load.live.acknowledged.size < acked + 150 && performance.now() < until) await sleep(20);
        const killedAt = performance.now();
        if (load.live.acknowledged.size < N) midLoad++;
        await stopServer(server.child, 'SIGKILL');
        kills++;
        server = await ctx.startServer();
        const ready = performance.now();
        downSeconds.push((ready - killedAt) / 1000);
        say(
          `  kill ${i}/${KILLS}: acknowledged so far ${load.live.acknowledged.size}, restarted in ${((ready - killedAt) / 1000).toFixed(1)} s`,
        );
      }
    } catch (err) {
      load.stop();
      throw err;
    } finally {
      await load.done;
      await stopServer(server.child);
    }
    const r = await load.done;
    const stored = await ctx.stored(desk.id);
    const lost = [...r.acknowledged].filter((id) => !stored.ids.has(id)).length;
    return {
      name: this.name,
      target: 'acknowledged ⊆ stored, stored = N, duplicates = 0',
      figures: {
        N,
        kills,
        killsMidLoad: midLoad,
        acknowledged: r.acknowledged.size,
        stored: stored.responses,
        duplicates: stored.responses - stored.distinct,
        acknowledgedNotStored: lost,
        partial: stored.partial,
        retries: r.attempts - N,
        other5xx: r.other5xx,
        givenUp: r.givenUp,
        restartSecondsMax: Math.round(Math.max(...downSeconds) * 10) / 10,
      },
      pass:
        kills === KILLS &&
        midLoad === KILLS &&
        lost === 0 &&
        stored.responses === N &&
        stored.distinct === N &&
        stored.partial === 0 &&
        r.acknowledged.size === N &&
        r.other5xx === 0,
      notes: r.other5xxSamples,
    };
  },
};
