import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { ANSWER_ROWS } from '../../faults/context.ts';
import { sleep } from '../../faults/http.ts';
import { untilState } from '../balancer.ts';
import type { ClusterScenario } from '../context.ts';
import { submissionLoad, tallyStored } from '../load.ts';

// Node A killed with SIGKILL while submissions flow through the load balancer,
// then started again while they still flow, and taken back by HAProxy once
// its /healthz answers. Every acknowledged submissionId must be stored
// exactly once with all its answers: nothing acknowledged is lost, nothing
// retried is stored twice.

const SUBMISSIONS = 1_200;
const CONCURRENCY = 6;
// Paced so that the load outlasts the node's restart (5–10 s here) and the
// rejoined node takes part again: 20 s of load, the kill after 5 s.
const PER_SECOND = 60;
const KILL_AT = 300;

/** Session-level advisory locks the app takes at start (see the report of issue 19's first part). */
const LOCK_NAMES: Record<string, string> = {
  '3853314791062309107': "Kysely's migration lock (migrateToLatest)",
  '77684461': 'the first-start lock (server/setup.ts)',
};

export const nodeKill: ClusterScenario = {
  name: 'node killed mid-load',
  async run(ctx, say) {
    const [a] = ctx.parts.nodes;
    const { balancer } = ctx.parts;
    const desk = await ctx.desk();
    const ids = Array.from({ length: SUBMISSIONS }, () => randomUUID());
    const load = submissionLoad({
      base: balancer.url,
      ids,
      desk: desk.code,
      submitKey: ctx.submitKey,
      concurrency: CONCURRENCY,
      perSecond: PER_SECOND,
    });
    const acked = () => load.live.acknowledged.size;
    const end = performance.now() + 60_000;
    while (acked() < KILL_AT && performance.now() < end) await sleep(5);
    const ackedAtKill = acked();
    await a.kill();
    const killedAt = performance.now();
    await untilState(balancer, [a.name], 'DOWN');
    const downAfterMs = Math.round(performance.now() - killedAt);
    say(`  ${a.name} killed after ${ackedAtKill} acknowledged; HAProxy marked it DOWN in ${downAfterMs} ms`);
    await a.start();
    await untilState(balancer, [a.name], 'UP');
    const ackedAtRejoin = acked();
    const servedBefore = (await balancer.states())[a.name]?.sessions ?? 0;
    say(`  ${a.name} back in ${Math.round(performance.now() - killedAt)} ms, at ${ackedAtRejoin} acknowledged`);
    const r = await load.done;
    const servedAfterRejoin = ((await balancer.states())[a.name]?.sessions ?? 0) - servedBefore;
    const rows = await sql<{ submission_id: string; answers: number }>`
      select r.submission_id, (select count(*)::int from answer x where x.response_id = r.id) as answers
      from response r where r.desk_id = ${desk.id}`.execute(ctx.db);
    const { lost, duplicates, partial, statuses } = tallyStored(r, rows.rows, ANSWER_ROWS);
    // Node A's start ran its migration check and first-start work through
    // PgBouncer while B kept it busy: a session lock taken there could stay.
    const locks = await sql<{ key: string; holder: string }>`
      select ((l.classid::bigint << 32) | l.objid::bigint)::text as key, coalesce(a.application_name, '') as holder
      from pg_locks l left join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted`.execute(ctx.db);
    const advisoryLocksLeft = locks.rows.length;
    return {
      name: this.name,
      target: 'lost = 0, duplicates = 0, rows = acknowledged = submissions, no advisory lock left',
      figures: {
        submissions: SUBMISSIONS,
        concurrency: CONCURRENCY,
        perSecond: PER_SECOND,
        acknowledgedAtKill: ackedAtKill,
        markedDownMs: downAfterMs,
        acknowledgedAtRejoin: ackedAtRejoin,
        servedByAAfterRejoin: servedAfterRejoin,
        acknowledged: r.acknowledged.size,
        rows: rows.rows.length,
        lost,
        duplicates,
        partial,
        retries: r.retries,
        givenUp: r.givenUp,
        advisoryLocksLeft,
        statuses,
      },
      pass:
        ackedAtKill < SUBMISSIONS &&
        lost === 0 &&
        duplicates === 0 &&
        partial === 0 &&
        rows.rows.length === r.acknowledged.size &&
        r.acknowledged.size === SUBMISSIONS &&
        advisoryLocksLeft === 0 &&
        r.unexpected.length === 0,
      notes: [
        ...r.unexpected,
        ...locks.rows.map((l) => `advisory lock ${LOCK_NAMES[l.key] ?? l.key} still held by '${l.holder}'`),
      ],
    };
  },
};
