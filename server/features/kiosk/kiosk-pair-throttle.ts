import { createHash } from 'node:crypto';
import type { Db } from '../../platform/db/connect.ts';
import { forgivePairGuess, type GuessReservation, reservePairGuess } from './kiosk-pair-repository.ts';

// Guesses at pairing codes, counted per client address and for everyone
// together. A code has 31^8 ≈ 8.5 × 10^11 values and lives ten minutes, and a
// desk has at most 20 open at once: at 10 guesses per address per window the
// chance of hitting one is negligible, and the overall ceiling bounds what
// many addresses together can try. A guess is counted when it starts (and
// forgiven if it pairs), so guesses sent in parallel count each other, as
// the sign-in's reservations do. Counted in PostgreSQL, so every node behind
// the load balancer sees the same counts (issue 19). Addresses are kept
// hashed, and only for the window.

export const PAIR_WINDOW_MS = 10 * 60_000;
export const PAIR_GUESSES_PER_CLIENT = 10;
export const PAIR_GUESSES_OVERALL = 300;

export class PairThrottle {
  constructor(
    private readonly db: Db,
    private readonly limits = {
      perClient: PAIR_GUESSES_PER_CLIENT,
      overall: PAIR_GUESSES_OVERALL,
      windowMs: PAIR_WINDOW_MS,
    },
  ) {}

  /** Counts a guess from this address, or says how long to wait. */
  reserve(address: string): Promise<GuessReservation> {
    const client = createHash('sha256').update(`kiosk-pair/${address}`).digest('base64url').slice(0, 22);
    return reservePairGuess(this.db, client, this.limits);
  }

  /** A guess that paired a tablet was no guess: it stops counting. */
  forgive(id: string): Promise<void> {
    return forgivePairGuess(this.db, id);
  }
}
