import fp from 'fastify-plugin';
import type { Db } from '../../platform/db/connect.ts';
import { forgetClientKeys } from './stuffing-repository.ts';
import { CLIENT_KEY_HOURS } from './stuffing-rules.ts';

// Client keys (a daily keyed hash of a citizen's address) and render keys
// are kept a day for the rate checks, then erased. The sweep runs when the
// server is ready and every ten minutes after, never inside a citizen's
// transaction; several processes may sweep at once (rows another holds are
// skipped). `npm run cli -- forget-client-keys` runs it by hand.

const SWEEP_EVERY_MS = 10 * 60_000;

export { CLIENT_KEY_HOURS };

/**
 * Erases client and render keys older than CLIENT_KEY_HOURS, a batch at a
 * time (at most `maxBatches`), outside any citizen's transaction: the server
 * runs it on a timer (below), the CLI on demand.
 */
export async function forgetOldClientKeys(db: Db, maxBatches = 100): Promise<number> {
  const batch = 5_000;
  let erased = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await forgetClientKeys(db, CLIENT_KEY_HOURS, batch);
    erased += n;
    if (n < batch) break;
  }
  return erased;
}

export default fp(
  async (app) => {
    let timer: NodeJS.Timeout | undefined;
    const sweep = async () => {
      try {
        const erased = await forgetOldClientKeys(app.db);
        if (erased) app.log.info({ erased }, 'old client keys erased');
      } catch (err) {
        // A database away now is tried again at the next sweep.
        app.log.warn({ err: (err as Error).message }, 'client key sweep failed');
      }
    };
    app.addHook('onReady', async () => {
      await sweep();
      timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'client-key-sweep', dependencies: ['context'] },
);
