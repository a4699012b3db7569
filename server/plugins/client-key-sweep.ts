import fp from 'fastify-plugin';
import { forgetOldClientKeys } from '../services/stuffing-service.ts';

// Client keys (a daily keyed hash of a citizen's address) and render keys
// are kept a day for the rate checks, then erased. The sweep runs when the
// server is ready and every ten minutes after, never inside a citizen's
// transaction; several processes may sweep at once (rows another holds are
// skipped). `npm run cli -- forget-client-keys` runs it by hand.

const SWEEP_EVERY_MS = 10 * 60_000;

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
