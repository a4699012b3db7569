import { sql } from 'kysely';
import type { Db } from './connect.ts';

/**
 * Tables, views and sequences outside PostgreSQL's own schemas: zero in a
 * database just made by `createdb`, the only kind a restore may go into.
 */
export async function countUserRelations(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
      and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Ordinary tables of the public schema, for the summary after a restore. */
export async function countPublicTables(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(db);
  return rows[0]?.n ?? 0;
}
