import { createHash } from 'node:crypto';

// Guesses at pairing codes, counted per client address and for the whole
// process. A code has 31^8 ≈ 8.5 × 10^11 values and lives ten minutes, and a
// desk has at most 20 open at once: at 10 guesses per address per window the
// chance of hitting one is negligible, and the process-wide ceiling bounds
// what many addresses together can try. A guess is counted when it starts
// (and forgiven if it pairs), so guesses sent in parallel count each other,
// as the sign-in's reservations do. Per process and in memory: a restart
// forgets the counts, which only gives back a window's guesses. Addresses
// are kept hashed, and only for the window.

export const PAIR_WINDOW_MS = 10 * 60_000;
export const PAIR_GUESSES_PER_CLIENT = 10;
export const PAIR_GUESSES_PER_PROCESS = 300;
const MAX_CLIENTS = 20_000;

interface Count {
  n: number;
  since: number;
}

export type PairReservation = { ok: true; client: string } | { ok: false; retryAfterSeconds: number };

export class PairThrottle {
  private readonly clients = new Map<string, Count>();
  private all: Count = { n: 0, since: 0 };

  constructor(
    private readonly perClient = PAIR_GUESSES_PER_CLIENT,
    private readonly perProcess = PAIR_GUESSES_PER_PROCESS,
    private readonly windowMs = PAIR_WINDOW_MS,
  ) {}

  private fresh(c: Count | undefined, now: number): Count {
    return c && now - c.since < this.windowMs ? c : { n: 0, since: now };
  }

  /** Counts a guess from this address, or says how long to wait. */
  reserve(address: string, now = Date.now()): PairReservation {
    const client = createHash('sha256').update(`kiosk-pair/${address}`).digest('base64url').slice(0, 22);
    const mine = this.fresh(this.clients.get(client), now);
    this.all = this.fresh(this.all, now);
    const full = [mine, this.all].find((c, i) => c.n >= (i === 0 ? this.perClient : this.perProcess));
    if (full) return { ok: false, retryAfterSeconds: Math.ceil((full.since + this.windowMs - now) / 1000) };
    mine.n += 1;
    this.all.n += 1;
    this.clients.set(client, mine);
    if (this.clients.size > MAX_CLIENTS) this.prune(now);
    return { ok: true, client };
  }

  /** A guess that paired a tablet was no guess: it stops counting. */
  forgive(client: string): void {
    const mine = this.clients.get(client);
    if (mine && mine.n > 0) mine.n -= 1;
    if (this.all.n > 0) this.all.n -= 1;
  }

  private prune(now: number): void {
    for (const [k, c] of this.clients) if (now - c.since >= this.windowMs) this.clients.delete(k);
    // Still full within one window: the process-wide ceiling is what holds then.
    while (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value ?? '');
  }
}
