import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { submission } from './context.ts';
import { type Outcome, request, sleep } from './http.ts';
import type { Scenario } from './scenario.ts';

// SIGTERM (a deploy, a reboot) while citizens are submitting: every request
// sent before the signal gets a complete answer, later ones a 503 or a
// refused connection, and the process then closes its pool and exits 0.

const CLIENTS = 150;
const LOAD_BEFORE_MS = 2_000;
const LOAD_AFTER_MS = 1_500;

interface Sent {
  id: string;
  outcome: Outcome;
}

export const sigterm: Scenario = {
  name: 'SIGTERM under load',
  async run(ctx, say) {
    const desk = await ctx.desk();
    const server = await ctx.startServer();
    const exit = new Promise<{ code: number | null; at: number }>((resolve) =>
      server.child.once('exit', (code) => resolve({ code, at: performance.now() })),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const sent: Sent[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const client = async () => {
      while (performance.now() < stopAt) {
        const id = randomUUID();
        const outcome = await request(server.url, { ...submission(desk.code, id), timeoutMs: 20_000 }, agent);
        sent.push({ id, outcome });
        if (!outcome.reply) await sleep(20);
      }
    };
    const clients = Promise.all(Array.from({ length: CLIENTS }, client));
    await sleep(LOAD_BEFORE_MS);
    const signalAt = performance.now();
    server.child.kill('SIGTERM');
    stopAt = signalAt + LOAD_AFTER_MS;
    await clients;
    const exited = await Promise.race([exit, sleep(20_000).then(() => undefined)]);
    if (!exited) server.child.kill('SIGKILL');
    agent.destroy();

    const before = sent.filter((s) => s.outcome.sentAt !== undefined && s.outcome.sentAt < signalAt);
    const after = sent.filter((s) => !before.includes(s));
    const dropped = before.filter((s) => !s.outcome.reply);
    const status = (list: Sent[], test: (n: number) => boolean) =>
      list.filter((s) => s.outcome.reply && test(s.outcome.reply.status)).length;
    const acked = sent.filter((s) => s.outcome.reply && s.outcome.reply.status < 300).map((s) => s.id);
    const stored = await ctx.stored(desk.id);
    const lost = acked.filter((id) => !stored.ids.has(id)).length;
    const exitSeconds = exited ? (exited.at - signalAt) / 1000 : null;
    say(
      `  ${before.length} requests sent before the signal, ${dropped.length} dropped; exit ${exited?.code} after ${exitSeconds?.toFixed(1)} s`,
    );
    const other5xx = status(sent, (n) => n >= 500 && n !== 503);
    return {
      name: this.name,
      target: 'in-flight requests dropped = 0; new ones 503 or refused; exit 0 after the pool closes',
      figures: {
        sentBeforeSignal: before.length,
        droppedInFlight: dropped.length,
        before2xx: status(before, (n) => n < 300),
        before503: status(before, (n) => n === 503),
        after503: status(after, (n) => n === 503),
        afterRefused: after.filter((s) => s.outcome.error === 'ECONNREFUSED').length,
        afterCut: after.filter((s) => !s.outcome.reply && s.outcome.error !== 'ECONNREFUSED').length,
        after2xx: status(after, (n) => n < 300),
        other5xx,
        acknowledgedNotStored: lost,
        exitCode: exited?.code ?? null,
        exitSeconds: exitSeconds === null ? null : Math.round(exitSeconds * 10) / 10,
      },
      pass: dropped.length === 0 && before.length > 0 && other5xx === 0 && lost === 0 && exited?.code === 0,
      notes: dropped.slice(0, 3).map((d) => `dropped: ${d.outcome.error}`),
    };
  },
};
