import { connect, type Db } from './connect.ts';
import { replicaStatus } from './replica-repository.ts';

// Reports, dashboards and exports read from a streaming replica when one is
// configured (DATABASE_REPLICA_URL), so that a heavy export never slows the
// citizens' submissions on the primary. The replica is checked every couple
// of seconds; while it is down, not in recovery or too far behind, the same
// reads go to the primary instead: an official gets a report a little more
// slowly rather than an error or stale figures. Only reads may come here: a
// replica refuses every write, so audit entries and settings stay on app.db.

const CHECK_EVERY_MS = 2_000;
const CHECK_TIMEOUT_MS = 2_000;
/** A lag must be seen this many checks in a row: a replica of an idle primary is "behind" for a moment after each commit. */
const LAGGING_CHECKS = 2;

export interface ReplicaState {
  state: 'in use' | 'fallback';
  reason?: string;
  lagSeconds?: number;
}

export interface ReportReads {
  /** The replica while it is healthy, else the primary. */
  db(): Db;
  /**
   * Runs `fn` on db(); when the replica was used and the connection was lost
   * under the read (the replica stopped mid-query), checks the replica again
   * and runs `fn` once more on the primary: the official gets the report, not
   * a 503. `fn` must only read.
   */
  read<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  state(): ReplicaState;
  /** Checks the replica now (the timer does it every couple of seconds). */
  check(): Promise<ReplicaState>;
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  url: string;
  maxLagSeconds: number;
  primary: Db;
  poolMax: number;
  log: (level: 'warn' | 'info', msg: string, detail: Record<string, unknown>) => void;
  everyMs?: number;
}

/** A connection lost or refused, or the server shutting down: not a fault of the query. */
function lostConnection(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e.code === 'string' && (/^(08|57P0)/.test(e.code) || /^E(CONN|PIPE|TIMEDOUT)/.test(e.code))) return true;
  return /connection (terminated|timeout)|terminating connection|Connection terminated/i.test(e.message ?? '');
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Opens the replica's pool, checks it once, and keeps checking until stop(). */
export async function watchReplica(o: ReplicaOptions): Promise<ReportReads> {
  let current: ReplicaState = { state: 'fallback', reason: 'replica not checked yet' };
  let laggingChecks = 0;
  let running: Promise<ReplicaState> | undefined;
  let stopped = false;
  let checks = 0;
  const replica = connect({
    url: o.url,
    poolMax: o.poolMax,
    applicationName: 'hai-long replica reads',
    // The replica shutting down ends its idle sessions: check at once
    // rather than let reports fail until the next tick.
    onPoolError: () => void check(),
  });

  const judge = async (): Promise<ReplicaState> => {
    let status: Awaited<ReturnType<typeof replicaStatus>>;
    try {
      status = await withTimeout(replicaStatus(replica), CHECK_TIMEOUT_MS);
    } catch {
      laggingChecks = 0;
      return { state: 'fallback', reason: 'replica down' };
    }
    if (!status.inRecovery) return { state: 'fallback', reason: 'replica is not in recovery' };
    // Without a WAL receiver nothing new arrives, yet received = replayed reads as no lag.
    if (!status.receiving) return { state: 'fallback', reason: 'replica is not receiving from the primary' };
    const lag = Math.round((status.lagSeconds ?? 0) * 10) / 10;
    if (lag <= o.maxLagSeconds) {
      laggingChecks = 0;
      return { state: 'in use', lagSeconds: lag };
    }
    laggingChecks += 1;
    if (laggingChecks < LAGGING_CHECKS && current.state === 'in use') return { state: 'in use', lagSeconds: lag };
    return { state: 'fallback', reason: `replica lagging ${Math.round(lag)} s`, lagSeconds: lag };
  };

  const apply = (next: ReplicaState) => {
    const first = checks++ === 0;
    const previous = current;
    current = next;
    if (stopped || (!first && previous.state === next.state)) return;
    // Once per switch, not every check: the log tells when reports moved and why.
    if (next.state === 'fallback') {
      o.log('warn', `reports read from the primary: ${next.reason}`, { replica: next });
    } else {
      o.log('info', 'reports read from the replica', { replica: next });
    }
  };

  const check = (): Promise<ReplicaState> => {
    if (stopped) return Promise.resolve(current);
    running ??= judge()
      .then((next) => {
        apply(next);
        return next;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  await check();
  const timer = setInterval(() => void check(), o.everyMs ?? CHECK_EVERY_MS);
  timer.unref();

  const db = () => (current.state === 'in use' ? replica : o.primary);
  return {
    db,
    async read(fn) {
      const chosen = db();
      if (chosen === o.primary) return fn(o.primary);
      try {
        return await fn(chosen);
      } catch (err) {
        if (!lostConnection(err)) throw err;
        void check();
        return fn(o.primary);
      }
    },
    state: () => current,
    check,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
      await replica.destroy();
    },
  };
}
