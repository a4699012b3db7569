import { submission } from './context.ts';
import { agent, request, sleep } from './http.ts';

// Citizens' phones as the suite plays them: each submission is retried with
// the same submissionId until the server acknowledges it, as the survey page
// does. Server errors and cut connections are retried after a short pause
// (shorter than Retry-After, to keep the suite quick); a 4xx is final.

export interface LoadResult {
  /** submissionIds answered 2xx. */
  acknowledged: Set<string>;
  /** performance.now() of every 2xx, in order. */
  ackTimes: number[];
  attempts: number;
  statuses: Record<string, number>;
  networkErrors: number;
  /** 5xx other than 503, and the bodies of the first few. */
  other5xx: number;
  other5xxSamples: string[];
  /** 503s without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** 4xx answers, which a valid submission should never get. */
  unexpected4xx: number;
  /** Submissions still unacknowledged when the deadline came. */
  givenUp: number;
  /** Slowest single attempt: a hang would show here. */
  slowestMs: number;
}

export interface LoadOptions {
  ids: string[];
  desk: string;
  concurrency: number;
  /** Where the server is now: it changes when a killed server is started again. */
  base: () => string;
  /** New submissions started per second (all at once when unset). */
  perSecond?: number;
  deadlineMs?: number;
}

/**
 * Starts the load; `live` fills in as it runs, `done` resolves when every id
 * is settled; `stop` gives up on what is left (the server died for good).
 */
export function retryingLoad(o: LoadOptions): { live: LoadResult; done: Promise<LoadResult>; stop(): void } {
  const r: LoadResult = {
    acknowledged: new Set(),
    ackTimes: [],
    attempts: 0,
    statuses: {},
    networkErrors: 0,
    other5xx: 0,
    other5xxSamples: [],
    unavailableWithoutRetryAfter: 0,
    unexpected4xx: 0,
    givenUp: 0,
    slowestMs: 0,
  };
  const t0 = performance.now();
  let deadline = t0 + (o.deadlineMs ?? 180_000);
  let next = 0;
  const worker = async () => {
    while (next < o.ids.length) {
      const i = next++;
      const id = o.ids[i]!;
      if (o.perSecond) {
        const due = t0 + (i / o.perSecond) * 1000;
        if (due > performance.now()) await sleep(due - performance.now());
      }
      for (;;) {
        if (performance.now() > deadline) {
          r.givenUp++;
          break;
        }
        r.attempts++;
        const started = performance.now();
        const out = await request(o.base(), { ...submission(o.desk, id), timeoutMs: 20_000 }, agent);
        r.slowestMs = Math.max(r.slowestMs, performance.now() - started);
        const status = out.reply?.status;
        const key = status ? String(status) : 'network';
        r.statuses[key] = (r.statuses[key] ?? 0) + 1;
        if (status && status < 300) {
          r.acknowledged.add(id);
          r.ackTimes.push(performance.now());
          break;
        }
        if (status && status < 500) {
          r.unexpected4xx++;
          break;
        }
        if (!status) r.networkErrors++;
        else if (status === 503) {
          if (!out.reply?.headers['retry-after']) r.unavailableWithoutRetryAfter++;
        } else {
          r.other5xx++;
          if (r.other5xxSamples.length < 3) r.other5xxSamples.push(`${status} ${out.reply?.body.slice(0, 200)}`);
        }
        await sleep(100 + Math.random() * 200);
      }
    }
  };
  const done = Promise.all(Array.from({ length: o.concurrency }, worker)).then(() => r);
  return { live: r, done, stop: () => (deadline = 0) };
}
