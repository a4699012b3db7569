import type { Generated } from 'kysely';

// Counters shared by every server node (issue 19): guesses at kiosk pairing
// codes (migration 2026-12-05T2350). Database (schema.ts) extends ThrottleTables.

export interface KioskPairGuessTable {
  /** bigint, returned by pg as a string */
  id: Generated<string>;
  /** Hash of the client's address (kiosk-pair-throttle.ts), never the address. */
  client_key: string;
  at: Generated<Date>;
}

export interface ThrottleTables {
  kiosk_pair_guess: KioskPairGuessTable;
}
