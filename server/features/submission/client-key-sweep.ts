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
    let running: Promise<void> | undefined;
    const sweep = async () => {
      try {
        const erased = await forgetOldClientKeys(app.db);
        if (erased) app.log.info({ erased }, 'old client keys erased');
      } catch (err) {
        // A database away now is tried again at the next sweep.
        app.log.warn({ err: (err as Error).message }, 'client key sweep failed');
      }
    };
    // One sweep at a time, never awaited by the start: on a database of
    // tens of millions of responses a slow sweep (a day of keys after a long
    // stop, a missing index) must not keep the server from serving.
    const start = () => {
      running ??= sweep().finally(() => {
        running = undefined;
      });
    };
    app.addHook('onReady', async () => {
      start();
      timer = setInterval(start, SWEEP_EVERY_MS);
      timer.unref();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await running;
    });
  },
  { name: 'client-key-sweep', dependencies: ['context'] },
);
