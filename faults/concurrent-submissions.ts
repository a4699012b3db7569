import { randomUUID } from 'node:crypto';
import { retryingLoad } from './load.ts';
import { type Scenario, stopServer } from './scenario.ts';

// N citizens submitting at once, each with a new submissionId, a few hundred
// requests in flight at a time: all stored once, none lost, no 5xx but the
// 503 that asks a client to come back.

const N = 2_000;
const IN_FLIGHT = 300;

export const concurrentSubmissions: Scenario = {
  name: 'concurrent submissions',
  async run(ctx, say) {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    const ids = Array.from({ length: N }, () => randomUUID());
    const t0 = performance.now();
    const r = await retryingLoad({ ids, desk: desk.code, concurrency: IN_FLIGHT, base: () => server.url }).done;
    const seconds = (performance.now() - t0) / 1000;
    say(`  ${N} submissions in ${seconds.toFixed(1)} s (${Math.round(N / seconds)}/s)`);
    await stopServer(server.child);
    const stored = await ctx.stored(desk.id);
    return {
      name: this.name,
      target: 'stored = N, duplicates = 0, 5xx other than 503 = 0',
      figures: {
        N,
        inFlight: IN_FLIGHT,
        stored: stored.responses,
        duplicates: stored.responses - stored.distinct,
        partial: stored.partial,
        '201': r.statuses['201'] ?? 0,
        '503': r.statuses['503'] ?? 0,
        other5xx: r.other5xx,
        networkErrors: r.networkErrors,
        perSecond: Math.round(N / seconds),
      },
      pass:
        stored.responses === N &&
        stored.distinct === N &&
        stored.partial === 0 &&
        r.other5xx === 0 &&
        r.acknowledged.size === N,
      notes: r.other5xxSamples,
    };
  },
};
