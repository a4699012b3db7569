import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { ANSWER_ROWS } from '../../faults/context.ts';
import { sleep } from '../../faults/http.ts';
import { type ClusterScenario, DATABASE } from '../context.ts';
import { submissionLoad, tallyStored } from '../load.ts';
import { execSql, type Postgres } from '../postgres.ts';
import { untilStreaming } from '../replica.ts';
import { untilReplicaState } from '../replica-checks.ts';

// Failover (issue 19, point 5): the primary dies (SIGQUIT, PostgreSQL's
// immediate shutdown, as `pg_ctl stop -m immediate`: no checkpoint, as in a
// crash) while submissions flow through the load balancer; the replica is
// promoted and PgBouncer, the nodes' one address of the primary, is pointed
// at it and reloaded. The drill reports the seconds without writes and
// checks that every acknowledged submission is on the new primary.
//
// Synchronous replication is turned on for this drill only. With
// asynchronous replication a crash can lose the last commits the primary
// acknowledged but had not yet sent; synchronous, a commit is acknowledged
// only once the replica has it on disk. The price, with one replica: when
// the replica stops, writes stop too. In production, two replicas and
// Patroni's synchronous_mode (docs/deployment.md, docs/patroni.yml).
//
// It leaves the cluster without a replica (the old one is the primary), so
// it runs last; the nodes' replica check then says "not in recovery".

const SUBMISSIONS = 900;
const CONCURRENCY = 6;
const PER_SECOND = 60;
const KILL_AT = 200;

async function untilSynchronous(primary: Postgres, timeoutMs = 15_000) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: primary.url('postgres') });
    await client.connect();
    const { rowCount } = await client
      .query(`select 1 from pg_stat_replication where sync_state = 'sync'`)
      .finally(() => client.end());
    if (rowCount) return;
    if (performance.now() > until) throw new Error('the replica did not become synchronous');
    await sleep(100);
  }
}

export const failover: ClusterScenario = {
  name: 'failover to the replica',
  async run(ctx, say) {
    const { primary, replica, bouncer, nodes } = ctx.parts;
    await untilStreaming(primary);
    await execSql(primary.url('postgres'), [
      `alter system set synchronous_standby_names = '*'`,
      'select pg_reload_conf()',
    ]);
    await untilSynchronous(primary);
    const desk = await ctx.desk();
    const ids = Array.from({ length: SUBMISSIONS }, () => randomUUID());
    const load = submissionLoad({
      base: ctx.parts.balancer.url,
      ids,
      desk: desk.code,
      submitKey: ctx.submitKey,
      concurrency: CONCURRENCY,
      perSecond: PER_SECOND,
      deadlineMs: 120_000,
    });
    const end = performance.now() + 60_000;
    while (load.live.acknowledged.size < KILL_AT && performance.now() < end) await sleep(5);
    const ackedAtKill = load.live.acknowledged.size;

    const exited = new Promise<void>((resolve) => primary.daemon.child.once('exit', () => resolve()));
    primary.daemon.child.kill('SIGQUIT');
    const killedAt = performance.now();
    await exited;
    const promoted = replica.server();
    await execSql(promoted.url('postgres'), ['select pg_promote(true, 60)']);
    const promotedMs = Math.round(performance.now() - killedAt);
    bouncer.repoint(promoted);
    const repointedMs = Math.round(performance.now() - killedAt);
    say(`  primary killed at ${ackedAtKill} acknowledged; promoted in ${promotedMs} ms, PgBouncer reloaded`);
    await ctx.usePrimary(promoted.url(DATABASE));

    const r = await load.done;
    // The first acknowledgement of a submission first sent after the kill:
    // an answer to one sent before could be a commit the old primary made.
    const firstAfter = Math.min(...r.acks.filter((a) => a.firstSentAt > killedAt).map((a) => a.at));
    const secondsWithoutWrites = Number.isFinite(firstAfter) ? Math.round(firstAfter - killedAt) / 1000 : null;
    const rows = await sql<{ submission_id: string; answers: number; at: Date }>`
      select r.submission_id, r.submitted_at as at,
        (select count(*)::int from answer x where x.response_id = r.id) as answers
      from response r where r.desk_id = ${desk.id} order by r.submitted_at`.execute(ctx.db);
    const { lost, duplicates, partial, statuses } = tallyStored(r, rows.rows, ANSWER_ROWS);
    // The same gap as the database saw it: the longest pause between two stored submissions.
    let longestGapMs = 0;
    for (let i = 1; i < rows.rows.length; i++) {
      longestGapMs = Math.max(longestGapMs, rows.rows[i]!.at.getTime() - rows.rows[i - 1]!.at.getTime());
    }
    // The replica the nodes read is now a primary: reports go to PgBouncer's primary.
    const replicaCheck = await untilReplicaState(nodes, 'fallback', 'replica is not in recovery', 10_000).then(
      () => 'fallback: not in recovery',
      (err: Error) => err.message.slice(0, 200),
    );
    return {
      name: this.name,
      target: 'lost = 0, duplicates = 0, every submission acknowledged, writes back within 30 s',
      figures: {
        submissions: SUBMISSIONS,
        perSecond: PER_SECOND,
        replication: 'synchronous',
        acknowledgedAtKill: ackedAtKill,
        promotedMs,
        repointedMs,
        secondsWithoutWrites,
        longestGapInDatabaseSeconds: longestGapMs / 1000,
        acknowledged: r.acknowledged.size,
        rows: rows.rows.length,
        lost,
        duplicates,
        partial,
        retries: r.retries,
        givenUp: r.givenUp,
        nodesReplicaCheck: replicaCheck,
        statuses,
      },
      pass:
        ackedAtKill < SUBMISSIONS &&
        lost === 0 &&
        duplicates === 0 &&
        partial === 0 &&
        r.acknowledged.size === SUBMISSIONS &&
        rows.rows.length === SUBMISSIONS &&
        secondsWithoutWrites !== null &&
        secondsWithoutWrites < 30 &&
        r.unexpected.length === 0,
      notes: r.unexpected,
    };
  },
};
