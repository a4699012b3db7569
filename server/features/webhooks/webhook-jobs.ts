import type { BackgroundDeps, BackgroundPart } from '../../platform/jobs/background-part.ts';
import { deliver, sweepDeliveries } from './webhook-delivery.ts';
import { mailWebhookPaused } from './webhook-paused-mail.ts';

/** How often each worker process looks for deliveries a dead worker left behind. */
const SWEEP_MS = 5_000;

export function webhookJobs(deps: BackgroundDeps): BackgroundPart {
  const { db, config } = deps;
  return {
    tasks: {
      webhook_deliver: async (payload) => {
        const { deliveryId } = payload as { deliveryId?: unknown };
        if (typeof deliveryId !== 'string') return;
        await deliver(db, deliveryId, config.webhooks);
      },
      mail_webhook_paused: async (payload) => {
        const { endpointId } = payload as { endpointId?: unknown };
        if (typeof endpointId !== 'number') return;
        await mailWebhookPaused(deps, endpointId);
      },
    },
    periodic: [{ everyMs: SWEEP_MS, run: () => sweepDeliveries(db) }],
  };
}
