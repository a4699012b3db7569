import { z } from 'zod';
import { EVENTS } from '../../platform/events/outbox.ts';

// The registration form of the staff page: what was typed, checked and
// chosen, and a Vietnamese message for each field that is wrong. The URL
// rules themselves are the service's (checkWebhookUrl), shared with the API.

export interface WebhookFormValues {
  unit: string;
  url: string;
  events: string[];
}

export type WebhookFormErrors = Partial<Record<keyof WebhookFormValues | 'form', string>>;

const list = (v: unknown) => (v === undefined || v === null || v === '' ? [] : [v].flat());

const Body = z.object({
  unit: z.string('Vui lòng chọn đơn vị.').trim().min(1, 'Vui lòng chọn đơn vị.'),
  url: z
    .string('Vui lòng nhập địa chỉ nhận (URL).')
    .trim()
    .min(1, 'Vui lòng nhập địa chỉ nhận (URL).')
    .max(2000, 'Địa chỉ quá dài (tối đa 2.000 ký tự).'),
  events: z.preprocess(
    list,
    z
      .array(z.enum(EVENTS, 'Sự kiện không hợp lệ.'), 'Vui lòng chọn ít nhất một sự kiện.')
      .min(1, 'Vui lòng chọn ít nhất một sự kiện.'),
  ),
});

export type WebhookForm =
  | { ok: true; values: WebhookFormValues; input: z.infer<typeof Body> }
  | { ok: false; values: WebhookFormValues; errors: WebhookFormErrors };

export function emptyWebhookForm(unit = ''): WebhookFormValues {
  return { unit, url: '', events: [] };
}

export function readWebhookForm(body: unknown): WebhookForm {
  const raw = (body ?? {}) as Record<string, unknown>;
  const values: WebhookFormValues = {
    unit: typeof raw.unit === 'string' ? raw.unit : '',
    url: typeof raw.url === 'string' ? raw.url : '',
    events: list(raw.events).filter((e): e is string => typeof e === 'string'),
  };
  const parsed = Body.safeParse(raw);
  if (parsed.success) return { ok: true, values, input: parsed.data };
  const errors: WebhookFormErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form') as keyof WebhookFormErrors;
    errors[field] ??= issue.message;
  }
  return { ok: false, values, errors };
}
