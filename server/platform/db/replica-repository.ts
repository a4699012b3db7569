import { sql } from 'kysely';
import type { Db } from './connect.ts';

export interface ReplicaStatus {
  /** false: a primary (a promoted replica, or the primary's own address given by mistake). */
  inRecovery: boolean;
  /** A WAL receiver process exists: the replica is (re)connecting to or streaming from its primary. */
  receiving: boolean;
  /** Seconds behind; null when not in recovery. */
  lagSeconds: number | null;
}

/**
 * How far the replica is behind. The time since the last replayed commit
 * alone would make a replica of an idle primary look ever more behind, so
 * when everything received has been replayed the lag is 0; only while WAL
 * waits to be replayed does the age of the last replayed commit count.
 */
export async function replicaStatus(db: Db): Promise<ReplicaStatus> {
  const { rows } = await sql<ReplicaStatus>`
    select pg_is_in_recovery() as "inRecovery",
      exists (select 1 from pg_stat_wal_receiver) as "receiving",
      case
        when not pg_is_in_recovery() then null
        when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
        else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 0)
      end::float8 as "lagSeconds"`.execute(db);
  const row = rows[0];
  if (!row) throw new Error('the replica returned no status row');
  return row;
}
