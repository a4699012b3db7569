import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { BackgroundDeps, BackgroundPart } from '../jobs/background-part.ts';

// The outbox is a queue, not an archive: the audit log and the tables the
// events came from are the record. Events older than 30 days go with their
// deliveries (cascade) once none is still pending, in batches so a large
// backlog never holds a long lock. Nightly at 03:30 Vietnam time.

export const OUTBOX_KEEP_DAYS = 30;
const BATCH = 5_000;

/** Deletes events older than OUTBOX_KEEP_DAYS before `now` whose deliveries are all settled; how many. */
export async function pruneOutbox(db: Db, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const { numAffectedRows } = await sql`
      delete from outbox_event where id in (
        select e.id from outbox_event e
         where e.created_at < ${now}::timestamptz - make_interval(days => ${OUTBOX_KEEP_DAYS})
           and not exists (select 1 from webhook_delivery d
                            where d.event_id = e.id and d.status in ('pending', 'sending'))
         limit ${BATCH})`.execute(db);
    const n = Number(numAffectedRows ?? 0);
    total += n;
    if (n < BATCH) return total;
  }
}

export function outboxRetention({ db }: BackgroundDeps): BackgroundPart {
  return {
    tasks: { outbox_prune: async () => void (await pruneOutbox(db)) },
    crontab: ['30 20 * * * outbox_prune'],
  };
}
