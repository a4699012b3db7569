import { ANSWERS } from '../faults/context.ts';
import { agent, json, request, sleep } from '../faults/http.ts';

// Citizens' phones through the load balancer: each submission has its own
// submissionId and is sent again, with the same id, after a cut connection,
// a 502 or a 503 until it is acknowledged (201, or 200 for a replay). The
// load balancer never resends a POST whose request reached a node, so these
// client retries are what makes a node's death harmless, and they are safe
// because the server stores one response per submissionId.

export interface LoadResult {
  acknowledged: Set<string>;
  /** Each acknowledgement: when its submission was first sent and when it was acknowledged (performance.now()). */
  acks: { firstSentAt: number; at: number }[];
  attempts: number;
  /** Attempts answered by a cut connection, a 502 or a 503, each followed by a retry. */
  retries: number;
  statuses: Record<string, number>;
  /** 4xx or other 5xx: final, a valid submission should never get one. */
  unexpected: string[];
  givenUp: number;
}

export interface LoadOptions {
  base: string;
  ids: string[];
  desk: string;
  submitKey: string;
  concurrency: number;
  /** New submissions started per second, as citizens arrive (all at once when unset). */
  perSecond?: number;
  deadlineMs?: number;
}

export function submissionLoad(o: LoadOptions): { live: LoadResult; done: Promise<LoadResult> } {
  const r: LoadResult = {
    acknowledged: new Set(),
    acks: [],
    attempts: 0,
    retries: 0,
    statuses: {},
    unexpected: [],
    givenUp: 0,
  };
  const t0 = performance.now();
  const deadline = t0 + (o.deadlineMs ?? 90_000);
  let next = 0;
  const worker = async () => {
    while (next < o.ids.length) {
      const i = next++;
      const id = o.ids[i]!;
      if (o.perSecond) {
        const due = t0 + (i / o.perSecond) * 1000;
        if (due > performance.now()) await sleep(due - performance.now());
      }
      const body = json({ desk: o.desk, answers: ANSWERS, submissionId: id });
      let firstSentAt: number | undefined;
      for (;;) {
        if (performance.now() > deadline) {
          r.givenUp++;
          break;
        }
        r.attempts++;
        firstSentAt ??= performance.now();
        const out = await request(
          o.base,
          {
            method: 'POST',
            path: '/api/v1/responses',
            ...body,
            headers: { ...body.headers, authorization: `Bearer ${o.submitKey}` },
            timeoutMs: 20_000,
          },
          agent,
        );
        const status = out.reply?.status;
        const key = status ? String(status) : `network ${out.error}`;
        r.statuses[key] = (r.statuses[key] ?? 0) + 1;
        if (status === 200 || status === 201) {
          r.acknowledged.add(id);
          r.acks.push({ firstSentAt, at: performance.now() });
          break;
        }
        if (status && status !== 502 && status !== 503) {
          if (r.unexpected.length < 5) r.unexpected.push(`${status} ${out.reply?.body.slice(0, 200)}`);
          break;
        }
        r.retries++;
        await sleep(50 + Math.random() * 100);
      }
    }
  };
  const done = Promise.all(Array.from({ length: o.concurrency }, worker)).then(() => r);
  return { live: r, done };
}

/**
 * What the database holds of a load: acknowledged submissions missing
 * (lost), stored more than once (duplicates), stored without all their
 * answers (partial), and the load's answers counted by status.
 */
export function tallyStored(
  r: LoadResult,
  rows: readonly { submission_id: string; answers: number }[],
  answersEach: number,
): { lost: number; duplicates: number; partial: number; statuses: string } {
  const stored = new Map<string, number>();
  for (const row of rows) stored.set(row.submission_id, (stored.get(row.submission_id) ?? 0) + 1);
  return {
    lost: [...r.acknowledged].filter((id) => !stored.has(id)).length,
    duplicates: [...stored.values()].filter((n) => n > 1).length,
    partial: rows.filter((row) => row.answers !== answersEach).length,
    statuses: Object.entries(r.statuses)
      .map(([k, n]) => `${k}×${n}`)
      .join(' '),
  };
}
