import { runMigrations } from 'graphile-worker';
import { CompiledQuery, sql } from 'kysely';
import type { Db } from './connect.ts';
import { quietJobLogger } from './job-logger.ts';

// The job queue (graphile-worker) keeps its tables in its own schema,
// graphile_worker, and migrates it itself: its SQL belongs to the library's
// version, so it cannot be one of our frozen migrations. prepareDatabase()
// runs this right after our migrations at every start (the test template
// too, so every cloned test database has the queue). It is idempotent, and
// two processes starting together are safe: the library detects the clash.

type Query = string | { text: string; values?: unknown[] };

/**
 * The little of a pg Pool that graphile-worker's migrator uses, over one
 * Kysely connection: prepareDatabase gets a Db, not a connection string.
 * The migrator asks for one client at a time.
 */
function poolOver(conn: Db) {
  const client = {
    async query(q: Query, values?: unknown[]) {
      const text = typeof q === 'string' ? q : q.text;
      const params = (typeof q === 'string' ? values : q.values) ?? [];
      const result = await conn.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params));
      return { rows: result.rows, rowCount: Number(result.numAffectedRows ?? result.rows.length) };
    },
    release() {},
  };
  const noop = () => {};
  return {
    options: { max: 1 },
    // Listeners already present: the migrator then adds none of its own.
    listeners: () => [noop],
    on: noop,
    removeListener: noop,
    connect: async () => client,
    end: async () => {},
  };
}

/** Installs or upgrades the graphile_worker schema. */
export async function installJobSchema(db: Db): Promise<void> {
  await db.connection().execute((conn) =>
    runMigrations({
      // biome-ignore lint/suspicious/noExplicitAny: a structural stand-in for pg.Pool, see poolOver.
      pgPool: poolOver(conn) as any,
      logger: quietJobLogger(),
    }),
  );
}

/**
 * Registers the task names before any job is queued or worker started. The
 * queue registers a name on first use, from a worker starting (all its
 * names in one statement) and from add_job (one by one, in whatever order
 * the triggers of a transaction fire): on a fresh database the two orders
 * deadlocked (seen in tests/outbox.test.ts). Names that exist are left be.
 * `_private_tasks` is the library's own table; its add_job uses it the same way.
 */
export async function registerTaskNames(db: Db, names: readonly string[]): Promise<void> {
  await sql`
    insert into graphile_worker._private_tasks (identifier)
    select unnest(${[...names].sort()}::text[]) on conflict do nothing`.execute(db);
}
