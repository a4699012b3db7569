import type { Generated } from 'kysely';

// Tables of the outbox, webhooks and e-mail notices (issue 18).

export type MailTopic = 'low_score' | 'feedback_due' | 'weekly_summary' | 'webhook_paused';

/** A staff member's explicit choice for one kind of mail; no row: on. */
export interface UserMailPreferenceTable {
  user_id: number;
  topic: MailTopic;
  enabled: boolean;
  updated_at: Generated<Date>;
}

/** When the last batched mail of a kind went for a unit (at most one per 15 minutes for low scores). */
export interface MailThrottleTable {
  unit_id: number;
  kind: string;
  last_sent_at: Date;
  covered_until: Date;
}

export interface OutboxEventTable {
  id: Generated<string>;
  event: string;
  unit_id: number;
  created_at: Generated<Date>;
  data: unknown;
}

export interface WebhookEndpointTable {
  id: Generated<string>;
  unit_id: number;
  url: string;
  events: string[];
  secret: string;
  created_by: string;
  created_at: Generated<Date>;
  paused_at: Date | null;
  failing_since: Date | null;
  /** Who registered it on the staff page (told when it is paused); null for an API key's. */
  owner_user_id: number | null;
}

export interface WebhookDeliveryTable {
  id: Generated<string>;
  endpoint_id: string;
  event_id: string;
  status: Generated<'pending' | 'sending' | 'delivered' | 'failed'>;
  attempts: Generated<number>;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_attempt_at: Generated<Date>;
  delivered_at: Date | null;
  created_at: Generated<Date>;
}

/** The tables of this file, as schema.ts's Database has them. */
export interface NotificationTables {
  outbox_event: OutboxEventTable;
  webhook_endpoint: WebhookEndpointTable;
  webhook_delivery: WebhookDeliveryTable;
  user_mail_preference: UserMailPreferenceTable;
  mail_throttle: MailThrottleTable;
}
