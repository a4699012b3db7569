import net from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { connect } from '../server/platform/db/connect.ts';
import { submission } from './context.ts';
import { request } from './http.ts';
import { type Scenario, stopServer } from './scenario.ts';

// The settings the other scenarios rely on, read through the application's
// own connect(): synchronous_commit stays on (a COMMIT is on disk before the
// 2xx), a stuck statement and an abandoned transaction are ended by the
// server, and a database that accepts the TCP connection but never answers
// fails a request within the connection timeout instead of hanging it. And
// through a real server: a statement stuck behind a lock is ended by the
// statement timeout and answered 503 + Retry-After, not held open forever.

export const guarantees: Scenario = {
  name: 'durability and timeouts',
  async run(ctx) {
    const db = connect({ url: ctx.url, poolMax: 1 });
    const show = async (name: string) =>
      (await sql<{ setting: string }>`select current_setting(${name}) as setting`.execute(db)).rows[0]!.setting;
    let settings: Record<string, string>;
    try {
      settings = {
        synchronous_commit: await show('synchronous_commit'),
        fsync: await show('fsync'),
        statement_timeout: await show('statement_timeout'),
        idle_in_transaction_session_timeout: await show('idle_in_transaction_session_timeout'),
      };
    } finally {
      await db.destroy();
    }
    // A listener that accepts connections and never says a word.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const stuck = connect({ url: `postgres://u:p@127.0.0.1:${port}/x`, poolMax: 1 });
    const t0 = performance.now();
    const error = await sql`select 1`.execute(stuck).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    const connectSeconds = Math.round((performance.now() - t0) / 100) / 10;
    await stuck.destroy();
    silent.close();
    const stuckStatement = await stuckBehindLock(ctx);
    return {
      name: this.name,
      target: 'synchronous_commit on; statement, idle-in-transaction and connection timeouts set and working',
      figures: { ...settings, silentDatabaseFailsAfterSeconds: connectSeconds, ...stuckStatement },
      pass:
        settings.synchronous_commit === 'on' &&
        settings.fsync === 'on' &&
        settings.statement_timeout !== '0' &&
        settings.idle_in_transaction_session_timeout !== '0' &&
        error !== 'answered' &&
        connectSeconds <= 10 &&
        stuckStatement.stuckStatus === 503 &&
        stuckStatement.stuckRetryAfter &&
        stuckStatement.afterwardsStatus === 201,
      notes: [`silent database: ${error}`],
    };
  },
};

/** A submission whose INSERT waits on a lock held elsewhere, then the same one once the lock is gone. */
async function stuckBehindLock(ctx: Parameters<Scenario['run']>[0]) {
  const desk = await ctx.desk();
  const server = await ctx.startServer();
  const holder = new pg.Client({ connectionString: ctx.url, application_name: 'hl-faults-lock' });
  await holder.connect();
  try {
    await holder.query('begin');
    await holder.query('lock table response in access exclusive mode');
    const spec = submission(desk.code);
    const t0 = performance.now();
    const stuck = await request(server.url, { ...spec, timeoutMs: 60_000 });
    const stuckSeconds = Math.round((performance.now() - t0) / 100) / 10;
    await holder.query('rollback');
    const afterwards = await request(server.url, spec);
    return {
      stuckStatus: stuck.reply?.status ?? null,
      stuckRetryAfter: Boolean(stuck.reply?.headers['retry-after']),
      stuckSeconds,
      afterwardsStatus: afterwards.reply?.status ?? null,
    };
  } finally {
    await holder.end();
    await stopServer(server.child);
  }
}
