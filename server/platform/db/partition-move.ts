import { sql } from 'kysely';
import type { Db } from './connect.ts';

// The data half of migration 2026-12-05T2340 (monthly partitions of
// responses): rows go from response_unpartitioned / answer_unpartitioned
// into the partitioned tables in batches, each its own transaction, so an
// interrupted move (a killed process, a lost connection) loses nothing and
// the next start carries on from where it stopped: whatever is still in the
// old table has not been moved. When the old table is empty the saved
// indexes and triggers are put on the new tables, the references are
// checked and the old tables dropped, in one transaction.
//
// migrateToLatest runs this after the migrations, so before any start
// serves; on a database already moved it costs one catalog lookup. Each
// transaction takes a
// transaction-level advisory lock (safe through PgBouncer in transaction
// mode), so nodes starting together take turns and the finish runs once.

const MOVE_LOCK = 0x9a7_7100;
export const MOVE_BATCH = 10_000;

export interface MoveProgress {
  moved: number;
  left: number;
}

/** Moves the rows left, then finishes; `onBatch` hears after each batch. Returns the rows moved by this call. */
export async function finishPartitionMove(
  db: Db,
  opts: { batch?: number; onBatch?: (p: MoveProgress) => void; stopAfter?: number } = {},
): Promise<number> {
  if (!(await moveStillPending(db))) return 0;
  const batch = opts.batch ?? MOVE_BATCH;
  let left: number | undefined;
  let moved = 0;
  for (;;) {
    const step = await moveBatch(db, batch, left === undefined);
    if (step === 'busy') {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (step === 'done') break;
    moved += step.moved;
    left = Math.max(0, (step.before ?? left ?? 0) - step.moved);
    opts.onBatch?.({ moved, left });
    // Tests stop here to play an interrupted move.
    if (opts.stopAfter !== undefined && moved >= opts.stopAfter) return moved;
  }
  return moved;
}

/** Counted once: a count per batch would read the whole old table again each time. */
async function rowsLeft(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from response_unpartitioned`.execute(db);
  return rows[0]?.n ?? 0;
}

async function moveStillPending(db: Db): Promise<boolean> {
  const { rows } = await sql<{ pending: boolean }>`
    select to_regclass('partition_move_step') is not null as pending`.execute(db);
  return rows[0]?.pending ?? false;
}

/**
 * The rows of one batch moved, and with `count` how many waited before it
 * (or the finish run, 'done'); 'busy' while another process holds the move.
 * Counted under the lock: a process that found the move pending may find it
 * finished (the old table dropped) by the time it holds the lock.
 */
async function moveBatch(
  db: Db,
  batch: number,
  count: boolean,
): Promise<{ moved: number; before?: number } | 'done' | 'busy'> {
  return db.transaction().execute(async (trx) => {
    // Building the indexes of millions of rows takes longer than the pool's 15 s.
    await sql`set local statement_timeout = 0`.execute(trx);
    const { rows: lock } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(${MOVE_LOCK}) as got`.execute(
      trx,
    );
    if (!lock[0]?.got) return 'busy';
    if (!(await moveStillPending(trx))) return 'done';
    const before = count ? await rowsLeft(trx) : undefined;
    // Same column order: migration 2340 made the new tables LIKE the old ones (answer adds submitted_at last).
    const { rows } = await sql<{ moved: number }>`
      with batch as (
        select * from response_unpartitioned order by id limit ${batch}
      ), s as (
        insert into submission (submission_id, response_id) select submission_id, id from batch
      ), r as (
        insert into response select * from batch
      ), a as (
        insert into answer select a.*, b.submitted_at from answer_unpartitioned a join batch b on b.id = a.response_id
      ), d as (
        delete from response_unpartitioned where id in (select id from batch)
      )
      select count(*)::int as moved from batch`.execute(trx);
    const moved = rows[0]?.moved ?? 0;
    if (moved > 0) return { moved, before };
    await finish(trx);
    return 'done';
  });
}

async function finish(trx: Db): Promise<void> {
  const { rows } = await sql<{ statement: string }>`
    select statement from partition_move_step order by n`.execute(trx);
  for (const { statement } of rows) await sql.raw(statement).execute(trx);
  await sql`
    alter table feedback_item validate constraint feedback_item_response_id_fkey;
    alter table feedback_reply_key validate constraint feedback_reply_key_response_id_fkey;
    alter table round_form validate constraint round_form_response_id_fkey;
    do $$
    declare f regprocedure;
    begin
      -- The old copies of the functions made again above, still bound to the old row type.
      for f in select oid::regprocedure from pg_proc
                where 'response_unpartitioned'::regtype::oid = any (proargtypes::oid[]) loop
        execute 'drop function ' || f;
      end loop;
    end $$;
    drop table answer_unpartitioned;
    drop table response_unpartitioned;
    drop table partition_move_step;
  `.execute(trx);
}
