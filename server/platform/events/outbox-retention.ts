import type { BackgroundDeps, BackgroundPart } from '../jobs/background-part.ts';
import { pruneOutbox } from './outbox-repository.ts';

// The outbox is a queue, not an archive: the audit log and the tables the
// events came from are the record. Events older than 30 days go with their
// deliveries (cascade) once none is still pending, in batches so a large
// backlog never holds a long lock (pruneOutbox). Nightly at 03:30 Vietnam time.

export function outboxRetention({ db }: BackgroundDeps): BackgroundPart {
  return {
    tasks: { outbox_prune: async () => void (await pruneOutbox(db)) },
    crontab: ['30 20 * * * outbox_prune'],
  };
}
