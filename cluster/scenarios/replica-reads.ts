import pg from 'pg';
import { sleep } from '../../faults/http.ts';
import { type ClusterContext, type ClusterScenario, DATABASE } from '../context.ts';
import { reportCount, reportDesk, submit, untilReplicaState } from '../replica-checks.ts';
import { REPLICA_MAX_LAG_SECONDS } from '../start.ts';

// Reports read from the streaming replica (issue 19, point 2), shown by
// making the replica and the primary disagree: with the replica's replay
// paused, new submissions are on the primary only, so a report that still
// counts the old number was read on the replica. Then the replica falls
// behind by more than REPLICA_MAX_LAG_SECONDS and the nodes read the primary
// (the new number); replay resumes and the replica is used again. Last, the
// replica is stopped (fast shutdown): /healthz on both nodes says fallback
// within moments and stays 200, reports keep answering with the primary's
// figures, both nodes log the switch; started again, it is used again.

const FIRST = 12;
const SECOND = 8;

async function onReplica<T>(ctx: ClusterContext, query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: ctx.parts.replica.url(DATABASE) });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function untilReplicated(ctx: ClusterContext, deskId: number, n: number, timeoutMs = 10_000) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const [row] = await onReplica<{ n: number }>(ctx, 'select count(*)::int as n from response where desk_id = $1', [
      deskId,
    ]);
    if (row?.n === n) return;
    if (performance.now() > until) throw new Error(`the replica has ${row?.n} of ${n} responses`);
    await sleep(100);
  }
}

export const replicaReads: ClusterScenario = {
  name: 'reports on the replica',
  async run(ctx, say) {
    const { nodes, replica } = ctx.parts;
    const desk = await reportDesk(ctx);
    await untilReplicaState(nodes, 'in use');
    await submit(ctx, desk.code, FIRST);
    await untilReplicated(ctx, desk.id, FIRST);
    const before = await reportCount(ctx, desk.unit);

    // Replay paused: what is submitted now reaches the primary only.
    await onReplica(ctx, 'select pg_wal_replay_pause()');
    await submit(ctx, desk.code, SECOND);
    const duringPause = await Promise.all(nodes.map(() => reportCount(ctx, desk.unit)));
    const replicaServed = duringPause.every((n) => n === FIRST);
    say(`  replay paused: reports count ${duringPause.join(', ')} (primary has ${FIRST + SECOND})`);
    const lagFallbackSeconds = await untilReplicaState(nodes, 'fallback', 'replica lagging', 30_000);
    const afterLag = await reportCount(ctx, desk.unit);
    await onReplica(ctx, 'select pg_wal_replay_resume()');
    const lagRecoverySeconds = await untilReplicaState(nodes, 'in use');
    say(
      `  lag fallback after ${lagFallbackSeconds} s (report: ${afterLag}); back in use after ${lagRecoverySeconds} s`,
    );

    // The replica stopped while reports are asked for all along.
    const asked: { at: number; result: number | string }[] = [];
    let asking = true;
    const asker = (async () => {
      while (asking) {
        const result = await reportCount(ctx, desk.unit);
        asked.push({ at: performance.now(), result });
        await sleep(50);
      }
    })();
    await replica.stop();
    const fallbackSeconds = await untilReplicaState(nodes, 'fallback', 'replica down', 15_000);
    const fallbackSeen = performance.now();
    await sleep(2_000);
    asking = false;
    await asker;
    const expected = FIRST + SECOND;
    const afterSwitch = asked.filter((a) => a.at > fallbackSeen);
    const reportsOkDuringFallback = afterSwitch.filter((a) => a.result === expected).length;
    const failedAtSwitch = asked.filter((a) => a.at <= fallbackSeen && a.result !== expected);
    const logged = nodes.filter((n) => n.output().includes('reports read from the primary: replica down')).length;
    say(`  replica stopped: fallback on both nodes in ${fallbackSeconds} s; ${asked.length} reports asked meanwhile`);

    await replica.start();
    const backInUseSeconds = await untilReplicaState(nodes, 'in use', '', 30_000);
    const afterRestart = await reportCount(ctx, desk.unit);
    say(`  replica started again: in use after ${backInUseSeconds} s`);
    return {
      name: this.name,
      target: `replica serves reports; lag > ${REPLICA_MAX_LAG_SECONDS} s and a stopped replica fall back, /healthz 200, reports right, switch logged`,
      figures: {
        replicaServed,
        reportBeforePause: before,
        reportDuringPause: duringPause.join(' '),
        primaryCount: expected,
        lagFallbackSeconds,
        reportAfterLagFallback: afterLag,
        fallbackSeconds,
        reportsOkDuringFallback: `${reportsOkDuringFallback}/${afterSwitch.length}`,
        reportErrorsAtSwitch: failedAtSwitch.filter((a) => typeof a.result === 'string').length,
        nodesLoggedFallback: logged,
        backInUseSeconds,
        reportAfterRestart: afterRestart,
      },
      pass:
        before === FIRST &&
        replicaServed &&
        afterLag === expected &&
        afterSwitch.length > 0 &&
        reportsOkDuringFallback === afterSwitch.length &&
        failedAtSwitch.length === 0 &&
        logged === nodes.length &&
        afterRestart === expected,
      notes: failedAtSwitch.slice(0, 3).map((a) => `at the switch: ${a.result}`),
    };
  },
};
