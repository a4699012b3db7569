import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Db } from '../../platform/db/connect.ts';
import {
  findOpenInvitation,
  INVITATION_CHANNEL,
  newestOpenInvitations,
  type OpenInvitation,
} from './kiosk-invitation-repository.ts';

// The tablets waiting for an invitation in this process, and what wakes
// them. The invitation may be made on another server process than the one
// holding the tablet's request, so every process LISTENs on one dedicated
// PostgreSQL connection of its own (not a pool client: a pooled connection
// would be handed to other work, and LISTEN belongs to a session). The
// connection is opened at the first wait, not at start-up, so a process no
// tablet talks to holds none. A notification can still be missed (the
// connection drops, the server restarts), so while anyone waits the
// database is also asked every `recheckMs`, one query for all waiting
// desks; that tick reconnects the listener too.

export interface WaitSettings {
  /** How long a request is held before an empty answer: below proxies' and our idle timeouts. */
  holdMs: number;
  /** The re-check of the database in case a notification was missed. */
  recheckMs: number;
  /** Waiting requests this process holds at most; more are told to come back later. */
  maxWaiting: number;
}

export const DEFAULT_WAIT: WaitSettings = { holdMs: 25_000, recheckMs: 4_000, maxWaiting: 2_000 };

interface Waiter {
  deskId: number;
  deviceId: number;
  after: number;
  /** Look again in the database: something may have arrived. */
  wake(): void;
  /** Answer now (null: nothing yet). */
  end(result: OpenInvitation | null): void;
}

export type WaitResult = OpenInvitation | null | 'busy';

export class InvitationWaits {
  readonly settings: WaitSettings;
  readonly #db: Db;
  readonly #log: FastifyBaseLogger;
  readonly #url: () => Promise<string>;
  readonly #byDesk = new Map<number, Set<Waiter>>();
  readonly #byDevice = new Map<number, Waiter>();
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #tick: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(opts: { db: Db; log: FastifyBaseLogger; url: () => Promise<string>; settings?: Partial<WaitSettings> }) {
    this.#db = opts.db;
    this.#log = opts.log;
    this.#url = opts.url;
    this.settings = { ...DEFAULT_WAIT, ...opts.settings };
  }

  get waiting(): number {
    return this.#byDevice.size;
  }

  /** Whether this process is listening now (for tests and diagnostics). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /**
   * The desk's open invitation newer than `after`, as soon as there is one;
   * null after the hold time, on `signal` (the client went away) or when
   * the app closes; 'busy' when this process already holds its maximum.
   */
  wait(q: { deskId: number; deviceId: number; after: number }, signal: AbortSignal): Promise<WaitResult> {
    if (this.#closed || signal.aborted) return Promise.resolve(null);
    // A tablet waits once: its newer request (a reload, a retry) replaces the older one.
    this.#byDevice.get(q.deviceId)?.end(null);
    if (this.#byDevice.size >= this.settings.maxWaiting) return Promise.resolve('busy');
    return new Promise<WaitResult>((resolve) => {
      let done = false;
      let checking = false;
      let again = false;
      const finish = (result: OpenInvitation | null) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#remove(waiter);
        resolve(result);
      };
      // Wakes that come while a query runs are folded into one more query after it.
      const check = async () => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            const found = await findOpenInvitation(this.#db, q.deskId, q.after);
            if (found) finish(found);
          } while (again && !done);
        } catch (err) {
          // The next wake or tick asks again; the tablet's hold just runs on.
          this.#log.warn({ err: (err as Error).message }, 'kiosk invitation check failed');
        } finally {
          checking = false;
        }
      };
      const waiter: Waiter = {
        ...q,
        wake: () => {
          if (!done) void check();
        },
        end: finish,
      };
      const onAbort = () => finish(null);
      const timer = setTimeout(() => finish(null), this.settings.holdMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#add(waiter);
      // Registered first, then looked up: whatever commits after LISTEN wakes
      // it, whatever committed before this query is found by it. Until the
      // listener is up, look again once it is.
      waiter.wake();
      if (!this.#client) void this.#listen().then(() => waiter.wake());
    });
  }

  /** Answers every waiting request (empty) and drops the connection: the app is closing. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of [...this.#byDevice.values()]) w.end(null);
    clearInterval(this.#tick);
    this.#tick = undefined;
    // A connection being opened sees #closed and ends itself.
    await this.#connecting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #add(w: Waiter) {
    this.#byDevice.set(w.deviceId, w);
    let desk = this.#byDesk.get(w.deskId);
    if (!desk) {
      desk = new Set();
      this.#byDesk.set(w.deskId, desk);
    }
    desk.add(w);
    if (!this.#tick) {
      this.#tick = setInterval(() => void this.#recheck(), this.settings.recheckMs);
      this.#tick.unref();
    }
  }

  #remove(w: Waiter) {
    if (this.#byDevice.get(w.deviceId) === w) this.#byDevice.delete(w.deviceId);
    const desk = this.#byDesk.get(w.deskId);
    desk?.delete(w);
    if (desk?.size === 0) this.#byDesk.delete(w.deskId);
    if (this.#byDesk.size === 0) {
      clearInterval(this.#tick);
      this.#tick = undefined;
    }
  }

  #wakeDesk(deskId: number, newest = Number.POSITIVE_INFINITY) {
    for (const w of this.#byDesk.get(deskId) ?? []) if (w.after < newest) w.wake();
  }

  /** The fallback: one query for every desk with a waiting tablet, and the listener back if it dropped. */
  async #recheck() {
    if (!this.#client) void this.#listen();
    try {
      const newest = await newestOpenInvitations(this.#db, [...this.#byDesk.keys()]);
      for (const [deskId, id] of newest) this.#wakeDesk(deskId, id);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'kiosk invitation re-check failed');
    }
  }

  /** Opens the listening connection if none is open or opening; never rejects. */
  #listen(): Promise<void> {
    if (this.#client || this.#closed) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    let client: pg.Client | undefined;
    try {
      client = new pg.Client({
        connectionString: await this.#url(),
        application_name: 'hai-long-kiosk-listen',
        connectionTimeoutMillis: 5_000,
        // A connection that died without a word is noticed, and reopened by the tick.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      });
      const c = client;
      c.on('notification', (msg) => {
        if (msg.channel === INVITATION_CHANNEL) this.#wakeDesk(Number(msg.payload));
      });
      c.on('error', (err) => this.#drop(c, err));
      c.on('end', () => this.#drop(c));
      await c.connect();
      await c.query(`listen ${INVITATION_CHANNEL}`);
      if (this.#closed) {
        await c.end().catch(() => {});
        return;
      }
      this.#client = c;
      // Anything made while no connection listened was not announced: look for it.
      for (const deskId of this.#byDesk.keys()) this.#wakeDesk(deskId);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'kiosk invitation listener could not connect');
      await client?.end().catch(() => {});
    }
  }

  #drop(client: pg.Client, err?: Error) {
    if (this.#client !== client) return;
    this.#client = undefined;
    if (err && !this.#closed) this.#log.warn({ err: err.message }, 'kiosk invitation listener lost its connection');
    void client.end().catch(() => {});
  }
}
