import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { request, sleep } from '../faults/http.ts';
import type { ClusterContext } from './context.ts';
import { submissionLoad } from './load.ts';
import type { Node } from './nodes.ts';

// What the replica and failover scenarios ask the nodes: the replica's state
// in /healthz, a report's headline count through the load balancer, and a
// few submissions to a desk of their own.

export interface ReplicaHealth {
  status: number;
  state?: string;
  reason?: string;
  lagSeconds?: number;
}

export async function replicaHealth(node: Node): Promise<ReplicaHealth> {
  const out = await request(node.url, { method: 'GET', path: '/healthz', timeoutMs: 5_000 });
  if (!out.reply) return { status: 0, reason: out.error };
  const body = JSON.parse(out.reply.body) as { replica?: Omit<ReplicaHealth, 'status'> };
  return { status: out.reply.status, ...body.replica };
}

/** Waits until every node's /healthz shows `state` (and a reason starting with `reason`); the seconds it took. */
export async function untilReplicaState(
  nodes: Node[],
  state: 'in use' | 'fallback',
  reason = '',
  timeoutMs = 30_000,
): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const all = await Promise.all(nodes.map(replicaHealth));
    if (all.every((h) => h.status === 200 && h.state === state && (h.reason ?? '').startsWith(reason))) {
      return Math.round(performance.now() - t0) / 1000;
    }
    if (performance.now() - t0 > timeoutMs) {
      throw new Error(`nodes did not reach replica state '${state} ${reason}': ${JSON.stringify(all)}`);
    }
    await sleep(100);
  }
}

/** Today in Vietnam, ± one day: the period of the scenario's own desk. */
function period() {
  const day = (offset: number) => new Date(Date.now() + 7 * 3_600_000 + offset * 86_400_000).toISOString().slice(0, 10);
  return { from: day(-1), to: day(1) };
}

/** The overall item's count in the report API (through the load balancer), or the failure as text. */
export async function reportCount(ctx: ClusterContext, unit: string): Promise<number | string> {
  const { from, to } = period();
  const out = await request(ctx.parts.balancer.url, {
    method: 'GET',
    path: `/api/v1/reports/satisfaction?unit=${unit}&from=${from}&to=${to}`,
    headers: { authorization: `Bearer ${ctx.managerKey}` },
    timeoutMs: 15_000,
  });
  if (out.reply?.status !== 200) return `${out.reply?.status ?? out.error} ${out.reply?.body.slice(0, 200) ?? ''}`;
  return (JSON.parse(out.reply.body) as { overall: { n: number } }).overall.n;
}

/** A desk of its own and its centre's code, for a report that counts only the scenario's submissions. */
export async function reportDesk(ctx: ClusterContext) {
  const desk = await ctx.desk();
  const row = await sql<{ code: string }>`
    select u.code from desk d join unit u on u.id = d.unit_id where d.id = ${desk.id}`.execute(ctx.db);
  return { ...desk, unit: row.rows[0]!.code };
}

/** Submits `n` responses to the desk through the load balancer; throws unless all are acknowledged. */
export async function submit(ctx: ClusterContext, desk: string, n: number) {
  const ids = Array.from({ length: n }, () => randomUUID());
  const r = await submissionLoad({
    base: ctx.parts.balancer.url,
    ids,
    desk,
    submitKey: ctx.submitKey,
    concurrency: 4,
  }).done;
  if (r.acknowledged.size !== n) throw new Error(`${r.acknowledged.size} of ${n} acknowledged: ${r.unexpected[0]}`);
}
