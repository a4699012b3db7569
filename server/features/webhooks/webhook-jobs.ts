import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';
import { deliver, sweepDeliveries } from './webhook-delivery.ts';

/** How often each worker process looks for deliveries a dead worker left behind. */
const SWEEP_MS = 5_000;

export function webhookJobs({ db, config }: BackgroundDeps): BackgroundPart {
  return {
    tasks: {
      webhook_deliver: async (payload) => {
        const { deliveryId } = payload as { deliveryId?: unknown };
        if (typeof deliveryId !== 'string') return;
        await deliver(db, deliveryId, config.webhooks);
      },
    },
    periodic: [{ everyMs: SWEEP_MS, run: () => sweepDeliveries(db) }],
  };
}
