import type { Db } from '../../platform/db/connect.ts';
import { type InsertOutcome, type PendingResponse, storeResponses } from './store-responses.ts';

// Group commit for citizens' submissions. Submissions that arrive while
// earlier ones are being written wait and then go together in the next
// transaction: one lock query, one count, one statement inserting the
// responses and their answers, and one durable commit for the lot. Nothing is
// weakened: each caller's promise settles only after the commit that holds
// its row, replays and conflicts are told apart per row, and the stuffing
// checks count the rows before each one in the batch (screenBatch).
//
// With nothing in flight a submission goes at once, alone: batching adds no
// wait at low traffic and only forms under load.

const MAX_BATCH = 128;
/**
 * Submissions are split into lanes by unit, each lane one transaction at a
 * time. Two transactions of one lane would upsert the same hot aggregate
 * cells (a unit's month, say) and the second would wait for the first's
 * commit anyway (measured: two in flight in one lane were slower than one);
 * lanes never share a unit, so their transactions run side by side on
 * separate cores without waiting on each other's rows.
 */
const LANES = 2;
const MAX_IN_FLIGHT = 1;

interface Pending {
  row: PendingResponse;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: unknown) => void;
}

class SubmissionBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(private readonly db: Db) {}

  submit(row: PendingResponse): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await storeResponses(
        this.db,
        batch.map((p) => p.row),
      );
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome) p.resolve(outcome);
        else p.reject(new Error('no outcome for a batched submission'));
      });
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
      // One bad row must not fail its neighbours: each goes again alone and
      // meets its own fate (a dead database fails them all, quickly).
      await Promise.all(
        batch.map(async (p) => {
          try {
            const [outcome] = await storeResponses(this.db, [p.row]);
            if (outcome) p.resolve(outcome);
            else p.reject(new Error('no outcome for a submission'));
          } catch (e) {
            p.reject(e);
          }
        }),
      );
    }
  }
}

const batchers = new WeakMap<Db, SubmissionBatcher[]>();

/** Stores a submission (without a one-time code) through its database's group commit. */
export function submitBatched(db: Db, row: PendingResponse): Promise<InsertOutcome> {
  if (row.consumeCodeHash) throw new Error('one-time-code submissions are stored one at a time');
  let lanes = batchers.get(db);
  if (!lanes) {
    lanes = Array.from({ length: LANES }, () => new SubmissionBatcher(db));
    batchers.set(db, lanes);
  }
  const lane = lanes[row.unitId % lanes.length];
  if (!lane) throw new Error('no submission lane');
  return lane.submit(row);
}
