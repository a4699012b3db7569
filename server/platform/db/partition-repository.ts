import { sql } from 'kysely';
import type { Db } from './connect.ts';

// The monthly partitions of response and answer (migration 2026-12-05T2340):
// made ahead of time, and detached for archiving. A partition is named for
// its month in Vietnam's calendar: response_y2026m12, answer_y2026m12.

export const ARCHIVE_SCHEMA = 'archive';

/**
 * Makes the partitions of the months from `from` to `to` (first days,
 * 'YYYY-MM-DD') that are missing; returns how many months were made. Making
 * a partition locks the parent table briefly: with a long report running it
 * would queue every submission behind it, so it gives up after 2 s instead
 * (the daily run tries again; the months are made three ahead).
 */
export async function ensurePartitions(db: Db, from: string, to: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = '2s'`.execute(trx);
    const { rows } = await sql<{ made: number }>`
      select ensure_response_partitions(${from}::date, ${to}::date) as made`.execute(trx);
    return rows[0]?.made ?? 0;
  });
}

export interface MonthPartition {
  /** 'YYYY-MM' */
  month: string;
  rows: number;
}

/** The month partitions of response still attached, oldest first, with their row counts (estimated from statistics). */
export async function listMonthPartitions(db: Db): Promise<MonthPartition[]> {
  const { rows } = await sql<{ name: string; rows: number }>`
    select c.relname as name, greatest(c.reltuples, 0)::bigint::int as rows
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'response'::regclass and c.relname ~ '^response_y[0-9]{4}m[0-9]{2}$'
     order by c.relname`.execute(db);
  return rows.map((r) => ({ month: `${r.name.slice(10, 14)}-${r.name.slice(15, 17)}`, rows: r.rows }));
}

/**
 * Detaches one month's partitions into the schema `archive`, in one
 * transaction. The detached tables keep their rows; the app no longer reads
 * them. Their references to the live tables (the responses' to submission)
 * are dropped, so that they can be dumped, dropped or attached again on
 * their own.
 */
export async function detachMonth(db: Db, month: string): Promise<void> {
  const suffix = `y${month.slice(0, 4)}m${month.slice(5, 7)}`;
  const answer = `answer_${suffix}`;
  const response = `response_${suffix}`;
  await db.transaction().execute(async (trx) => {
    await sql`set local lock_timeout = '10s'`.execute(trx);
    await sql`create schema if not exists ${sql.id(ARCHIVE_SCHEMA)}`.execute(trx);
    await sql`alter table answer detach partition ${sql.id(answer)}`.execute(trx);
    await dropForeignKeys(trx, answer);
    await sql`alter table response detach partition ${sql.id(response)}`.execute(trx);
    await dropForeignKeys(trx, response);
    await sql`alter table ${sql.id(answer)} set schema ${sql.id(ARCHIVE_SCHEMA)}`.execute(trx);
    await sql`alter table ${sql.id(response)} set schema ${sql.id(ARCHIVE_SCHEMA)}`.execute(trx);
  });
}

async function dropForeignKeys(trx: Db, table: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select conname as name from pg_constraint
     where conrelid = ${table}::regclass and contype = 'f' and conparentid = 0`.execute(trx);
  // A reference to a partitioned table has one sub-constraint per partition: they go with their parent.
  for (const { name } of rows) {
    await sql`alter table ${sql.id(table)} drop constraint if exists ${sql.id(name)}`.execute(trx);
  }
}

/** The tables in the schema `archive`. */
export async function archivedTables(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = ${ARCHIVE_SCHEMA} order by 1`.execute(db);
  return rows.map((r) => r.name);
}

export async function dropArchivedTables(db: Db, tables: readonly string[]): Promise<void> {
  for (const t of tables) await sql`drop table ${sql.table(`${ARCHIVE_SCHEMA}.${t}`)}`.execute(db);
}
